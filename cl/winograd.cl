/* 3x3 stride-1 SAME convolution by Winograd F(4x4, 3x3) (Lavin & Gray):
 * Y = A^T [ (G g G^T) . (B^T d B) ] A on 6x6 input tiles giving 4x4 outputs.
 * Three kernels: the input transform, 36 independent GEMMs (one per
 * transform position), the output transform. The filter transform G g G^T
 * runs once on the host at upload. Tensors:
 *   V [36][C][T]   transformed input tiles   (T = tile count, padded to TP)
 *   U [36][C][OC]  transformed filters
 *   M [36][OC][T]  their products */

/* B^T x for one 6-vector (x0..x5) -> r0..r5. */
#define BT6(x0, x1, x2, x3, x4, x5, r0, r1, r2, r3, r4, r5) do { \
    r0 = 4.0f * (x0) - 5.0f * (x2) + (x4);                        \
    r1 = -4.0f * ((x1) + (x2)) + (x3) + (x4);                     \
    r2 = 4.0f * ((x1) - (x2)) - (x3) + (x4);                      \
    r3 = -2.0f * ((x1) - (x3)) - (x2) + (x4);                     \
    r4 = 2.0f * ((x1) - (x3)) - (x2) + (x4);                      \
    r5 = 4.0f * (x1) - 5.0f * (x3) + (x5);                        \
} while (0)

/* A^T m for one 6-vector -> 4 outputs. */
#define AT6(m0, m1, m2, m3, m4, m5, r0, r1, r2, r3) do { \
    r0 = (m0) + (m1) + (m2) + (m3) + (m4);               \
    r1 = (m1) - (m2) + 2.0f * ((m3) - (m4));             \
    r2 = (m1) + (m2) + 4.0f * ((m3) + (m4));             \
    r3 = (m1) - (m2) + 8.0f * ((m3) - (m4)) + (m5);      \
} while (0)

__kernel void wino_input(__global const float *in, int C, int H, int W,
                         int tiles_x, int tiles_y, int TP, __global float *V)
{
    int tx = get_global_id(0), ty = get_global_id(1), c = get_global_id(2);
    if (tx >= tiles_x || ty >= tiles_y)
        return;
    __global const float *ip = in + (size_t)c * H * W;
    int y0 = ty * 4 - 1, x0 = tx * 4 - 1;
    float d[6][6], t[6][6];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            int y = y0 + i, x = x0 + j;
            d[i][j] = (y >= 0 && y < H && x >= 0 && x < W) ? ip[y * W + x] : 0.0f;
        }
    for (int j = 0; j < 6; j++)      /* columns: t = B^T d */
        BT6(d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j],
            t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j]);
    int tile = ty * tiles_x + tx;
    size_t stride = (size_t)C * TP;
    __global float *vp = V + (size_t)c * TP + tile;
    for (int i = 0; i < 6; i++) {    /* rows: (B^T d) B */
        float r0, r1, r2, r3, r4, r5;
        BT6(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], r0, r1, r2, r3, r4, r5);
        vp[(i * 6 + 0) * stride] = r0;
        vp[(i * 6 + 1) * stride] = r1;
        vp[(i * 6 + 2) * stride] = r2;
        vp[(i * 6 + 3) * stride] = r3;
        vp[(i * 6 + 4) * stride] = r4;
        vp[(i * 6 + 5) * stride] = r5;
    }
}

/* M[p][oc][t] = sum_c U[p][c][oc] V[p][c][t]. A work item makes 4 tiles
 * for 16 output channels: per input channel one 16-channel load of U, one
 * 4-tile load of V and four vector FMAs. */
__kernel void wino_gemm(__global const float *U, __global const float *V, int C, int OC,
                        int TP, __global float *M)
{
    int t = get_global_id(0) * 4, og = get_global_id(1), p = get_global_id(2);
    int oc0 = og * 16;
    __global const float *vp = V + (size_t)p * C * TP + t;
    __global const float *up = U + (size_t)p * C * OC + oc0;
    float16 a0 = (float16)(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (int c = 0; c < C; c++) {
        float4 v = vload4(0, vp + (size_t)c * TP);
        float16 u = vload16(0, up + (size_t)c * OC);
        a0 = fma((float16)(v.x), u, a0);
        a1 = fma((float16)(v.y), u, a1);
        a2 = fma((float16)(v.z), u, a2);
        a3 = fma((float16)(v.w), u, a3);
    }
    float r[4][16];
    vstore16(a0, 0, r[0]);
    vstore16(a1, 0, r[1]);
    vstore16(a2, 0, r[2]);
    vstore16(a3, 0, r[3]);
    __global float *mp = M + ((size_t)p * OC + oc0) * TP + t;
    for (int j = 0; j < 16; j++)
        vstore4((float4)(r[0][j], r[1][j], r[2][j], r[3][j]), 0, mp + (size_t)j * TP);
}

__kernel void wino_output(__global const float *M, int OC, int TP, int tiles_x,
                          int tiles_y, int H, int W, __global float *out)
{
    int tx = get_global_id(0), ty = get_global_id(1), oc = get_global_id(2);
    if (tx >= tiles_x || ty >= tiles_y)
        return;
    int tile = ty * tiles_x + tx;
    size_t stride = (size_t)OC * TP;
    __global const float *mp = M + (size_t)oc * TP + tile;
    float m[6][6], t[4][6];
    for (int i = 0; i < 36; i++)
        m[i / 6][i % 6] = mp[i * stride];
    for (int j = 0; j < 6; j++)
        AT6(m[0][j], m[1][j], m[2][j], m[3][j], m[4][j], m[5][j],
            t[0][j], t[1][j], t[2][j], t[3][j]);
    __global float *op = out + (size_t)oc * H * W;
    for (int i = 0; i < 4; i++) {
        float r[4];
        AT6(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], r[0], r[1], r[2], r[3]);
        int y = ty * 4 + i;
        for (int j = 0; j < 4; j++) {
            int x = tx * 4 + j;
            if (y < H && x < W)
                op[y * W + x] = r[j];
        }
    }
}

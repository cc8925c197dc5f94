/* 3x3 stride-1 SAME convolution by Winograd F(4x4, 3x3) (Lavin & Gray):
 * Y = A^T [ (G g G^T) . (B^T d B) ] A on 6x6 input tiles giving 4x4 outputs.
 * Three kernels: the input transform, 36 independent GEMMs (one per
 * transform position), the output transform. The filter transform G g G^T
 * runs once on the host at upload. Large planes go in chunks of tile rows
 * (ty0 the chunk's first), so the scratch stays bounded. Tensors:
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

/* A work item transforms 4 neighbouring tiles of one channel; vector lanes
 * are tiles. Tile tx reads input columns 4tx-pad_x .. +5, so the 4 tiles
 * share one 18-value row segment. */
__kernel void wino_input(__global const float *in, int C, int H, int W, int pad_y,
                         int pad_x, int ty0, int tiles_x, int tiles_y, int TP,
                         __global float *V)
{
    int tx = get_global_id(0) * 4, ty = get_global_id(1), c = get_global_id(2);
    if (tx >= tiles_x || ty >= tiles_y)
        return;
    __global const float *ip = in + (size_t)c * H * W;
    int y0 = (ty0 + ty) * 4 - pad_y, x0 = tx * 4 - pad_x;
    int fast = x0 >= 0 && x0 + 18 <= W;
    float4 e[6][6];   /* e[i] = row i of the tile times B */
    for (int i = 0; i < 6; i++) {
        int y = y0 + i;
        float buf[18];
        if (y < 0 || y >= H) {
            for (int k = 0; k < 18; k++)
                buf[k] = 0.0f;
        } else if (fast) {
            vstore16(vload16(0, ip + (size_t)y * W + x0), 0, buf);
            vstore2(vload2(0, ip + (size_t)y * W + x0 + 16), 0, buf + 16);
        } else {
            for (int k = 0; k < 18; k++)
                buf[k] = sc_at(ip + (size_t)y * W, x0 + k, W);
        }
        float4 d[6];
        for (int j = 0; j < 6; j++)
            d[j] = (float4)(buf[j], buf[4 + j], buf[8 + j], buf[12 + j]);
        BT6(d[0], d[1], d[2], d[3], d[4], d[5],
            e[i][0], e[i][1], e[i][2], e[i][3], e[i][4], e[i][5]);
    }
    int tile = ty * tiles_x + tx;
    size_t stride = (size_t)C * TP;
    __global float *vp = V + (size_t)c * TP + tile;
    /* Tiles past the row's end spill into the next row's slots or the
     * padding; the next row's own work item overwrites them, so write
     * only the lanes that belong to this row. */
    int n = min(4, tiles_x - tx);
    for (int j = 0; j < 6; j++) {
        float4 r[6];
        BT6(e[0][j], e[1][j], e[2][j], e[3][j], e[4][j], e[5][j],
            r[0], r[1], r[2], r[3], r[4], r[5]);
        for (int i = 0; i < 6; i++) {
            __global float *q = vp + (size_t)(i * 6 + j) * stride;
            if (n == 4) {
                vstore4(r[i], 0, q);
            } else {
                float a[4];
                vstore4(r[i], 0, a);
                for (int l = 0; l < n; l++)
                    q[l] = a[l];
            }
        }
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

/* A work item finishes 4 neighbouring tiles of one output channel (OC is
 * M's padded channel count; the output is H x W, channel count any). */
__kernel void wino_output(__global const float *M, int OC, int TP, int ty0, int tiles_x,
                          int tiles_y, int H, int W, __global const float *bias,
                          __global float *out)
{
    int tx = get_global_id(0) * 4, ty = get_global_id(1), oc = get_global_id(2);
    if (tx >= tiles_x || ty >= tiles_y)
        return;
    int tile = ty * tiles_x + tx, n = min(4, tiles_x - tx);
    size_t stride = (size_t)OC * TP;
    __global const float *mp = M + (size_t)oc * TP + tile;
    float4 t[4][6];   /* t = A^T m, lanes are tiles */
    for (int j = 0; j < 6; j++) {
        float4 m[6];
        for (int i = 0; i < 6; i++) {
            __global const float *q = mp + (size_t)(i * 6 + j) * stride;
            if (n == 4) {
                m[i] = vload4(0, q);
            } else {
                float a[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                for (int l = 0; l < n; l++)
                    a[l] = q[l];
                m[i] = vload4(0, a);
            }
        }
        AT6(m[0], m[1], m[2], m[3], m[4], m[5], t[0][j], t[1][j], t[2][j], t[3][j]);
    }
    __global float *op = out + (size_t)oc * H * W;
    int x0 = tx * 4, nx = min(16, W - x0);
    for (int i = 0; i < 4; i++) {
        int y = (ty0 + ty) * 4 + i;
        if (y >= H)
            break;
        float4 r[4];
        AT6(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], r[0], r[1], r[2], r[3]);
        for (int j = 0; j < 4; j++)
            r[j] += bias[oc];
        float row[16];   /* x = 4 * lane + j */
        for (int j = 0; j < 4; j++) {
            float a[4];
            vstore4(r[j], 0, a);
            for (int l = 0; l < 4; l++)
                row[4 * l + j] = a[l];
        }
        __global float *orow = op + (size_t)y * W + x0;
        if (nx == 16) {
            vstore16(vload16(0, row), 0, orow);
        } else {
            for (int k = 0; k < nx; k++)
                orow[k] = row[k];
        }
    }
}

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

/* M[p][oc][t] = sum_c U[p][c][oc] V[p][c][t], register-blocked for CPUs:
 * a work item makes 32 tiles (two full float16 loads of V per channel) for
 * 8 output channels (8 scalar U values, each broadcast into two FMAs), so
 * 16 accumulators stay in registers and every V load is a whole vector.
 * TP is a multiple of 32, OC of 8. */
#define WG_FMA2(o) do {                          \
    float16 s_ = (float16)(up[o]);               \
    a##o = fma(s_, v0, a##o);                    \
    b##o = fma(s_, v1, b##o);                    \
} while (0)
__kernel void wino_gemm(__global const float *U, __global const float *V, int C, int OC,
                        int TP, __global float *M)
{
    int t = get_global_id(0) * 32, oc0 = get_global_id(1) * 8, p = get_global_id(2);
    __global const float *vp = V + (size_t)p * C * TP + t;
    __global const float *up = U + (size_t)p * C * OC + oc0;
    float16 a0 = (float16)(0.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
            a7 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
    for (int c = 0; c < C; c++) {
        float16 v0 = vload16(0, vp), v1 = vload16(1, vp);
        WG_FMA2(0); WG_FMA2(1); WG_FMA2(2); WG_FMA2(3);
        WG_FMA2(4); WG_FMA2(5); WG_FMA2(6); WG_FMA2(7);
        vp += TP;
        up += OC;
    }
    __global float *mp = M + ((size_t)p * OC + oc0) * TP + t;
    vstore16(a0, 0, mp); vstore16(b0, 1, mp); mp += TP;
    vstore16(a1, 0, mp); vstore16(b1, 1, mp); mp += TP;
    vstore16(a2, 0, mp); vstore16(b2, 1, mp); mp += TP;
    vstore16(a3, 0, mp); vstore16(b3, 1, mp); mp += TP;
    vstore16(a4, 0, mp); vstore16(b4, 1, mp); mp += TP;
    vstore16(a5, 0, mp); vstore16(b5, 1, mp); mp += TP;
    vstore16(a6, 0, mp); vstore16(b6, 1, mp); mp += TP;
    vstore16(a7, 0, mp); vstore16(b7, 1, mp);
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

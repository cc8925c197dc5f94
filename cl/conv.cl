/* Direct 2-D correlation with TensorFlow SAME zero padding, no bias, on
 * planar activations (C x H x W). Weights are packed on upload as
 * [OC/OB][C][K][K][OB] for the kernel's output-channel block OB. */

/* Any window and stride, OB = 8, one pixel per work item: the reference
 * path for shapes without a specialized kernel. */
__kernel void conv2d(__global const float *in, int C, int H, int W,
                     __global const float *wt, int K, int S,
                     int pad_y, int pad_x,
                     __global float *out, int OC, int OH, int OW)
{
    int ox = get_global_id(0), oy = get_global_id(1), og = get_global_id(2);
    if (ox >= OW || oy >= OH)
        return;
    int by = oy * S - pad_y, bx = ox * S - pad_x;
    int ky0 = max(0, -by), ky1 = min(K, H - by);
    int kx0 = max(0, -bx), kx1 = min(K, W - bx);
    float8 acc = (float8)(0.0f);
    for (int c = 0; c < C; c++) {
        __global const float *ip = in + (size_t)c * H * W + (size_t)by * W + bx;
        __global const float *wc = wt + ((size_t)og * C + c) * K * K * 8;
        for (int ky = ky0; ky < ky1; ky++)
            for (int kx = kx0; kx < kx1; kx++)
                acc = fma((float8)(ip[ky * W + kx]), vload8(ky * K + kx, wc), acc);
    }
    float a[8];
    vstore8(acc, 0, a);
    size_t plane = (size_t)OH * OW, o = (size_t)oy * OW + ox;
    for (int j = 0; j < 8 && og * 8 + j < OC; j++)
        out[(og * 8 + j) * plane + o] = a[j];
}

/* 9x9 stride 1: a work item makes 16 neighbouring pixels of ROWS rows for
 * OB output channels. Each input row it touches is fetched once (16-wide
 * loads at the 9 tap offsets) and feeds every output row whose window
 * holds it; each tap is one vector FMA per channel and row. */
#define SC_CONV9_X16(NAME, OB, ROWS)                                                \
__kernel void NAME(__global const float *in, int C, int H, int W,                   \
                   __global const float *wt, __global float *out, int OC)           \
{                                                                                   \
    int xb = get_global_id(0) * 16, oy0 = get_global_id(1) * ROWS;                  \
    int og = get_global_id(2);                                                      \
    if (xb >= W || oy0 >= H)                                                        \
        return;                                                                     \
    int x0 = xb - 4;                                                                \
    int fast = x0 >= 0 && x0 + 24 <= W;                                             \
    float16 acc[ROWS][OB];                                                          \
    for (int r = 0; r < ROWS; r++)                                                  \
        for (int j = 0; j < OB; j++)                                                \
            acc[r][j] = (float16)(0.0f);                                            \
    /* Input rows oy0-4 .. oy0+ROWS+3, clipped to the image. */                     \
    int iy0 = max(0, oy0 - 4), iy1 = min(H, oy0 + ROWS + 4);                        \
    for (int c = 0; c < C; c++) {                                                   \
        __global const float *wc = wt + ((size_t)og * C + c) * 81 * OB;             \
        for (int iy = iy0; iy < iy1; iy++) {                                        \
            __global const float *row = in + ((size_t)c * H + iy) * W + x0;         \
            float16 v[9];                                                           \
            if (fast) {                                                             \
                for (int kx = 0; kx < 9; kx++)                                      \
                    v[kx] = vload16(0, row + kx);                                   \
            } else {                                                                \
                float buf[24];                                                      \
                for (int i = 0; i < 24; i++)                                        \
                    buf[i] = sc_at(row - x0, x0 + i, W);                            \
                for (int kx = 0; kx < 9; kx++)                                      \
                    v[kx] = vload16(0, buf + kx);                                   \
            }                                                                       \
            for (int r = 0; r < ROWS; r++) {                                        \
                int ky = iy - (oy0 + r) + 4;                                        \
                if (ky < 0 || ky > 8)                                               \
                    continue;                                                       \
                __global const float *wk = wc + ky * 9 * OB;                        \
                for (int kx = 0; kx < 9; kx++)                                      \
                    for (int j = 0; j < OB; j++)                                    \
                        acc[r][j] = fma(v[kx], (float16)(wk[kx * OB + j]), acc[r][j]); \
            }                                                                       \
        }                                                                           \
    }                                                                               \
    size_t plane = (size_t)H * W;                                                   \
    int n = min(16, W - xb);                                                        \
    for (int r = 0; r < ROWS && oy0 + r < H; r++)                                   \
        for (int j = 0; j < OB && og * OB + j < OC; j++) {                          \
            __global float *op = out + (og * OB + j) * plane + (size_t)(oy0 + r) * W + xb; \
            if (n == 16) {                                                          \
                vstore16(acc[r][j], 0, op);                                         \
            } else {                                                                \
                float a[16];                                                        \
                vstore16(acc[r][j], 0, a);                                          \
                for (int i = 0; i < n; i++)                                         \
                    op[i] = a[i];                                                   \
            }                                                                       \
        }                                                                           \
}

SC_CONV9_X16(conv9_x16_b8, 8, 1)
SC_CONV9_X16(conv9_x16_b3, 3, 2)

/* 3x3 stride 2: a work item makes 4 neighbouring output pixels for 16
 * output channels; each tap is one 16-channel weight load and 4 FMAs. */
__kernel void conv3s2_c16(__global const float *in, int C, int H, int W,
                          __global const float *wt, int pad_y, int pad_x,
                          __global float *out, int OC, int OH, int OW)
{
    int xb = get_global_id(0) * 4, oy = get_global_id(1), og = get_global_id(2);
    if (xb >= OW || oy >= OH)
        return;
    int iy0 = oy * 2 - pad_y, ix0 = xb * 2 - pad_x;
    int fast = ix0 >= 0 && ix0 + 9 <= W;
    int ky0 = max(0, -iy0), ky1 = min(3, H - iy0);
    float16 a0 = (float16)(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (int c = 0; c < C; c++) {
        __global const float *wc = wt + ((size_t)og * C + c) * 9 * 16;
        for (int ky = ky0; ky < ky1; ky++) {
            __global const float *row = in + ((size_t)c * H + iy0 + ky) * W;
            float buf[9];
            for (int i = 0; i < 9; i++)
                buf[i] = fast ? row[ix0 + i] : sc_at(row, ix0 + i, W);
            for (int kx = 0; kx < 3; kx++) {
                float16 w = vload16(ky * 3 + kx, wc);
                a0 = fma((float16)(buf[kx]), w, a0);
                a1 = fma((float16)(buf[kx + 2]), w, a1);
                a2 = fma((float16)(buf[kx + 4]), w, a2);
                a3 = fma((float16)(buf[kx + 6]), w, a3);
            }
        }
    }
    size_t plane = (size_t)OH * OW, o = (size_t)oy * OW + xb;
    sc_store_c16(out, og * 16, OC, plane, o, a0);
    if (xb + 1 < OW) sc_store_c16(out, og * 16, OC, plane, o + 1, a1);
    if (xb + 2 < OW) sc_store_c16(out, og * 16, OC, plane, o + 2, a2);
    if (xb + 3 < OW) sc_store_c16(out, og * 16, OC, plane, o + 3, a3);
}

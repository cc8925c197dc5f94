/* Direct 2-D correlation with zero padding (pad_y, pad_x before; the output
 * size says the rest) plus a bias, on planar activations (C x H x W).
 * Weights are packed on upload as [OC/OB][C][K][K][OB] for the kernel's
 * output-channel block OB; biases are zero-padded to a multiple of 16. */

/* Any window and stride, OB = 8, one pixel per work item: the reference
 * path for shapes without a specialized kernel. */
__kernel void conv2d(__global const float *in, int C, int H, int W,
                     __global const float *wt, int K, int S,
                     __global const float *bias, int pad_y, int pad_x,
                     __global float *out, int OC, int OH, int OW)
{
    int ox = get_global_id(0), oy = get_global_id(1), og = get_global_id(2);
    if (ox >= OW || oy >= OH)
        return;
    int by = oy * S - pad_y, bx = ox * S - pad_x;
    int ky0 = max(0, -by), ky1 = min(K, H - by);
    int kx0 = max(0, -bx), kx1 = min(K, W - bx);
    float8 acc = vload8(og, bias);
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

/* 9x9 stride 1. Accumulators are named variables, not private arrays: a
 * CPU compiler keeps those in vector registers, while arrays indexed in
 * loops may live on the stack and cost a load and a store per FMA.
 *
 * Row segments: the fast path reads 16-wide vectors straight from the
 * input; at the borders a private buffer holds the bounds-checked values. */
#define SC_ROW_SETUP(N)                                                             \
    __global const float *row = in + ((size_t)c * H + oy - pad_y + ky) * W;         \
    __global const float *src = row + x0;                                           \
    float buf[N + 16];                                                              \
    if (!fast)                                                                      \
        sc_row_fill(row, x0, W, N, buf);
/* A border row segment into buf: whole vectors where they lie inside the
 * row, bounds-checked values only for the vectors that straddle an edge. */
inline void sc_row_fill(__global const float *row, int x0, int W, int n, float *buf)
{
    for (int i = 0; i < n; i += 16) {
        int x = x0 + i;
        if (x >= 0 && x + 16 <= W) {
            vstore16(vload16(0, row + x), 0, buf + i);
        } else {
            for (int k = 0; k < 16; k++)
                buf[i + k] = sc_at(row, x + k, W);
        }
    }
}
#define SC_TAP(off) (fast ? vload16(0, src + (off)) : vload16(0, buf + (off)))

/* Stores a float16 of one channel's pixels xs.. of row oy (H x W output). */
inline void sc_store_row16(__global float *out, int ch, int OC, int H, int W, int oy,
                           int xs, float16 v)
{
    int n = min(16, W - xs);
    if (ch >= OC || n <= 0)
        return;
    __global float *op = out + (size_t)ch * H * W + (size_t)oy * W + xs;
    if (n == 16) {
        vstore16(v, 0, op);
        return;
    }
    float a[16];
    vstore16(v, 0, a);
    for (int i = 0; i < n; i++)
        op[i] = a[i];
}

/* Few input channels, many output channels (the first layer): 32 pixels
 * (two 16-wide taps) for 8 output channels per work item, so each weight,
 * broadcast straight from memory (no lane shuffles, which compete with
 * FMAs for the same port), serves two FMAs; weights [OC/8][C][9][9][8]. */
#define SC_B8_FMA(k) do {                         \
    float16 s_ = (float16)(w[k]);                 \
    a##k = fma(v, s_, a##k);                      \
    b##k = fma(u, s_, b##k);                      \
} while (0)
#define SC_B8_STORE(k) do {                                       \
    sc_store_row16(out, o + k, OC, OH, OW, oy, xb, a##k);         \
    sc_store_row16(out, o + k, OC, OH, OW, oy, xb + 16, b##k);    \
} while (0)
__kernel void conv9_x16_b8(__global const float *in, int C, int H, int W,
                           __global const float *wt, __global const float *bias,
                           int pad_y, int pad_x, __global float *out, int OC, int OH, int OW)
{
    int xb = get_global_id(0) * 32, oy = get_global_id(1), og = get_global_id(2);
    if (xb >= OW || oy >= OH)
        return;
    int x0 = xb - pad_x, fast = x0 >= 0 && x0 + 40 <= W;
    int ky0 = max(0, pad_y - oy), ky1 = min(9, H + pad_y - oy);
    __global const float *bp = bias + og * 8;
    float16 a0 = (float16)(bp[0]), a1 = (float16)(bp[1]), a2 = (float16)(bp[2]),
            a3 = (float16)(bp[3]), a4 = (float16)(bp[4]), a5 = (float16)(bp[5]),
            a6 = (float16)(bp[6]), a7 = (float16)(bp[7]);
    float16 b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5, b6 = a6, b7 = a7;
    for (int c = 0; c < C; c++) {
        __global const float *wc = wt + ((size_t)og * C + c) * 81 * 8;
        for (int ky = ky0; ky < ky1; ky++) {
            SC_ROW_SETUP(40)
            for (int kx = 0; kx < 9; kx++) {
                float16 v = SC_TAP(kx), u = SC_TAP(kx + 16);
                __global const float *w = wc + (ky * 9 + kx) * 8;
                SC_B8_FMA(0); SC_B8_FMA(1); SC_B8_FMA(2); SC_B8_FMA(3);
                SC_B8_FMA(4); SC_B8_FMA(5); SC_B8_FMA(6); SC_B8_FMA(7);
            }
        }
    }
    int o = og * 8;
    SC_B8_STORE(0); SC_B8_STORE(1); SC_B8_STORE(2); SC_B8_STORE(3);
    SC_B8_STORE(4); SC_B8_STORE(5); SC_B8_STORE(6); SC_B8_STORE(7);
}

/* Many input channels, three output channels (the last layer): 64 pixels
 * (four 16-wide blocks) for the 3 channels, so each weight serves 4 FMAs;
 * weights [1][C][9][9][3]. */
#define SC_FMA3(v, b) \
    r##b = fma(v, wr, r##b); g##b = fma(v, wg, g##b); u##b = fma(v, wb, u##b)
__kernel void conv9_x16_b3(__global const float *in, int C, int H, int W,
                           __global const float *wt, __global const float *bias,
                           int pad_y, int pad_x, __global float *out, int OC, int OH, int OW)
{
    int xb = get_global_id(0) * 64, oy = get_global_id(1);
    if (xb >= OW || oy >= OH)
        return;
    int x0 = xb - pad_x, fast = x0 >= 0 && x0 + 72 <= W;
    int ky0 = max(0, pad_y - oy), ky1 = min(9, H + pad_y - oy);
    float16 z = (float16)(bias[0]), y = (float16)(bias[1]), v = (float16)(bias[2]);
    float16 r0 = z, r1 = z, r2 = z, r3 = z, g0 = y, g1 = y, g2 = y, g3 = y;
    float16 u0 = v, u1 = v, u2 = v, u3 = v;
    for (int c = 0; c < C; c++) {
        __global const float *wc = wt + (size_t)c * 81 * 3;
        for (int ky = ky0; ky < ky1; ky++) {
            SC_ROW_SETUP(72)
            for (int kx = 0; kx < 9; kx++) {
                __global const float *w = wc + (ky * 9 + kx) * 3;
                float16 wr = (float16)(w[0]), wg = (float16)(w[1]), wb = (float16)(w[2]);
                float16 v0 = SC_TAP(kx), v1 = SC_TAP(kx + 16), v2 = SC_TAP(kx + 32),
                        v3 = SC_TAP(kx + 48);
                SC_FMA3(v0, 0);
                SC_FMA3(v1, 1);
                SC_FMA3(v2, 2);
                SC_FMA3(v3, 3);
            }
        }
    }
    sc_store_row16(out, 0, OC, OH, OW, oy, xb, r0);
    sc_store_row16(out, 0, OC, OH, OW, oy, xb + 16, r1);
    sc_store_row16(out, 0, OC, OH, OW, oy, xb + 32, r2);
    sc_store_row16(out, 0, OC, OH, OW, oy, xb + 48, r3);
    sc_store_row16(out, 1, OC, OH, OW, oy, xb, g0);
    sc_store_row16(out, 1, OC, OH, OW, oy, xb + 16, g1);
    sc_store_row16(out, 1, OC, OH, OW, oy, xb + 32, g2);
    sc_store_row16(out, 1, OC, OH, OW, oy, xb + 48, g3);
    sc_store_row16(out, 2, OC, OH, OW, oy, xb, u0);
    sc_store_row16(out, 2, OC, OH, OW, oy, xb + 16, u1);
    sc_store_row16(out, 2, OC, OH, OW, oy, xb + 32, u2);
    sc_store_row16(out, 2, OC, OH, OW, oy, xb + 48, u3);
}

/* 3x3 stride 2: a work item makes 16 neighbouring output pixels (vector
 * lanes) for 16 output channels. Per input row it loads 34 values as four
 * vectors and deinterleaves them into the three taps' stride-2 pixel
 * vectors; each tap then takes 16 broadcast weights and 16 FMAs, and each
 * channel's result is one 16-wide store. Weights [OC/16][C][3][3][16]. */
#define SC_S2_FMA(v, wp, k) a##k = fma(v, (float16)((wp)[k]), a##k)
#define SC_S2_TAP(v, wp) do {                                                      \
    SC_S2_FMA(v, wp, 0); SC_S2_FMA(v, wp, 1); SC_S2_FMA(v, wp, 2);                \
    SC_S2_FMA(v, wp, 3); SC_S2_FMA(v, wp, 4); SC_S2_FMA(v, wp, 5);                \
    SC_S2_FMA(v, wp, 6); SC_S2_FMA(v, wp, 7); SC_S2_FMA(v, wp, 8);                \
    SC_S2_FMA(v, wp, 9); SC_S2_FMA(v, wp, 10); SC_S2_FMA(v, wp, 11);              \
    SC_S2_FMA(v, wp, 12); SC_S2_FMA(v, wp, 13); SC_S2_FMA(v, wp, 14);             \
    SC_S2_FMA(v, wp, 15);                                                          \
} while (0)
#define SC_S2_STORE(k) sc_store_row16(out, o + k, OC, OH, OW, oy, xb, a##k)
__kernel void conv3s2_c16(__global const float *in, int C, int H, int W,
                          __global const float *wt, __global const float *bias,
                          int pad_y, int pad_x,
                          __global float *out, int OC, int OH, int OW)
{
    int xb = get_global_id(1) * 16, oy = get_global_id(2), og = get_global_id(0);
    if (xb >= OW || oy >= OH)
        return;
    int iy0 = oy * 2 - pad_y, x0 = xb * 2 - pad_x;
    int fast = x0 >= 0 && x0 + 34 <= W;
    int ky0 = max(0, -iy0), ky1 = min(3, H - iy0);
    __global const float *bp = bias + og * 16;
    float16 a0 = (float16)(bp[0]), a1 = (float16)(bp[1]), a2 = (float16)(bp[2]),
            a3 = (float16)(bp[3]), a4 = (float16)(bp[4]), a5 = (float16)(bp[5]),
            a6 = (float16)(bp[6]), a7 = (float16)(bp[7]), a8 = (float16)(bp[8]),
            a9 = (float16)(bp[9]), a10 = (float16)(bp[10]), a11 = (float16)(bp[11]),
            a12 = (float16)(bp[12]), a13 = (float16)(bp[13]), a14 = (float16)(bp[14]),
            a15 = (float16)(bp[15]);
    for (int c = 0; c < C; c++) {
        __global const float *wc = wt + ((size_t)og * C + c) * 9 * 16;
        for (int ky = ky0; ky < ky1; ky++) {
            __global const float *row = in + ((size_t)c * H + iy0 + ky) * W;
            float16 l0, l1, l2, l3;
            if (fast) {
                l0 = vload16(0, row + x0);
                l1 = vload16(0, row + x0 + 16);
                l2 = vload16(0, row + x0 + 2);
                l3 = vload16(0, row + x0 + 18);
            } else {
                float buf[48];
                sc_row_fill(row, x0, W, 34, buf);
                l0 = vload16(0, buf);
                l1 = vload16(0, buf + 16);
                l2 = vload16(0, buf + 2);
                l3 = vload16(0, buf + 18);
            }
            float16 t0 = (float16)(l0.even, l1.even), t1 = (float16)(l0.odd, l1.odd),
                    t2 = (float16)(l2.even, l3.even);
            __global const float *w = wc + ky * 48;
            SC_S2_TAP(t0, w);
            SC_S2_TAP(t1, w + 16);
            SC_S2_TAP(t2, w + 32);
        }
    }
    int o = og * 16;
    SC_S2_STORE(0); SC_S2_STORE(1); SC_S2_STORE(2); SC_S2_STORE(3);
    SC_S2_STORE(4); SC_S2_STORE(5); SC_S2_STORE(6); SC_S2_STORE(7);
    SC_S2_STORE(8); SC_S2_STORE(9); SC_S2_STORE(10); SC_S2_STORE(11);
    SC_S2_STORE(12); SC_S2_STORE(13); SC_S2_STORE(14); SC_S2_STORE(15);
}

/* Grouped (and depthwise) convolution, one output value per work item;
 * weights unpacked [K][K][C/G][OC]. */
__kernel void conv_grouped(__global const float *in, int C, int H, int W,
                           __global const float *wt, __global const float *bias,
                           int K, int S, int G, int pad_y, int pad_x,
                           __global float *out, int OC, int OH, int OW)
{
    int ox = get_global_id(0), oy = get_global_id(1), o = get_global_id(2);
    if (ox >= OW || oy >= OH)
        return;
    int cg = C / G, c0 = o / (OC / G) * cg;
    int by = oy * S - pad_y, bx = ox * S - pad_x;
    float acc = bias[o];
    for (int ci = 0; ci < cg; ci++)
        for (int ky = max(0, -by); ky < min(K, H - by); ky++)
            for (int kx = max(0, -bx); kx < min(K, W - bx); kx++)
                acc = fma(in[((size_t)(c0 + ci) * H + by + ky) * W + bx + kx],
                          wt[((size_t)(ky * K + kx) * cg + ci) * OC + o], acc);
    out[((size_t)o * OH + oy) * OW + ox] = acc;
}

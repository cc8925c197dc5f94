/* Transposed 3x3 stride-2 convolution, output exactly 2H x 2W: the adjoint
 * of a stride-2 SAME convolution from 2H x 2W to H x W (padding before 0),
 * out[Y] += in[i] * w[k] where Y = 2i + k. Split by output phase, each is
 * a small convolution on the input grid:
 *   out(2i,   2j)   = in(i,j) w00 + in(i-1,j) w20 + in(i,j-1) w02 + in(i-1,j-1) w22
 *   out(2i,   2j+1) = in(i,j) w01 + in(i-1,j) w21
 *   out(2i+1, 2j)   = in(i,j) w10 + in(i,j-1) w12
 *   out(2i+1, 2j+1) = in(i,j) w11
 * A work item takes 16 input pixels of row i (vector lanes) for 4 output
 * channels: per input channel four row loads feed 36 FMAs with broadcast
 * weights, and 16 accumulators stay in registers. Weights are packed as
 * [OC/16][C][3][3][16] from TensorFlow's [kh][kw][out][in]; the item reads
 * its 4 of the 16. */
#define DC_W(t, k) ((float16)(w[(t) * 16 + (k)]))
#define DC_FMA(k) do {                                                              \
    p##k = fma(m, DC_W(0, k), fma(um, DC_W(6, k), fma(l, DC_W(2, k),                \
           fma(ul, DC_W(8, k), p##k))));                                            \
    r##k = fma(m, DC_W(1, k), fma(um, DC_W(7, k), r##k));                           \
    s##k = fma(m, DC_W(3, k), fma(l, DC_W(5, k), s##k));                            \
    t##k = fma(m, DC_W(4, k), t##k);                                                \
} while (0)

/* Interleaves a (even columns) and b (odd) into 2n values of one row. */
inline void dc_store_row(__global float *dst, int n, float16 a, float16 b)
{
    float16 lo = shuffle2(a, b, (uint16)(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21,
                                         6, 22, 7, 23));
    float16 hi = shuffle2(a, b, (uint16)(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29,
                                         14, 30, 15, 31));
    if (n == 16) {
        vstore16(lo, 0, dst);
        vstore16(hi, 0, dst + 16);
        return;
    }
    float tmp[32];
    vstore16(lo, 0, tmp);
    vstore16(hi, 0, tmp + 16);
    for (int x = 0; x < 2 * n; x++)
        dst[x] = tmp[x];
}

#define DC_STORE(k) do {                                                            \
    if (o + (k) < OC) {                                                             \
        __global float *d = out + (size_t)(o + (k)) * plane + (size_t)(2 * i) * OW + 2 * j0; \
        dc_store_row(d, n, p##k, r##k);                                             \
        dc_store_row(d + OW, n, s##k, t##k);                                        \
    }                                                                               \
} while (0)

__kernel void deconv2x(__global const float *in, int C, int H, int W,
                       __global const float *wt, __global const float *bias,
                       __global float *out, int OC)
{
    int q = get_global_id(0), j0 = get_global_id(1) * 16, i = get_global_id(2);
    if (j0 >= W || i >= H)
        return;
    int og = q >> 2, sub = (q & 3) * 4, o = og * 16 + sub;
    int fast = i > 0 && j0 >= 1 && j0 + 16 <= W, left = j0 == 0 && 16 <= W;
    __global const float *bp = bias + o;
    float16 p0 = (float16)(bp[0]), p1 = (float16)(bp[1]), p2 = (float16)(bp[2]),
            p3 = (float16)(bp[3]);
    float16 r0 = p0, r1 = p1, r2 = p2, r3 = p3, s0 = p0, s1 = p1, s2 = p2, s3 = p3;
    float16 t0 = p0, t1 = p1, t2 = p2, t3 = p3;
    for (int c = 0; c < C; c++) {
        __global const float *row = in + ((size_t)c * H + i) * W;
        float16 m, l, um, ul;
        if (fast) {
            m = vload16(0, row + j0);
            l = vload16(0, row + j0 - 1);
            um = vload16(0, row - W + j0);
            ul = vload16(0, row - W + j0 - 1);
        } else if (left) {   /* the row's first 16: the left neighbour of 0 is 0 */
            uint16 sh = (uint16)(15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
            m = vload16(0, row);
            um = i > 0 ? vload16(0, row - W) : (float16)(0.0f);
            l = shuffle2((float16)(0.0f), m, sh);
            ul = shuffle2((float16)(0.0f), um, sh);
        } else {
            float b0[17], b1[17];
            for (int x = 0; x < 17; x++) {
                b0[x] = sc_at(row, j0 - 1 + x, W);
                b1[x] = i > 0 ? sc_at(row - W, j0 - 1 + x, W) : 0.0f;
            }
            l = vload16(0, b0);
            m = vload16(0, b0 + 1);
            ul = vload16(0, b1);
            um = vload16(0, b1 + 1);
        }
        __global const float *w = wt + ((size_t)og * C + c) * 9 * 16 + sub;
        DC_FMA(0); DC_FMA(1); DC_FMA(2); DC_FMA(3);
    }
    int OW = 2 * W, n = min(16, W - j0);
    size_t plane = (size_t)4 * H * W;
    DC_STORE(0); DC_STORE(1); DC_STORE(2); DC_STORE(3);
}

/* Any transposed convolution (ONNX ConvTranspose, group 1): out(Y, X) sums
 * in(i, j) * w(ky, kx) over Y + pad_y = i*S + ky, X + pad_x = j*S + kx; one
 * output pixel for 16 output channels a work item, weights as deconv2x. */
__kernel void deconv_any(__global const float *in, int C, int H, int W,
                         __global const float *wt, __global const float *bias,
                         int K, int S, int pad_y, int pad_x,
                         __global float *out, int OC, int OH, int OW)
{
    int ox = get_global_id(0), oy = get_global_id(1), og = get_global_id(2);
    if (ox >= OW || oy >= OH)
        return;
    int ty = oy + pad_y, tx = ox + pad_x;
    float16 acc = vload16(og, bias);
    for (int ky = ty % S; ky < K; ky += S) {
        int iy = (ty - ky) / S;
        if (ty < ky || iy >= H)
            continue;
        for (int kx = tx % S; kx < K; kx += S) {
            int ix = (tx - kx) / S;
            if (tx < kx || ix >= W)
                continue;
            for (int c = 0; c < C; c++)
                acc = fma((float16)(in[((size_t)c * H + iy) * W + ix]),
                          vload16(ky * K + kx, wt + ((size_t)og * C + c) * K * K * 16), acc);
        }
    }
    sc_store_c16(out, og * 16, OC, (size_t)OH * OW, (size_t)oy * OW + ox, acc);
}

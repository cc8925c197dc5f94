/* Transposed 3x3 stride-2 convolution, output exactly 2H x 2W: the adjoint
 * of a stride-2 SAME convolution from 2H x 2W to H x W (padding before 0),
 * out[Y] += in[i] * w[k] where Y = 2i + k. A work item takes input pixels
 * (i, j) and (i, j+1) and makes their two 2x2 output blocks for 16 output
 * channels: out(2i,2j) takes taps (0,0) (2,0) (0,2) (2,2) from in(i,j),
 * in(i-1,j), in(i,j-1), in(i-1,j-1); out(2i,2j+1) taps (0,1) (2,1);
 * out(2i+1,2j) taps (1,0) (1,2); out(2i+1,2j+1) tap (1,1).
 * Weights packed as [OC/16][C][3][3][16] from TensorFlow's [kh][kw][out][in]. */
__kernel void deconv2x(__global const float *in, int C, int H, int W,
                       __global const float *wt, __global const float *bias,
                       __global float *out, int OC)
{
    int j = get_global_id(0) * 2, i = get_global_id(1), og = get_global_id(2);
    if (j >= W || i >= H)
        return;
    float16 z = vload16(og, bias);
    float16 p00 = z, p01 = z, p10 = z, p11 = z, q00 = z, q01 = z, q10 = z, q11 = z;
    for (int c = 0; c < C; c++) {
        __global const float *ip = in + (size_t)c * H * W;
        __global const float *r0 = ip + (size_t)i * W, *ru = r0 - W;
        /* in(i, j-1 .. j+1) and in(i-1, j-1 .. j+1), zero outside. */
        float l = sc_at(r0, j - 1, W), m = r0[j], r = sc_at(r0, j + 1, W);
        float ul = 0.0f, um = 0.0f, ur = 0.0f;
        if (i > 0) {
            ul = sc_at(ru, j - 1, W);
            um = ru[j];
            ur = sc_at(ru, j + 1, W);
        }
        __global const float *w = wt + ((size_t)og * C + c) * 9 * 16;
        float16 w00 = vload16(0, w), w01 = vload16(1, w), w02 = vload16(2, w);
        float16 w10 = vload16(3, w), w11 = vload16(4, w), w12 = vload16(5, w);
        float16 w20 = vload16(6, w), w21 = vload16(7, w), w22 = vload16(8, w);
        /* block at (i, j) */
        p00 = fma((float16)(m), w00, fma((float16)(um), w20,
              fma((float16)(l), w02, fma((float16)(ul), w22, p00))));
        p01 = fma((float16)(m), w01, fma((float16)(um), w21, p01));
        p10 = fma((float16)(m), w10, fma((float16)(l), w12, p10));
        p11 = fma((float16)(m), w11, p11);
        /* block at (i, j+1): its left neighbour is in(i, j) */
        q00 = fma((float16)(r), w00, fma((float16)(ur), w20,
              fma((float16)(m), w02, fma((float16)(um), w22, q00))));
        q01 = fma((float16)(r), w01, fma((float16)(ur), w21, q01));
        q10 = fma((float16)(r), w10, fma((float16)(m), w12, q10));
        q11 = fma((float16)(r), w11, q11);
    }
    int OW = 2 * W;
    size_t plane = (size_t)4 * H * W, o = (size_t)(2 * i) * OW + 2 * j;
    int oc0 = og * 16;
    sc_store_c16(out, oc0, OC, plane, o, p00);
    sc_store_c16(out, oc0, OC, plane, o + 1, p01);
    sc_store_c16(out, oc0, OC, plane, o + OW, p10);
    sc_store_c16(out, oc0, OC, plane, o + OW + 1, p11);
    if (j + 1 < W) {
        sc_store_c16(out, oc0, OC, plane, o + 2, q00);
        sc_store_c16(out, oc0, OC, plane, o + 3, q01);
        sc_store_c16(out, oc0, OC, plane, o + OW + 2, q10);
        sc_store_c16(out, oc0, OC, plane, o + OW + 3, q11);
    }
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

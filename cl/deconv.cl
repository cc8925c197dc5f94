/* Transposed 3x3 stride-2 convolution, output exactly 2H x 2W: the adjoint
 * of a stride-2 SAME convolution from 2H x 2W to H x W (whose padding
 * before is 0), written as a gather: out[Y] += in[i] * w[k] where Y = 2i + k.
 * Weights packed as [OC/OCB][C][3][3][OCB] from TensorFlow's [kh][kw][out][in]. */
__kernel void deconv2x(__global const float *in, int C, int H, int W,
                       __global const float4 *wt,
                       __global float *out, int OC)
{
    int ox = get_global_id(0), oy = get_global_id(1), og = get_global_id(2);
    int OH = 2 * H, OW = 2 * W;
    if (ox >= OW || oy >= OH)
        return;
    /* Taps that land on this output: k with the same parity as the position. */
    int ky_first = oy & 1, kx_first = ox & 1;
    float4 acc = (float4)(0.0f);
    for (int c = 0; c < C; c++) {
        __global const float *ip = in + (size_t)c * H * W;
        __global const float4 *wp = wt + ((size_t)og * C + c) * 9;
        for (int ky = ky_first; ky < 3; ky += 2) {
            int iy = (oy - ky) >> 1;
            if (oy - ky < 0 || iy >= H)
                continue;
            for (int kx = kx_first; kx < 3; kx += 2) {
                int ix = (ox - kx) >> 1;
                if (ox - kx < 0 || ix >= W)
                    continue;
                acc = fma((float4)(ip[iy * W + ix]), wp[ky * 3 + kx], acc);
            }
        }
    }
    size_t plane = (size_t)OH * OW, o = (size_t)oy * OW + ox;
    int oc = og * OCB;
    out[oc * plane + o] = acc.x;
    if (oc + 1 < OC) out[(oc + 1) * plane + o] = acc.y;
    if (oc + 2 < OC) out[(oc + 2) * plane + o] = acc.z;
    if (oc + 3 < OC) out[(oc + 3) * plane + o] = acc.w;
}

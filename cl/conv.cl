/* Direct 2-D correlation with TensorFlow SAME zero padding, no bias.
 * Activations are planar (C x H x W). Weights are packed on upload as
 * [OC/OCB][C][K][K][OCB] so one float4 load feeds four output channels. */
__kernel void conv2d(__global const float *in, int C, int H, int W,
                     __global const float4 *wt, int K, int S,
                     int pad_y, int pad_x,
                     __global float *out, int OC, int OH, int OW)
{
    int ox = get_global_id(0), oy = get_global_id(1), og = get_global_id(2);
    if (ox >= OW || oy >= OH)
        return;
    int iy0 = oy * S - pad_y, ix0 = ox * S - pad_x;
    /* Clip the window once so the inner loops carry no bounds tests. */
    int ky0 = max(0, -iy0), ky1 = min(K, H - iy0);
    int kx0 = max(0, -ix0), kx1 = min(K, W - ix0);
    float4 acc = (float4)(0.0f);
    for (int c = 0; c < C; c++) {
        __global const float *ip = in + (size_t)c * H * W + (size_t)iy0 * W + ix0;
        __global const float4 *wp = wt + ((size_t)og * C + c) * K * K;
        for (int ky = ky0; ky < ky1; ky++)
            for (int kx = kx0; kx < kx1; kx++)
                acc = fma((float4)(ip[ky * W + kx]), wp[ky * K + kx], acc);
    }
    size_t plane = (size_t)OH * OW, o = (size_t)oy * OW + ox;
    int oc = og * OCB;
    out[oc * plane + o] = acc.x;
    if (oc + 1 < OC) out[(oc + 1) * plane + o] = acc.y;
    if (oc + 2 < OC) out[(oc + 2) * plane + o] = acc.z;
    if (oc + 3 < OC) out[(oc + 3) * plane + o] = acc.w;
}

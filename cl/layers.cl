/* The cheap layers: element-wise activations and per-channel affine maps,
 * additions, padding and cropping, nearest upsampling. Planar C x H x W. */

/* y = act(x) * scale[c] + shift[c] (scale NULL: no affine); y may be x.
 * act: 0 none, 1 relu, 2 tanh, 3 sigmoid, 4 clip to [lo, hi], 5 leaky relu
 * (slope lo below zero). */
__kernel void pointwise(__global const float *x, __global float *y, int HW, int act,
                        float lo, float hi, __global const float *scale,
                        __global const float *shift)
{
    int i = get_global_id(0), c = get_global_id(1);
    if (i >= HW)
        return;
    size_t o = (size_t)c * HW + i;
    float v = x[o];
    if (act == 1)
        v = fmax(v, 0.0f);
    else if (act == 2)
        v = tanh(v);
    else if (act == 3)
        v = 1.0f / (1.0f + exp(-v));
    else if (act == 4)
        v = clamp(v, lo, hi);
    else if (act == 5)
        v = v < 0.0f ? v * lo : v;
    if (scale)
        v = fma(v, scale[c], shift[c]);
    y[o] = v;
}

__kernel void add2(__global const float *a, __global const float *b, __global float *y,
                   int N)
{
    int i = get_global_id(0);
    if (i < N)
        y[i] = a[i] + b[i];
}

/* Mirror index into 0..n-1 (reflect excludes the edge, as ONNX and PyTorch). */
inline int sc_reflect(int i, int n)
{
    if (n == 1)
        return 0;
    int p = 2 * (n - 1);
    i = i % p;
    if (i < 0)
        i += p;
    return i < n ? i : p - i;
}

/* out(y, x) = in(y - top, x - left): negative top/left crop; outside the
 * input zero (mode 0), reflect (1) or the nearest edge value (2). */
__kernel void pad2d(__global const float *in, int H, int W, int top, int left, int mode,
                    __global float *out, int OH, int OW)
{
    int x = get_global_id(0), y = get_global_id(1), c = get_global_id(2);
    if (x >= OW || y >= OH)
        return;
    int iy = y - top, ix = x - left;
    float v = 0.0f;
    if (mode == 1)
        v = in[((size_t)c * H + sc_reflect(iy, H)) * W + sc_reflect(ix, W)];
    else if (mode == 2)
        v = in[((size_t)c * H + clamp(iy, 0, H - 1)) * W + clamp(ix, 0, W - 1)];
    else if (iy >= 0 && iy < H && ix >= 0 && ix < W)
        v = in[((size_t)c * H + iy) * W + ix];
    out[((size_t)c * OH + y) * OW + x] = v;
}

__kernel void upsample_nearest(__global const float *in, int H, int W, int F,
                               __global float *out)
{
    int x = get_global_id(0), y = get_global_id(1), c = get_global_id(2);
    int OW = W * F, OH = H * F;
    if (x >= OW || y >= OH)
        return;
    out[((size_t)c * OH + y) * OW + x] = in[((size_t)c * H + y / F) * W + x / F];
}

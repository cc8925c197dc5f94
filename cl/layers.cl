/* The cheap layers: element-wise activations and per-channel affine maps,
 * additions, padding and cropping, nearest upsampling. Planar C x H x W. */

/* act on 8 values: 0 none, 1 relu, 2 tanh, 3 sigmoid, 4 clip to [lo, hi],
 * 5 leaky relu (slope lo below zero). */
inline float8 sc_act8(float8 v, int act, float lo, float hi)
{
    if (act == 1)
        return fmax(v, 0.0f);
    if (act == 2)
        return tanh(v);
    if (act == 3)
        return 1.0f / (1.0f + exp(-v));
    if (act == 4)
        return clamp(v, lo, hi);
    if (act == 5)
        return select(v, v * lo, v < 0.0f);
    return v;
}

/* y = act(x) * scale[c] + shift[c] (scale NULL: no affine); y may be x.
 * 8 values a work item (one each costs more in scheduling on CPU drivers). */
__kernel void pointwise(__global const float *x, __global float *y, int HW, int act,
                        float lo, float hi, __global const float *scale,
                        __global const float *shift)
{
    int i = get_global_id(0) * 8, c = get_global_id(1);
    if (i >= HW)
        return;
    size_t o = (size_t)c * HW + i;
    int n = min(8, HW - i);
    float8 v = (float8)(0.0f);
    if (n == 8) {
        v = vload8(0, x + o);
    } else {
        for (int k = 0; k < n; k++)
            ((float *)&v)[k] = x[o + k];
    }
    v = sc_act8(v, act, lo, hi);
    if (scale)
        v = fma(v, (float8)(scale[c]), (float8)(shift[c]));
    if (n == 8) {
        vstore8(v, 0, y + o);
        return;
    }
    for (int k = 0; k < n; k++)
        y[o + k] = ((float *)&v)[k];
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

/* Input index for output index i along a side of n (-1: zero). */
inline int sc_border(int i, int n, int mode)
{
    if (i >= 0 && i < n)
        return i;
    return mode == 1 ? sc_reflect(i, n) : mode == 2 ? clamp(i, 0, n - 1) : -1;
}

/* out(y, x) = in(y - top, x - left): negative top/left crop; outside the
 * input zero (mode 0), reflect (1) or the nearest edge value (2). A work
 * item makes 8 pixels of a row: the row's source once, and the interior as
 * one vector copy (the per-pixel border arithmetic is what costs here). */
__kernel void pad2d(__global const float *in, int H, int W, int top, int left, int mode,
                    __global float *out, int OH, int OW)
{
    int x0 = get_global_id(0) * 8, y = get_global_id(1), c = get_global_id(2);
    if (x0 >= OW || y >= OH)
        return;
    int iy = sc_border(y - top, H, mode), ix0 = x0 - left;
    __global float *o = out + ((size_t)c * OH + y) * OW + x0;
    __global const float *row = in + ((size_t)c * H + (iy < 0 ? 0 : iy)) * W;
    if (iy >= 0 && x0 + 8 <= OW && ix0 >= 0 && ix0 + 8 <= W) {
        vstore8(vload8(0, row + ix0), 0, o);
        return;
    }
    for (int k = 0; k < 8 && x0 + k < OW; k++) {
        int ix = sc_border(ix0 + k, W, mode);
        o[k] = iy < 0 || ix < 0 ? 0.0f : row[ix];
    }
}

/* A work item makes 8 pixels of an output row (a per-pixel work item costs
 * more in scheduling than the copy itself on CPU drivers). */
__kernel void upsample_nearest(__global const float *in, int H, int W, int F,
                               __global float *out)
{
    int x0 = get_global_id(0) * 8, y = get_global_id(1), c = get_global_id(2);
    int OW = W * F, OH = H * F;
    if (x0 >= OW || y >= OH)
        return;
    __global const float *row = in + ((size_t)c * H + y / F) * W;
    __global float *o = out + ((size_t)c * OH + y) * OW + x0;
    if (F == 2 && x0 + 8 <= OW) {
        float4 v = vload4(0, row + x0 / 2);
        vstore8((float8)(v.s0, v.s0, v.s1, v.s1, v.s2, v.s2, v.s3, v.s3), 0, o);
        return;
    }
    for (int k = 0; k < 8 && x0 + k < OW; k++)
        o[k] = row[(x0 + k) / F];
}

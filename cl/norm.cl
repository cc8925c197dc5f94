/* Instance normalization: per channel over H x W, biased variance, eps 1e-3.
 * Stats run one work-group per channel; two passes (mean, then squared
 * deviations) keep float32 accurate on large planes. */
inline float sc_group_sum(float v, __local float *scratch)
{
    int lid = get_local_id(0), n = get_local_size(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = n / 2; s > 0; s >>= 1) {
        if (lid < s)
            scratch[lid] += scratch[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

/* stats[c] = (mean, 1/sqrt(var + 0.001)); local size must be a power of two. */
__kernel void norm_stats(__global const float *x, int HW,
                         __global float2 *stats, __local float *scratch)
{
    int c = get_group_id(0), lid = get_local_id(0), n = get_local_size(0);
    __global const float *p = x + (size_t)c * HW;
    float s = 0.0f;
    for (int i = lid; i < HW; i += n)
        s += p[i];
    float mean = sc_group_sum(s, scratch) / (float)HW;
    float v = 0.0f;
    for (int i = lid; i < HW; i += n) {
        float d = p[i] - mean;
        v = fma(d, d, v);
    }
    float var = sc_group_sum(v, scratch) / (float)HW;
    if (lid == 0)
        stats[c] = (float2)(mean, 1.0f / sqrt(var + 0.001f));
}

/* y = scale*(x-mean)*rstd + shift, then optionally relu, then optionally
 * + residual; in place. flags: bit 0 relu, bit 1 residual. */
__kernel void norm_apply(__global float *x, int HW,
                         __global const float2 *stats,
                         __global const float *shift, __global const float *scale,
                         int flags, __global const float *residual)
{
    int i = get_global_id(0), c = get_global_id(1);
    if (i >= HW)
        return;
    size_t o = (size_t)c * HW + i;
    float2 st = stats[c];
    float y = fma(scale[c] * st.y, x[o] - st.x, shift[c]);
    if (flags & 1)
        y = fmax(y, 0.0f);
    if (flags & 2)
        y += residual[o];
    x[o] = y;
}

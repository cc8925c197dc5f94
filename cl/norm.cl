/* Instance normalization: per channel over H x W, biased variance.
 * Stats run one work-group per channel, each work item summing a contiguous
 * chunk with 16-wide loads; two passes (mean, then squared deviations) keep
 * float32 accurate on large planes. */
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

inline float sc_hsum16(float16 v)
{
    float8 a = v.lo + v.hi;
    float4 b = a.lo + a.hi;
    float2 c = b.lo + b.hi;
    return c.x + c.y;
}

/* stats[c] = (mean, 1/sqrt(var + eps)); local size must be a power of two. */
__kernel void norm_stats(__global const float *x, int HW, float eps,
                         __global float2 *stats, __local float *scratch)
{
    int c = get_group_id(0), lid = get_local_id(0), n = get_local_size(0);
    /* This work item's chunk: a multiple of 16 long, the last one shorter. */
    int chunk = ((HW + n - 1) / n + 15) & ~15;
    int b = min(lid * chunk, HW), e = min(b + chunk, HW);
    int e16 = b + (e - b) / 16 * 16;
    __global const float *p = x + (size_t)c * HW;
    float16 s16 = (float16)(0.0f);
    for (int i = b; i < e16; i += 16)
        s16 += vload16(0, p + i);
    float s = sc_hsum16(s16);
    for (int i = e16; i < e; i++)
        s += p[i];
    float mean = sc_group_sum(s, scratch) / (float)HW;
    float16 v16 = (float16)(0.0f);
    for (int i = b; i < e16; i += 16) {
        float16 d = vload16(0, p + i) - mean;
        v16 = fma(d, d, v16);
    }
    float v = sc_hsum16(v16);
    for (int i = e16; i < e; i++) {
        float d = p[i] - mean;
        v = fma(d, d, v);
    }
    float var = sc_group_sum(v, scratch) / (float)HW;
    if (lid == 0)
        stats[c] = (float2)(mean, 1.0f / sqrt(var + eps));
}

/* y = scale*(x-mean)*rstd + shift, then optionally relu, then optionally
 * + residual; y may be x; 16 values a work item. flags: bit 0 relu, bit 1
 * residual. */
__kernel void norm_apply(__global const float *x, __global float *out, int HW,
                         __global const float2 *stats,
                         __global const float *shift, __global const float *scale,
                         int flags, __global const float *residual)
{
    int i = get_global_id(0) * 16, c = get_global_id(1);
    if (i >= HW)
        return;
    float2 st = stats[c];
    /* a*(x-mean)+shift, not x*a + (shift-a*mean): the latter cancels badly. */
    float a = scale[c] * st.y, m = st.x, b = shift[c];
    size_t o = (size_t)c * HW + i;
    if (i + 16 <= HW) {
        float16 y = fma(vload16(0, x + o) - m, (float16)(a), (float16)(b));
        if (flags & 1)
            y = fmax(y, 0.0f);
        if (flags & 2)
            y += vload16(0, residual + o);
        vstore16(y, 0, out + o);
        return;
    }
    for (int k = 0; k < HW - i; k++) {
        float y = fma(x[o + k] - m, a, b);
        if (flags & 1)
            y = fmax(y, 0.0f);
        if (flags & 2)
            y += residual[o + k];
        out[o + k] = y;
    }
}

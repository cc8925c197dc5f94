/* The device's multiply-add peak, for stylecam bench's per-layer "% of peak":
 * each work item runs 8 independent chains of fused multiply-adds on float
 * vectors, so no chain waits on another and only the FMA units limit the
 * rate. Three widths, since devices differ in which one fills their units
 * (AVX-512 CPUs want 16 lanes per work item, GPUs are scalar per lane); the
 * host takes the fastest. Every lane's result is stored so nothing is optimized out. */
#define FMA_PEAK(NAME, T, VW)                                                   \
__kernel void NAME(__global float *out, float a, float b, int n)                \
{                                                                               \
    size_t g = get_global_id(0);                                                \
    T x0 = (T)((float)(g & 255) * 1e-3f), x1 = x0 + (T)(0.1f), x2 = x0 + (T)(0.2f); \
    T x3 = x0 + (T)(0.3f), x4 = x0 + (T)(0.4f), x5 = x0 + (T)(0.5f);            \
    T x6 = x0 + (T)(0.6f), x7 = x0 + (T)(0.7f);                                 \
    T va = (T)(a), vb = (T)(b);                                                 \
    for (int i = 0; i < n; i++) {                                               \
        x0 = fma(x0, va, vb); x1 = fma(x1, va, vb);                             \
        x2 = fma(x2, va, vb); x3 = fma(x3, va, vb);                             \
        x4 = fma(x4, va, vb); x5 = fma(x5, va, vb);                             \
        x6 = fma(x6, va, vb); x7 = fma(x7, va, vb);                             \
    }                                                                           \
    T s = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));                    \
    vstore##VW(s, g, out);                                                      \
}

FMA_PEAK(fma_peak4, float4, 4)
FMA_PEAK(fma_peak8, float8, 8)
FMA_PEAK(fma_peak16, float16, 16)

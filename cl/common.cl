/* Shared definitions for every kernel file (they build as one program).
 *
 * Vectorization is explicit: a work item computes a short vector of
 * outputs (16 pixels along x, or 16 output channels) with OpenCL vector
 * types, so CPU drivers such as PoCL emit SIMD code without having to
 * vectorize across work items, and GPUs get enough work per item. */

/* The network's output (0..range) -> 0..255, mul = 255/range. */
inline float sc_out_value(float x, float mul)
{
    return clamp(x * mul, 0.0f, 255.0f);
}

/* In-bounds element of a row or 0: for border work items. */
inline float sc_at(__global const float *row, int x, int W)
{
    return x >= 0 && x < W ? row[x] : 0.0f;
}

/* Stores a float16 of channels oc0..oc0+15 at one pixel (planar). */
inline void sc_store_c16(__global float *out, int oc0, int OC, size_t plane, size_t o,
                         float16 v)
{
    float a[16];
    vstore16(v, 0, a);
    for (int j = 0; j < 16 && oc0 + j < OC; j++)
        out[(oc0 + j) * plane + o] = a[j];
}

/* Conversions between 8-bit packed RGB frames and planar float activations. */

/* Packed RGB (row stride W*3) -> planar floats 0..255*mul in RGB or BGR
 * order; mirror flips x. */
__kernel void rgb8_to_planar(__global const uchar *in, int W, int H, int mirror, int bgr,
                             float mul, __global float *x)
{
    int px = get_global_id(0), py = get_global_id(1);
    if (px >= W || py >= H)
        return;
    int sx = mirror ? W - 1 - px : px;
    __global const uchar *p = in + ((size_t)py * W + sx) * 3;
    size_t plane = (size_t)W * H, o = (size_t)py * W + px;
    x[o] = p[bgr ? 2 : 0] * mul;
    x[plane + o] = p[1] * mul;
    x[2 * plane + o] = p[bgr ? 0 : 2] * mul;
}

inline float3 sc_rgb_to_ycc(float3 c)
{
    float y = 0.299f * c.x + 0.587f * c.y + 0.114f * c.z;
    return (float3)(y, 0.564f * (c.z - y), 0.713f * (c.x - y));
}

inline float3 sc_ycc_to_rgb(float3 v)
{
    float r = v.x + 1.403f * v.z;
    float b = v.x + 1.773f * v.y;
    float g = (v.x - 0.299f * r - 0.114f * b) / 0.587f;
    return (float3)(r, g, b);
}

/* Network output (planar pre-activation, OW x OH, first W x H used) ->
 * packed RGB. keep_colors: stylized luminance with the original's chroma;
 * strength blends stylized over original (1 = fully stylized). */
__kernel void planar_to_rgb8(__global const float *x, int OW, int OH,
                             __global const uchar *orig, int W, int H,
                             int mirror, float strength, int keep_colors,
                             float mul, int bgr, __global uchar *out)
{
    int px = get_global_id(0), py = get_global_id(1);
    if (px >= W || py >= H)
        return;
    size_t plane = (size_t)OW * OH, o = (size_t)py * OW + px;
    size_t r = bgr ? 2 * plane : 0, b = bgr ? 0 : 2 * plane;
    float3 s = (float3)(sc_out_value(x[r + o], mul), sc_out_value(x[plane + o], mul),
                        sc_out_value(x[b + o], mul));
    int sx = mirror ? W - 1 - px : px;
    __global const uchar *op = orig + ((size_t)py * W + sx) * 3;
    float3 c = (float3)(op[0], op[1], op[2]);
    if (keep_colors) {
        float3 ys = sc_rgb_to_ycc(s), yc = sc_rgb_to_ycc(c);
        s = sc_ycc_to_rgb((float3)(ys.x, yc.y, yc.z));
    }
    if (strength < 1.0f)
        s = mix(c, s, strength);
    s = clamp(s + 0.5f, 0.0f, 255.0f);
    __global uchar *q = out + ((size_t)py * W + px) * 3;
    q[0] = (uchar)s.x;
    q[1] = (uchar)s.y;
    q[2] = (uchar)s.z;
}

/* Network output -> packed float RGB 0..1 at the full output size (tests,
 * references). */
__kernel void planar_to_f32(__global const float *x, int OW, int OH, float mul, int bgr,
                            __global float *out)
{
    int px = get_global_id(0), py = get_global_id(1);
    if (px >= OW || py >= OH)
        return;
    size_t plane = (size_t)OW * OH, o = (size_t)py * OW + px;
    for (int ch = 0; ch < 3; ch++)
        out[o * 3 + ch] = sc_out_value(x[(bgr ? 2 - ch : ch) * plane + o], mul) / 255.0f;
}

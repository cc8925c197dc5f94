/* Temporal stabilization (engine/stab.c): a motion-adaptive denoise of the
 * camera frame, dense pyramidal Lucas-Kanade flow between the previous and
 * the current frame, and a blend of the stylized frame with the previous
 * output warped along that flow. Grays are 0..255 floats. */

#define STAB_R 3   /* Lucas-Kanade window radius: 7x7 */

inline float stab_luma(float3 c)
{
    return 0.299f * c.x + 0.587f * c.y + 0.114f * c.z;
}

inline float3 stab_rgb8(__global const uchar *p, size_t i)
{
    return (float3)(p[i * 3], p[i * 3 + 1], p[i * 3 + 2]);
}

/* Bilinear sample of a w x h plane at (x, y), the border replicated. */
inline float stab_bilin(__global const float *a, int w, int h, float x, float y)
{
    x = clamp(x, 0.0f, (float)(w - 1));
    y = clamp(y, 0.0f, (float)(h - 1));
    int x0 = min((int)x, w - 2 < 0 ? 0 : w - 2), y0 = min((int)y, h - 2 < 0 ? 0 : h - 2);
    int x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1);
    float fx = x - x0, fy = y - y0;
    float top = mix(a[y0 * w + x0], a[y0 * w + x1], fx);
    float bot = mix(a[y1 * w + x0], a[y1 * w + x1], fx);
    return mix(top, bot, fy);
}

inline float2 stab_bilin2(__global const float2 *a, int w, int h, float x, float y)
{
    x = clamp(x, 0.0f, (float)(w - 1));
    y = clamp(y, 0.0f, (float)(h - 1));
    int x0 = min((int)x, w - 2 < 0 ? 0 : w - 2), y0 = min((int)y, h - 2 < 0 ? 0 : h - 2);
    int x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1);
    float fx = x - x0, fy = y - y0;
    float2 top = mix(a[y0 * w + x0], a[y0 * w + x1], fx);
    float2 bot = mix(a[y1 * w + x0], a[y1 * w + x1], fx);
    return mix(top, bot, fy);
}

/* Bilinear sample of packed float RGB, the border replicated. */
inline float3 stab_bilin3(__global const float *a, int w, int h, float x, float y)
{
    x = clamp(x, 0.0f, (float)(w - 1));
    y = clamp(y, 0.0f, (float)(h - 1));
    int x0 = min((int)x, w - 2 < 0 ? 0 : w - 2), y0 = min((int)y, h - 2 < 0 ? 0 : h - 2);
    int x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1);
    float fx = x - x0, fy = y - y0;
    float3 top = mix(vload3(y0 * w + x0, a), vload3(y0 * w + x1, a), fx);
    float3 bot = mix(vload3(y1 * w + x0, a), vload3(y1 * w + x1, a), fx);
    return mix(top, bot, fy);
}

/* |luma(in) - luma(acc)| per pixel, for the denoise's change measure. */
__kernel void stab_diff(__global const uchar *in, __global const float *acc, int W, int H,
                        __global float *diff)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= W || y >= H)
        return;
    size_t i = (size_t)y * W + x;
    diff[i] = fabs(stab_luma(stab_rgb8(in, i)) - stab_luma(vload3(i, acc)));
}

/* acc += k (in - acc): k = a where the 3x3 mean change is below t0 (noise),
 * 1 above t1 (motion), a ramp between; reset copies in. out = round(acc). */
__kernel void stab_denoise(__global const uchar *in, __global float *acc,
                           __global const float *diff, int W, int H, float a, float t0,
                           float t1, int reset, __global uchar *out)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= W || y >= H)
        return;
    size_t i = (size_t)y * W + x;
    float3 c = stab_rgb8(in, i);
    if (!reset) {
        float s = 0.0f;
        int n = 0;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx, yy = y + dy;
                if (xx >= 0 && xx < W && yy >= 0 && yy < H) {
                    s += diff[(size_t)yy * W + xx];
                    n++;
                }
            }
        float r = clamp((s / n - t0) / (t1 - t0), 0.0f, 1.0f);
        float k = a + (1.0f - a) * r;
        float3 p = vload3(i, acc);
        c = p + k * (c - p);
    }
    vstore3(c, i, acc);
    c = clamp(c + 0.5f, 0.0f, 255.0f);
    out[i * 3] = (uchar)c.x;
    out[i * 3 + 1] = (uchar)c.y;
    out[i * 3 + 2] = (uchar)c.z;
}

/* Half-resolution gray (2x2 means of luma) in output coordinates: mirror
 * flips x as the network's input does. */
__kernel void stab_gray_half(__global const uchar *in, int W, int H, int mirror, int hw,
                             int hh, __global float *gray)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= hw || y >= hh)
        return;
    float s = 0.0f;
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 2; i++) {
            int sx = 2 * x + i;
            sx = mirror ? W - 1 - sx : sx;
            s += stab_luma(stab_rgb8(in, (size_t)(2 * y + j) * W + sx));
        }
    gray[y * hw + x] = 0.25f * s;
}

/* The next pyramid level: [1 3 3 1]/8 along x and y around each 2x2 block
 * (the border replicated), centred as 2x2 means are; plain 2x2 means
 * alias fine texture, which biased the coarse flow by 10% on a pan. */
__kernel void stab_down(__global float *pyr, int src, int ws, int hs, int dst, int wd,
                        int hd)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= wd || y >= hd)
        return;
    const float k[4] = {0.125f, 0.375f, 0.375f, 0.125f};
    __global const float *a = pyr + src;
    float s = 0.0f;
    for (int j = 0; j < 4; j++) {
        __global const float *row = a + clamp(2 * y - 1 + j, 0, hs - 1) * ws;
        float r = 0.0f;
        for (int i = 0; i < 4; i++)
            r += k[i] * row[clamp(2 * x - 1 + i, 0, ws - 1)];
        s += k[j] * r;
    }
    pyr[dst + y * wd + x] = s;
}

/* Catmull-Rom weights for a fraction t of a pixel (taps -1, 0, 1, 2). */
inline float4 stab_cubic_w(float t)
{
    float t2 = t * t, t3 = t2 * t;
    return 0.5f * (float4)(-t + 2.0f * t2 - t3, 2.0f - 5.0f * t2 + 3.0f * t3,
                           t + 4.0f * t2 - 3.0f * t3, t3 - t2);
}

#define STAB_N (2 * STAB_R + 1)

/* J sampled bicubically at (px + dx, py + dy) for every window offset: the
 * fraction is the same across the window, so the rows are filtered once
 * (4 x (STAB_N + 3) taps per column instead of 16 per sample). */
inline void stab_window_cubic(__global const float *J, int w, int h, float px, float py,
                              float *out)
{
    px = clamp(px, -64.0f, w + 64.0f);   /* beyond, every tap is the border anyway */
    py = clamp(py, -64.0f, h + 64.0f);
    float fx = floor(px), fy = floor(py);
    float4 wx = stab_cubic_w(px - fx), wy = stab_cubic_w(py - fy);
    int bx = (int)fx - STAB_R - 1, by = (int)fy - STAB_R - 1;
    float rows[(STAB_N + 3) * STAB_N];
    if (bx >= 0 && by >= 0 && bx + STAB_N + 2 < w && by + STAB_N + 2 < h) {
        for (int r = 0; r < STAB_N + 3; r++) {    /* inside: no clamps */
            __global const float *row = J + (by + r) * w + bx;
            for (int c = 0; c < STAB_N; c++)
                rows[r * STAB_N + c] = dot(wx, vload4(0, row + c));
        }
    } else {
        for (int r = 0; r < STAB_N + 3; r++) {
            __global const float *row = J + clamp(by + r, 0, h - 1) * w;
            for (int c = 0; c < STAB_N; c++) {
                int x0 = bx + c;
                float4 t = (float4)(row[clamp(x0, 0, w - 1)], row[clamp(x0 + 1, 0, w - 1)],
                                    row[clamp(x0 + 2, 0, w - 1)],
                                    row[clamp(x0 + 3, 0, w - 1)]);
                rows[r * STAB_N + c] = dot(wx, t);
            }
        }
    }
    for (int r = 0; r < STAB_N; r++)
        for (int c = 0; c < STAB_N; c++)
            out[r * STAB_N + c] = dot(wy, (float4)(rows[r * STAB_N + c],
                                                   rows[(r + 1) * STAB_N + c],
                                                   rows[(r + 2) * STAB_N + c],
                                                   rows[(r + 3) * STAB_N + c]));
}

/* One level of pyramidal Lucas-Kanade after Bouguet, "Pyramidal
 * implementation of the Lucas Kanade feature tracker" (Intel, 2000), dense:
 * for each pixel of I (the current frame) the displacement d with
 * J(x + d) = I(x), J being the previous frame, i.e. the backward flow. The
 * guess comes from the coarser level's flow (coarse >= 0), doubled; G is
 * regularised by lambda so flat windows keep the guess. J is sampled
 * bicubically: bilinear sampling's smoothing biased sub-pixel shifts by
 * 0.05 px on average, up to 0.3 (tests/engine/test_flow.c). */
__kernel void stab_lk(__global const float *pyri, __global const float *pyrj, int off, int w,
                      int h, __global float2 *flow, int foff, int coarse, int wc, int hc,
                      int iters, float lambda)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= w || y >= h)
        return;
    __global const float *I = pyri + off, *J = pyrj + off;
    float2 g = (float2)(0.0f, 0.0f);
    if (coarse >= 0)
        g = 2.0f * stab_bilin2(flow + coarse, wc, hc, 0.5f * x - 0.25f, 0.5f * y - 0.25f);
    float iv[STAB_N * STAB_N], ix[STAB_N * STAB_N], iy[STAB_N * STAB_N], jv[STAB_N * STAB_N];
    float gxx = lambda, gxy = 0.0f, gyy = lambda;
    int n = 0;
    if (x > STAB_R && y > STAB_R && x + STAB_R + 1 < w && y + STAB_R + 1 < h) {
        for (int dy = -STAB_R; dy <= STAB_R; dy++) {    /* inside: no clamps */
            __global const float *row = I + (y + dy) * w + x;
            for (int dx = -STAB_R; dx <= STAB_R; dx++, n++) {
                iv[n] = row[dx];
                ix[n] = 0.5f * (row[dx + 1] - row[dx - 1]);
                iy[n] = 0.5f * (row[dx + w] - row[dx - w]);
            }
        }
    } else {
        for (int dy = -STAB_R; dy <= STAB_R; dy++) {
            int yy = clamp(y + dy, 0, h - 1), ym = max(yy - 1, 0), yp = min(yy + 1, h - 1);
            for (int dx = -STAB_R; dx <= STAB_R; dx++, n++) {
                int xx = clamp(x + dx, 0, w - 1), xm = max(xx - 1, 0), xp = min(xx + 1, w - 1);
                iv[n] = I[yy * w + xx];
                ix[n] = 0.5f * (I[yy * w + xp] - I[yy * w + xm]);
                iy[n] = 0.5f * (I[yp * w + xx] - I[ym * w + xx]);
            }
        }
    }
    for (n = 0; n < STAB_N * STAB_N; n++) {
        gxx += ix[n] * ix[n];
        gxy += ix[n] * iy[n];
        gyy += iy[n] * iy[n];
    }
    float det = gxx * gyy - gxy * gxy;
    float2 v = (float2)(0.0f, 0.0f);
    for (int it = 0; it < iters; it++) {
        stab_window_cubic(J, w, h, x + g.x + v.x, y + g.y + v.y, jv);
        float bx = 0.0f, by = 0.0f;
        for (n = 0; n < STAB_N * STAB_N; n++) {
            float e = iv[n] - jv[n];
            bx += e * ix[n];
            by += e * iy[n];
        }
        float2 eta = (float2)(gyy * bx - gxy * by, gxx * by - gxy * bx) / det;
        v += eta;
        if (!(fabs(v.x) + fabs(v.y) <= STAB_N)) {
            v = (float2)(0.0f, 0.0f);   /* diverged (or NaN): keep the guess */
            break;
        }
        if (eta.x * eta.x + eta.y * eta.y < 1e-4f)
            break;
    }
    flow[foff + y * w + x] = g + v;
}

/* O = S + alpha M (warp(O_prev) - S), M falling from 1 to 0 as the warped
 * half-resolution gray's error goes from e0 to e1, and 0 where the warp
 * leaves the frame. flow (fw x fh) is the backward flow at 1/fs of the
 * frame's resolution in its own pixels; reset: O = S. */
__kernel void stab_blend(__global uchar *out, int W, int H, __global const float *prev,
                         __global float *next, __global const float2 *flow, int foff, int fw,
                         int fh, float fs, __global const float *gcur, __global const float *gprev,
                         int hw, int hh, float alpha, float e0, float e1, int reset)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= W || y >= H)
        return;
    size_t i = (size_t)y * W + x;
    float3 s = stab_rgb8(out, i);
    if (!reset) {
        float2 f = fs * stab_bilin2(flow + foff, fw, fh, (x + 0.5f) / fs - 0.5f,
                                    (y + 0.5f) / fs - 0.5f);
        float px = x + f.x, py = y + f.y;
        float hx = 0.5f * x - 0.25f, hy = 0.5f * y - 0.25f;
        float err = fabs(stab_bilin(gcur, hw, hh, hx, hy) -
                         stab_bilin(gprev, hw, hh, hx + 0.5f * f.x, hy + 0.5f * f.y));
        float m = 1.0f - smoothstep(e0, e1, err);
        if (px < 0.0f || py < 0.0f || px > W - 1 || py > H - 1)
            m = 0.0f;
        if (m > 0.0f)
            s += alpha * m * (stab_bilin3(prev, W, H, px, py) - s);
    }
    vstore3(s, i, next);
    if (!reset) {
        s = clamp(s + 0.5f, 0.0f, 255.0f);
        out[i * 3] = (uchar)s.x;
        out[i * 3 + 1] = (uchar)s.y;
        out[i * 3 + 2] = (uchar)s.z;
    }
}

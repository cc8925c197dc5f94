/* stylecam bench --flicker's pure half: test sequences and temporal metrics
 * (flicker.h says what each one is). */
#include "app/cmd/flicker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "common/resize.h"

/* ---- the PRNG ---- */

void sc_flicker_rng_seed(struct sc_flicker_rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (!r->s)
        r->s = 1;
    r->has_spare = 0;
    r->spare = 0;
}

double sc_flicker_uniform(struct sc_flicker_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    uint64_t v = r->s * 0x2545F4914F6CDD1Dull;
    return ((double)(v >> 11) + 0.5) / 9007199254740992.0;  /* 2^53 */
}

double sc_flicker_gauss(struct sc_flicker_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1 = sc_flicker_uniform(r), u2 = sc_flicker_uniform(r);
    double rad = sqrt(-2.0 * log(u1)), ang = 2.0 * M_PI * u2;
    r->spare = rad * sin(ang);
    r->has_spare = 1;
    return rad * cos(ang);
}

/* ---- geometry ---- */

void sc_flicker_path(int pw, int ph, int w, int h, int n, const struct sc_flicker_motion *m,
                     struct sc_flicker_affine *maps)
{
    double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
    double px = (pw - 1) / 2.0, py = (ph - 1) / 2.0;
    double mid = (n - 1) / 2.0;
    double zlast = pow(1.0 + m->zoom, n - 1), zmin = zlast < 1 ? zlast : 1;
    /* The widest frame (the smallest zoom) at the farthest pan must fit. */
    double kx = px / (cx / zmin + fabs(m->dx) * mid);
    double ky = py / (cy / zmin + fabs(m->dy) * mid);
    double k = 0.999 * (kx < ky ? kx : ky);
    for (int t = 0; t < n; t++) {
        double a = k / pow(1.0 + m->zoom, t);
        maps[t].a = a;
        maps[t].bx = px - a * cx - k * m->dx * (t - mid);
        maps[t].by = py - a * cy - k * m->dy * (t - mid);
    }
}

enum sc_status sc_flicker_fit_photo(const uint8_t *photo, int pw, int ph, int w, int h,
                                    uint8_t **out, int *ow, int *oh, struct sc_error *err)
{
    static const struct sc_flicker_motion still = {0, 0, 0};
    struct sc_flicker_affine map;
    sc_flicker_path(pw, ph, w, h, 1, &still, &map);
    *ow = pw;
    *oh = ph;
    if (map.a > 1) {
        *ow = (int)ceil(pw / map.a);
        *oh = (int)ceil(ph / map.a);
    }
    *out = malloc((size_t)*ow * *oh * 3);
    if (!*out)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory for a %dx%d photo.", *ow, *oh);
    if (*ow == pw && *oh == ph)
        memcpy(*out, photo, (size_t)pw * ph * 3);
    else
        sc_resize_rgb(photo, pw, ph, *out, *ow, *oh);
    return SC_OK;
}

struct sc_flicker_affine sc_flicker_flow(const struct sc_flicker_affine *cur,
                                         const struct sc_flicker_affine *prev)
{
    /* prev^-1(cur(x)) = (cur.a x + cur.b - prev.b) / prev.a */
    struct sc_flicker_affine f = {cur->a / prev->a, (cur->bx - prev->bx) / prev->a,
                                  (cur->by - prev->by) / prev->a};
    return f;
}

/* Bilinear sample of img at (x, y), clamped to the picture. */
static void sample(const uint8_t *img, int w, int h, double x, double y, double out[3])
{
    x = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
    y = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
    int x0 = (int)x, y0 = (int)y;
    int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
    double fx = x - x0, fy = y - y0;
    const uint8_t *p00 = img + ((size_t)y0 * w + x0) * 3, *p01 = img + ((size_t)y0 * w + x1) * 3;
    const uint8_t *p10 = img + ((size_t)y1 * w + x0) * 3, *p11 = img + ((size_t)y1 * w + x1) * 3;
    for (int c = 0; c < 3; c++) {
        double top = p00[c] + fx * (p01[c] - p00[c]);
        double bot = p10[c] + fx * (p11[c] - p10[c]);
        out[c] = top + fy * (bot - top);
    }
}

static uint8_t to_byte(double v)
{
    v = floor(v + 0.5);
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

void sc_flicker_render(const uint8_t *photo, int pw, int ph,
                       const struct sc_flicker_affine *map, double sigma,
                       struct sc_flicker_rng *rng, uint8_t *out, int w, int h)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v[3];
            sample(photo, pw, ph, map->a * x + map->bx, map->a * y + map->by, v);
            uint8_t *q = out + ((size_t)y * w + x) * 3;
            for (int c = 0; c < 3; c++)
                q[c] = to_byte(v[c] + (sigma > 0 ? sigma * sc_flicker_gauss(rng) : 0));
        }
}

/* ---- JPEG in memory ---- */

struct membuf {
    uint8_t *p;
    size_t n, cap;
    int failed;
};

static void put(void *ctx, void *data, int size)
{
    struct membuf *b = ctx;
    if (b->failed || size <= 0)
        return;
    if (b->n + (size_t)size > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 65536) + (size_t)size;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, (size_t)size);
    b->n += (size_t)size;
}

enum sc_status sc_flicker_jpeg(uint8_t *rgb, int w, int h, int quality,
                               struct sc_error *err)
{
    struct membuf b = {0};
    int ok = stbi_write_jpg_to_func(put, &b, w, h, 3, rgb, quality) && !b.failed;
    int dw = 0, dh = 0, comp;
    uint8_t *dec = ok ? stbi_load_from_memory(b.p, (int)b.n, &dw, &dh, &comp, 3) : NULL;
    free(b.p);
    if (!dec || dw != w || dh != h) {
        if (dec)
            stbi_image_free(dec);
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot JPEG-encode and decode a %dx%d test "
                            "frame in memory (out of memory).", w, h);
    }
    memcpy(rgb, dec, (size_t)w * h * 3);
    stbi_image_free(dec);
    return SC_OK;
}

enum sc_status sc_flicker_make(const struct sc_flicker_synth *s, uint8_t *seq,
                               uint8_t *clean, struct sc_flicker_affine *maps,
                               struct sc_error *err)
{
    size_t fb = (size_t)s->w * s->h * 3;
    struct sc_flicker_rng rng;
    sc_flicker_rng_seed(&rng, s->seed);
    sc_flicker_path(s->pw, s->ph, s->w, s->h, s->n, &s->motion, maps);
    for (int t = 0; t < s->n; t++) {
        uint8_t *f = seq + fb * t;
        sc_flicker_render(s->photo, s->pw, s->ph, &maps[t], s->sigma, &rng, f, s->w, s->h);
        if (clean)
            sc_flicker_render(s->photo, s->pw, s->ph, &maps[t], 0, NULL, clean + fb * t,
                              s->w, s->h);
        if (s->quality > 0) {
            enum sc_status st = sc_flicker_jpeg(f, s->w, s->h, s->quality, err);
            if (st)
                return st;
        }
    }
    return SC_OK;
}

/* ---- the built-in photo ---- */

static int in_circle(double x, double y, double cx, double cy, double r)
{
    return (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
}

static void builtin_pixel(int x, int y, int w, int h, double v[3])
{
    double u = (double)x / w, t = (double)y / h, s = w < h ? w : h;
    v[0] = 60 + 140 * t;
    v[1] = 90 + 100 * (1 - t);
    v[2] = 170 - 70 * u;
    if (in_circle(x, y, 0.3 * w, 0.38 * h, 0.17 * s)) {
        v[0] = 205; v[1] = 62; v[2] = 48;
    } else if (in_circle(x, y, 0.72 * w, 0.32 * h, 0.11 * s)) {
        v[0] = 232; v[1] = 200; v[2] = 64;
    }
    if (t > 0.64 && u < 0.46) {
        double st = 0.5 + 0.5 * sin(x * 0.45 + y * 0.2);
        v[0] = v[1] = v[2] = 40 + 180 * st;
    } else if (t > 0.6 && u > 0.54) {
        int c = ((x / 16) + (y / 16)) & 1;
        v[0] = c ? 220 : 35; v[1] = c ? 215 : 60; v[2] = c ? 200 : 90;
    }
    double tex = 8 * sin(x * 0.9) * cos(y * 1.1) + 6 * sin(x * 0.31 + y * 0.57);
    for (int c = 0; c < 3; c++)
        v[c] += tex;
}

void sc_flicker_builtin_photo(uint8_t *rgb, int w, int h)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v[3];
            builtin_pixel(x, y, w, h, v);
            uint8_t *q = rgb + ((size_t)y * w + x) * 3;
            for (int c = 0; c < 3; c++)
                q[c] = to_byte(v[c]);
        }
}

/* ---- metrics ---- */

static double luma(const uint8_t *rgb, int w, int h, int x, int y)
{
    x = x < 0 ? 0 : x >= w ? w - 1 : x;
    y = y < 0 ? 0 : y >= h ? h - 1 : y;
    const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

#define GRAD_BINS 4096
#define GRAD_MAX 181.0   /* 255 * sqrt(2) / 2: central differences halve */

static int grad_bin(const uint8_t *rgb, int w, int h, int x, int y)
{
    double gx = (luma(rgb, w, h, x + 1, y) - luma(rgb, w, h, x - 1, y)) / 2;
    double gy = (luma(rgb, w, h, x, y + 1) - luma(rgb, w, h, x, y - 1)) / 2;
    int b = (int)(sqrt(gx * gx + gy * gy) * (GRAD_BINS / GRAD_MAX));
    return b < GRAD_BINS ? b : GRAD_BINS - 1;
}

size_t sc_flicker_edge_mask(const uint8_t *rgb, int w, int h, double top, uint8_t *mask)
{
    size_t hist[GRAD_BINS] = {0};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            hist[grad_bin(rgb, w, h, x, y)]++;
    size_t want = (size_t)ceil(top * w * h), have = 0;
    int thr = GRAD_BINS - 1;
    for (; thr > 0 && have + hist[thr] < want; thr--)
        have += hist[thr];
    size_t marked = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int on = grad_bin(rgb, w, h, x, y) >= thr;
            mask[(size_t)y * w + x] = (uint8_t)on;
            marked += (size_t)on;
        }
    return marked;
}

double sc_flicker_mad(const uint8_t *a, const uint8_t *b, size_t pixels,
                      const uint8_t *mask)
{
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < pixels; i++) {
        if (mask && !mask[i])
            continue;
        for (int c = 0; c < 3; c++)
            sum += abs(a[i * 3 + c] - b[i * 3 + c]);
        n++;
    }
    return n ? sum / (3.0 * n) : 0;
}

static int inside(double v, int side)
{
    return v >= -1e-9 && v <= side - 1 + 1e-9;
}

double sc_flicker_warp_error(const uint8_t *cur, const uint8_t *prev, int w, int h,
                             const struct sc_flicker_affine *flow, int border,
                             double *mad_levels)
{
    double sq = 0, ab = 0;
    size_t n = 0, nab = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double sx = flow->a * x + flow->bx, sy = flow->a * y + flow->by;
            if (!inside(sx, w) || !inside(sy, h))
                continue;
            double v[3];
            sample(prev, w, h, sx, sy, v);
            const uint8_t *p = cur + ((size_t)y * w + x) * 3;
            int interior = x >= border && y >= border && x < w - border && y < h - border;
            for (int c = 0; c < 3; c++) {
                double d = p[c] - v[c];
                sq += (d / 255) * (d / 255);
                ab += interior ? fabs(d) : 0;
            }
            n++;
            nab += (size_t)interior;
        }
    if (mad_levels)
        *mad_levels = nab ? ab / (3.0 * nab) : 0;
    return n ? sq / (3.0 * n) : 0;
}

double sc_flicker_seq_flicker(const uint8_t *seq, int n, int w, int h)
{
    size_t px = (size_t)w * h, fb = px * 3;
    double sum = 0;
    for (int t = 1; t < n; t++)
        sum += sc_flicker_mad(seq + fb * t, seq + fb * (t - 1), px, NULL);
    return n > 1 ? sum / (n - 1) : 0;
}

double sc_flicker_seq_warp(const uint8_t *seq, int n, int w, int h,
                           const struct sc_flicker_affine *maps)
{
    size_t fb = (size_t)w * h * 3;
    double sum = 0;
    for (int t = 1; t < n; t++) {
        struct sc_flicker_affine f = sc_flicker_flow(&maps[t], &maps[t - 1]);
        sum += sc_flicker_warp_error(seq + fb * t, seq + fb * (t - 1), w, h, &f, 0, NULL);
    }
    return n > 1 ? sum / (n - 1) : 0;
}

double sc_flicker_seq_fidelity(const uint8_t *a, const uint8_t *b, int n, int w, int h,
                               const uint8_t *masks)
{
    size_t px = (size_t)w * h, fb = px * 3;
    double sum = 0;
    for (int t = 1; t < n; t++)
        sum += sc_flicker_mad(a + fb * t, b + fb * t, px, masks ? masks + px * t : NULL);
    return n > 1 ? sum / (n - 1) : 0;
}

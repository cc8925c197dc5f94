#include "tests/engine/flow_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define R SC_STAB_LK_RADIUS
#define WIN (2 * R + 1)

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

void flow_ref_pyr_init(struct flow_ref_pyr *p, const float *gray, int w, int h)
{
    memset(p, 0, sizeof *p);
    p->lv[0] = malloc((size_t)w * h * sizeof(float));
    memcpy(p->lv[0], gray, (size_t)w * h * sizeof(float));
    p->w[0] = w;
    p->h[0] = h;
    p->n = 1;
    while (p->n < SC_STAB_MAX_LEVELS && w / 2 >= SC_STAB_MIN_SIDE && h / 2 >= SC_STAB_MIN_SIDE) {
        const float *a = p->lv[p->n - 1];
        int ws = w, hs = h;
        w /= 2;
        h /= 2;
        float *b = malloc((size_t)w * h * sizeof(float));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                static const float k[4] = {0.125f, 0.375f, 0.375f, 0.125f};
                float sum = 0;
                for (int j = 0; j < 4; j++) {
                    const float *row = a + (size_t)clampi(2 * y - 1 + j, 0, hs - 1) * ws;
                    float r = 0;
                    for (int i = 0; i < 4; i++)
                        r += k[i] * row[clampi(2 * x - 1 + i, 0, ws - 1)];
                    sum += k[j] * r;
                }
                b[y * w + x] = sum;
            }
        p->lv[p->n] = b;
        p->w[p->n] = w;
        p->h[p->n] = h;
        p->n++;
    }
}

void flow_ref_pyr_free(struct flow_ref_pyr *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->lv[i]);
    memset(p, 0, sizeof *p);
}

static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Bilinear sample of n interleaved channels (channel c), border replicated. */
static float bilin(const float *a, int w, int h, int n, int c, float x, float y)
{
    x = clampf(x, 0, (float)(w - 1));
    y = clampf(y, 0, (float)(h - 1));
    int x0 = (int)x, y0 = (int)y;
    if (x0 > w - 2) x0 = w - 2 < 0 ? 0 : w - 2;
    if (y0 > h - 2) y0 = h - 2 < 0 ? 0 : h - 2;
    int x1 = x0 + 1 < w ? x0 + 1 : w - 1, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
    float fx = x - x0, fy = y - y0;
#define AT(xx, yy) a[((size_t)(yy) * w + (xx)) * n + c]
    float top = AT(x0, y0) + (AT(x1, y0) - AT(x0, y0)) * fx;
    float bot = AT(x0, y1) + (AT(x1, y1) - AT(x0, y1)) * fx;
#undef AT
    return top + (bot - top) * fy;
}

/* Catmull-Rom through p0..p3 at t in [0, 1) between p1 and p2. */
static float cubic(float p0, float p1, float p2, float p3, float t)
{
    float t2 = t * t, t3 = t2 * t;
    return 0.5f * ((-t + 2 * t2 - t3) * p0 + (2 - 5 * t2 + 3 * t3) * p1 +
                   (t + 4 * t2 - 3 * t3) * p2 + (t3 - t2) * p3);
}

/* Bicubic sample of a plane, each tap's index clamped to the border. */
static float bicubic(const float *a, int w, int h, float x, float y)
{
    x = clampf(x, -64.0f - 2 * WIN, w + 64.0f + 2 * WIN);   /* as far as the kernels can */
    y = clampf(y, -64.0f - 2 * WIN, h + 64.0f + 2 * WIN);
    float fx = floorf(x), fy = floorf(y), r[4];
    int x0 = (int)fx, y0 = (int)fy;
    for (int j = 0; j < 4; j++) {
        const float *row = a + (size_t)clampi(y0 - 1 + j, 0, h - 1) * w;
        r[j] = cubic(row[clampi(x0 - 1, 0, w - 1)], row[clampi(x0, 0, w - 1)],
                     row[clampi(x0 + 1, 0, w - 1)], row[clampi(x0 + 2, 0, w - 1)], x - fx);
    }
    return cubic(r[0], r[1], r[2], r[3], y - fy);
}

/* One pixel of one level: Bouguet's iterations from the guess g. */
static void lk_pixel(const float *I, const float *J, int w, int h, int x, int y, int iters,
                     float *g)
{
    float iv[WIN * WIN], ix[WIN * WIN], iy[WIN * WIN];
    float lambda = SC_STAB_LK_LAMBDA * WIN * WIN;
    float gxx = lambda, gxy = 0, gyy = lambda;
    int n = 0;
    for (int dy = -R; dy <= R; dy++)
        for (int dx = -R; dx <= R; dx++, n++) {
            int yy = clampi(y + dy, 0, h - 1), xx = clampi(x + dx, 0, w - 1);
            iv[n] = I[yy * w + xx];
            ix[n] = 0.5f * (I[yy * w + clampi(xx + 1, 0, w - 1)] -
                            I[yy * w + clampi(xx - 1, 0, w - 1)]);
            iy[n] = 0.5f * (I[clampi(yy + 1, 0, h - 1) * w + xx] -
                            I[clampi(yy - 1, 0, h - 1) * w + xx]);
            gxx += ix[n] * ix[n];
            gxy += ix[n] * iy[n];
            gyy += iy[n] * iy[n];
        }
    float det = gxx * gyy - gxy * gxy, vx = 0, vy = 0;
    for (int it = 0; it < iters; it++) {
        float bx = 0, by = 0;
        n = 0;
        for (int dy = -R; dy <= R; dy++)
            for (int dx = -R; dx <= R; dx++, n++) {
                float e = iv[n] - bicubic(J, w, h, x + g[0] + vx + dx, y + g[1] + vy + dy);
                bx += e * ix[n];
                by += e * iy[n];
            }
        float ex = (gyy * bx - gxy * by) / det, ey = (gxx * by - gxy * bx) / det;
        vx += ex;
        vy += ey;
        if (!(fabsf(vx) + fabsf(vy) <= WIN)) {
            vx = vy = 0;    /* diverged (or NaN): keep the guess */
            break;
        }
        if (ex * ex + ey * ey < 1e-4f)
            break;
    }
    g[0] += vx;
    g[1] += vy;
}

void flow_ref_lk(const struct flow_ref_pyr *cur, const struct flow_ref_pyr *prev,
                 float *flow)
{
    float *coarse = NULL;
    for (int l = cur->n - 1; l >= 0; l--) {
        int w = cur->w[l], h = cur->h[l];
        float *f = malloc((size_t)w * h * 2 * sizeof(float));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float g[2] = {0, 0};
                if (coarse)
                    for (int c = 0; c < 2; c++)
                        g[c] = 2 * bilin(coarse, cur->w[l + 1], cur->h[l + 1], 2, c,
                                         0.5f * x - 0.25f, 0.5f * y - 0.25f);
                lk_pixel(cur->lv[l], prev->lv[l], w, h, x, y,
                         l ? SC_STAB_LK_ITERS : SC_STAB_LK_ITERS0, g);
                f[(y * w + x) * 2] = g[0];
                f[(y * w + x) * 2 + 1] = g[1];
            }
        free(coarse);
        coarse = f;
    }
    memcpy(flow, coarse, (size_t)cur->w[0] * cur->h[0] * 2 * sizeof(float));
    free(coarse);
}

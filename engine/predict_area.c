/* The style picture's centre square to 256x256 as OpenCV's
 * resize(INTER_AREA) does it (imgproc/src/resize.cpp), since the reference
 * vectors were made from pictures resized that way. common/resize.c is a
 * plain integer box filter: right for exact 2x, not for other ratios. */
#include "engine/predict_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* OpenCV's saturate_cast<uchar>(float): cvRound, nearest-even. */
static uint8_t sat_u8(float v)
{
    long r = lrintf(v);
    return (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
}

/* resizeAreaFast_ for an integer ratio f: 2x2 blocks as (sum + 2) >> 2
 * (ResizeAreaFastVec's fast mode), larger blocks as sum * (1.f / area). */
static void area_fast(const uint8_t *src, int stride, int f, uint8_t *dst)
{
    int n = SC_PL_SIZE, area = f * f;
    float scale = 1.0f / (float)area;
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            for (int c = 0; c < 3; c++) {
                int sum = 0;
                for (int j = 0; j < f; j++)
                    for (int i = 0; i < f; i++)
                        sum += src[(size_t)(y * f + j) * stride + (size_t)(x * f + i) * 3 + c];
                dst[((size_t)y * n + x) * 3 + c] =
                    f == 2 ? (uint8_t)((sum + 2) >> 2) : sat_u8((float)sum * scale);
            }
}

struct tab {
    int di, si;
    float alpha;
};

/* computeResizeAreaTab: the source cells each destination cell covers and
 * their weights (fractions at both ends), in double then float as there. */
static int area_tab(int ssize, int dsize, double scale, struct tab *t)
{
    int k = 0;
    for (int dx = 0; dx < dsize; dx++) {
        double f1 = dx * scale, f2 = f1 + scale;
        double cell = scale < ssize - f1 ? scale : ssize - f1;
        int s1 = (int)ceil(f1), s2 = (int)floor(f2);
        s2 = s2 < ssize - 1 ? s2 : ssize - 1;
        s1 = s1 < s2 ? s1 : s2;
        if (s1 - f1 > 1e-3)
            t[k++] = (struct tab){dx, s1 - 1, (float)((s1 - f1) / cell)};
        for (int sx = s1; sx < s2; sx++)
            t[k++] = (struct tab){dx, sx, (float)(1.0 / cell)};
        if (f2 - s2 > 1e-3) {
            double r = f2 - s2 < 1.0 ? f2 - s2 : 1.0;
            t[k++] = (struct tab){dx, s2, (float)((r < cell ? r : cell) / cell)};
        }
    }
    return k;
}

static void flush_row(uint8_t *dst, int dy, const float *sum)
{
    for (int i = 0; i < SC_PL_SIZE * 3; i++)
        dst[(size_t)dy * SC_PL_SIZE * 3 + i] = sat_u8(sum[i]);
}

/* ResizeArea_Invoker: each source row weighted across (buf), rows weighted
 * into sum, a destination row written when the next one starts; float
 * accumulation in OpenCV's order. */
static void area_general(const uint8_t *src, int stride, int s, uint8_t *dst)
{
    int n = SC_PL_SIZE, w3 = n * 3;
    double scale = 1.0 / ((double)n / s);
    struct tab *xt = malloc((size_t)s * 2 * sizeof *xt), *yt = malloc((size_t)s * 2 * sizeof *yt);
    float *buf = calloc((size_t)w3, sizeof *buf), *sum = calloc((size_t)w3, sizeof *sum);
    if (!xt || !yt || !buf || !sum) {
        memset(dst, 128, (size_t)w3 * n);
        goto out;
    }
    int nx = area_tab(s, n, scale, xt), ny = area_tab(s, n, scale, yt), prev = yt[0].di;
    for (int j = 0; j < ny; j++) {
        float beta = yt[j].alpha;
        const uint8_t *row = src + (size_t)yt[j].si * stride;
        memset(buf, 0, (size_t)w3 * sizeof *buf);
        for (int k = 0; k < nx; k++)
            for (int c = 0; c < 3; c++)
                buf[xt[k].di * 3 + c] += (float)row[xt[k].si * 3 + c] * xt[k].alpha;
        if (yt[j].di != prev) {
            flush_row(dst, prev, sum);
            for (int i = 0; i < w3; i++)
                sum[i] = beta * buf[i];
            prev = yt[j].di;
        } else {
            for (int i = 0; i < w3; i++)
                sum[i] += beta * buf[i];
        }
    }
    flush_row(dst, prev, sum);
out:
    free(xt);
    free(yt);
    free(buf);
    free(sum);
}

/* A square smaller than 256: OpenCV's INTER_AREA enlarges with linear
 * interpolation whose weights are the cells' overlaps; done here in float
 * (OpenCV uses 11-bit fixed point, so a value may differ by one). */
static void area_up(const uint8_t *src, int stride, int s, uint8_t *dst)
{
    int n = SC_PL_SIZE;
    double inv = (double)n / s, scale = 1.0 / inv;
    for (int y = 0; y < n; y++) {
        int sy = (int)floor(y * scale);
        float fy = (float)((y + 1) - (sy + 1) * inv);
        fy = fy <= 0 ? 0.f : fy - floorf(fy);
        int sy1 = sy + 1 < s ? sy + 1 : s - 1;
        for (int x = 0; x < n; x++) {
            int sx = (int)floor(x * scale);
            float fx = (float)((x + 1) - (sx + 1) * inv);
            fx = fx <= 0 ? 0.f : fx - floorf(fx);
            int sx1 = sx + 1 < s ? sx + 1 : s - 1;
            for (int c = 0; c < 3; c++) {
                const uint8_t *r0 = src + (size_t)sy * stride, *r1 = src + (size_t)sy1 * stride;
                float a = r0[sx * 3 + c] * (1 - fx) + r0[sx1 * 3 + c] * fx;
                float b = r1[sx * 3 + c] * (1 - fx) + r1[sx1 * 3 + c] * fx;
                dst[((size_t)y * n + x) * 3 + c] = sat_u8(a * (1 - fy) + b * fy);
            }
        }
    }
}

void sc_pl_area_resize(const uint8_t *rgb, int w, int h, uint8_t *dst)
{
    int s = w < h ? w : h, n = SC_PL_SIZE;
    int stride = w * 3;
    const uint8_t *src = rgb + (size_t)((h - s) / 2) * stride + (size_t)((w - s) / 2) * 3;
    if (s == n) {
        for (int y = 0; y < n; y++)
            memcpy(dst + (size_t)y * n * 3, src + (size_t)y * stride, (size_t)n * 3);
    } else if (s > n && s % n == 0) {
        area_fast(src, stride, s / n, dst);
    } else if (s > n) {
        area_general(src, stride, s, dst);
    } else {
        area_up(src, stride, s, dst);
    }
}

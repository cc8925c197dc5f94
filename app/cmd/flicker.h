/* stylecam bench --flicker, its pure half: test sequences made from a
 * still photo (a camera's noise and JPEG, a known pan and zoom) and the
 * temporal metrics (flicker, warping error, fidelity). No OpenCL here;
 * tests/bench/test_flicker.c tests every function.
 *
 * Frames are packed RGB (rows of w*3 bytes); a sequence is n frames one
 * after another in one buffer, frame t at seq + t * w * h * 3. */
#ifndef SC_FLICKER_H
#define SC_FLICKER_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

/* A seeded PRNG (xorshift64*) with Gaussian draws (Box-Muller). */
struct sc_flicker_rng {
    uint64_t s;
    int has_spare;
    double spare;
};

void sc_flicker_rng_seed(struct sc_flicker_rng *r, uint64_t seed);
double sc_flicker_uniform(struct sc_flicker_rng *r);   /* (0, 1) */
double sc_flicker_gauss(struct sc_flicker_rng *r);     /* mean 0, sigma 1 */

/* A map from a frame's pixel centres (x, y) to another picture's:
 * (a x + bx, a y + by). */
struct sc_flicker_affine {
    double a, bx, by;
};

/* The camera's motion per frame: the picture moves dx, dy pixels right and
 * down (at the frame's scale) and grows by zoom (0.003 = 0.3%) about the
 * frame's centre. All zero: a static scene. */
struct sc_flicker_motion {
    double dx, dy, zoom;
};

/* The frame-to-photo maps of n frames of w x h taken from a pw x ph photo
 * by motion m (maps[t] for frame t): the largest scale at which every frame
 * lies inside the photo, the pan centred on the photo's middle. */
void sc_flicker_path(int pw, int ph, int w, int h, int n, const struct sc_flicker_motion *m,
                     struct sc_flicker_affine *maps);

/* The photo as the sequences sample it, in a new malloc'd buffer (free()):
 * shrunk by area averaging until a w x h frame of the static scene spans
 * it at one photo pixel per frame pixel, or copied when it is smaller.
 * Bilinear sampling of a much larger photo would alias, and aliasing is
 * not a warp: frames would differ by more than their motion (as a camera's
 * optics band-limit the picture before its sensor). */
enum sc_status sc_flicker_fit_photo(const uint8_t *photo, int pw, int ph, int w, int h,
                                    uint8_t **out, int *ow, int *oh, struct sc_error *err);

/* The exact backward flow: frame `cur`'s pixel to frame `prev`'s, for two
 * frame-to-photo maps. */
struct sc_flicker_affine sc_flicker_flow(const struct sc_flicker_affine *cur,
                                         const struct sc_flicker_affine *prev);

/* One w x h frame: the photo sampled bilinearly through map, plus Gaussian
 * noise of sigma levels per value (rng may be NULL when sigma is 0),
 * rounded once. */
void sc_flicker_render(const uint8_t *photo, int pw, int ph,
                       const struct sc_flicker_affine *map, double sigma,
                       struct sc_flicker_rng *rng, uint8_t *out, int w, int h);

/* JPEG-encodes the frame at quality (1..100) in memory and decodes it back
 * in place (stb_image_write, stb_image). */
enum sc_status sc_flicker_jpeg(uint8_t *rgb, int w, int h, int quality,
                               struct sc_error *err);

/* What a sequence is made of. */
struct sc_flicker_synth {
    const uint8_t *photo;
    int pw, ph;
    int w, h, n;
    struct sc_flicker_motion motion;
    double sigma;        /* noise, levels */
    int quality;         /* JPEG quality; 0 = no JPEG */
    uint64_t seed;
};

/* Makes the sequence: seq (n frames) the camera's frames, clean (n frames,
 * may be NULL) the same without noise or JPEG, maps (n) each frame's map. */
enum sc_status sc_flicker_make(const struct sc_flicker_synth *s, uint8_t *seq,
                               uint8_t *clean, struct sc_flicker_affine *maps,
                               struct sc_error *err);

/* A synthetic photo for when no file is at hand: shapes, stripes, a
 * gradient and a fine texture, so that it has edges to flicker on. */
void sc_flicker_builtin_photo(uint8_t *rgb, int w, int h);

/* Marks (1) the pixels whose luma gradient magnitude (central differences)
 * is in the top fraction `top` of the frame (ties included), 0 elsewhere;
 * returns how many are marked. */
size_t sc_flicker_edge_mask(const uint8_t *rgb, int w, int h, double top, uint8_t *mask);

/* Mean |a - b| in levels over the pixels where mask is non-zero (every
 * pixel when mask is NULL), all three values of each; 0 when none. */
double sc_flicker_mad(const uint8_t *a, const uint8_t *b, size_t pixels,
                      const uint8_t *mask);

/* Warping error of one pair (Lai et al. 2018): the previous frame warped
 * to the current one by bilinear sampling through flow (current pixel ->
 * previous pixel); over the pixels whose source lies inside the previous
 * frame (M), sum M |cur - warp(prev)|^2 / (3 sum M), values 0..1, the
 * squared norm over R, G, B divided by 3. *mad_levels (may be NULL): the
 * mean |cur - warp(prev)| in levels over the pixels at least `border`
 * pixels inside the frame whose source is inside. */
double sc_flicker_warp_error(const uint8_t *cur, const uint8_t *prev, int w, int h,
                             const struct sc_flicker_affine *flow, int border,
                             double *mad_levels);

/* Over a sequence of n frames, each the mean over the pairs (t-1, t),
 * t = 1..n-1: */
/* the mean |O_t - O_{t-1}| in levels (flicker); */
double sc_flicker_seq_flicker(const uint8_t *seq, int n, int w, int h);
/* the warping error, with each pair's exact flow from maps; */
double sc_flicker_seq_warp(const uint8_t *seq, int n, int w, int h,
                           const struct sc_flicker_affine *maps);
/* the fidelity: mean |a_t - b_t| in levels over frames t = 1..n-1 (the
 * frames with a history), over masks' pixels (masks: n masks of w*h, or
 * NULL for every pixel). */
double sc_flicker_seq_fidelity(const uint8_t *a, const uint8_t *b, int n, int w, int h,
                               const uint8_t *masks);

#endif

/* The built-in "sketch" style: a pencil drawing written as the weights of
 * the fast-style-transfer network, so the same engine runs it.
 *
 * Formula (documented in models/README.md):
 *   g      = 0.299 R + 0.587 G + 0.114 B
 *   edges  = (G_1.0 - G_1.6) * g        difference of Gaussians, 9x9
 *   tone   = G_1.0 * g
 * Each map travels through the network as a pair of channels p = relu(n),
 * q = relu(-n) of its instance-normalized value n, so p - q = n survives
 * every relu. The stride-2 convolutions move each 2x2 neighbourhood into
 * channels (space-to-depth), the residual blocks are the identity (zero
 * weights), and the transposed convolutions move them back (depth-to-
 * space), so the maps reach full resolution unchanged (exactly for sides
 * divisible by 4; otherwise shifted by at most a pixel or two).
 * At the end: ink = relu(-1.5 edges - 0.5) (dark lines where the DoG is
 * strongly negative: the dark side of an edge) and shade = relu(-0.35 tone
 * - 0.2); the last layer draws white paper minus ink minus half the shade,
 * softened by a 3x3 Gaussian, through the network's tanh output. */
#include <math.h>

#include "engine/arch.h"
#include "engine/model.h"

#define NMAPS 2          /* edges, tone */
#define K0 9

static void gaussian(double sigma, double out[K0][K0])
{
    double sum = 0;
    for (int y = 0; y < K0; y++)
        for (int x = 0; x < K0; x++) {
            double dy = y - K0 / 2, dx = x - K0 / 2;
            out[y][x] = exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            sum += out[y][x];
        }
    for (int y = 0; y < K0; y++)
        for (int x = 0; x < K0; x++)
            out[y][x] /= sum;
}

/* Index into a conv filter [k][k][in][out] or a transposed one [k][k][out][in]. */
static long conv_at(int k, int in, int out, int ky, int kx, int ci, int co)
{
    return (((long)ky * k + kx) * in + ci) * out + co;
}

static long deconv_at(int out, int in, int ky, int kx, int co, int ci)
{
    return (((long)ky * 3 + kx) * out + co) * in + ci;
}

/* Norm parameters: channel pairs (2i, 2i+1) carry +n and -n. */
static void pair_norm(struct sc_model *m, int id, int npairs)
{
    float *shift = sc_model_var_mut(m, id + 1), *scale = sc_model_var_mut(m, id + 2);
    for (int i = 0; i < npairs; i++) {
        shift[2 * i] = shift[2 * i + 1] = 0.0f;
        scale[2 * i] = 1.0f;
        scale[2 * i + 1] = -1.0f;
    }
}

static void first_layer(struct sc_model *m)
{
    static const double lum[3] = {0.299, 0.587, 0.114};
    double g1[K0][K0], g2[K0][K0];
    gaussian(1.0, g1);
    gaussian(1.6, g2);
    float *w = sc_model_var_mut(m, 0);
    for (int ky = 0; ky < K0; ky++)
        for (int kx = 0; kx < K0; kx++)
            for (int c = 0; c < 3; c++)
                for (int s = 0; s < 2; s++) {
                    w[conv_at(K0, 3, 32, ky, kx, c, 0 + s)] =
                        (float)(lum[c] * (g1[ky][kx] - g2[ky][kx]));
                    w[conv_at(K0, 3, 32, ky, kx, c, 2 + s)] = (float)(lum[c] * g1[ky][kx]);
                }
    pair_norm(m, 0, NMAPS);
}

/* Stride-2 3x3: quantity u at phase (dy,dx) -> quantity u*4 + phase. */
static void space_to_depth(struct sc_model *m, int id, int in, int out, int nq)
{
    float *w = sc_model_var_mut(m, id);
    for (int u = 0; u < nq; u++)
        for (int p = 0; p < 4; p++) {
            int dy = p / 2, dx = p % 2, t = u * 4 + p;
            for (int s = 0; s < 2; s++) {
                w[conv_at(3, in, out, dy, dx, 2 * u, 2 * t + s)] = 1.0f;
                w[conv_at(3, in, out, dy, dx, 2 * u + 1, 2 * t + s)] = -1.0f;
            }
        }
    pair_norm(m, id, nq * 4);
}

/* Transposed 3x3 stride 2: quantity u*4 + phase -> quantity u at that phase. */
static void depth_to_space(struct sc_model *m, int id, int in, int out, int nq)
{
    float *w = sc_model_var_mut(m, id);
    for (int u = 0; u < nq; u++)
        for (int p = 0; p < 4; p++) {
            int dy = p / 2, dx = p % 2, t = u * 4 + p;
            for (int s = 0; s < 2; s++) {
                w[deconv_at(out, in, dy, dx, 2 * u + s, 2 * t)] = 1.0f;
                w[deconv_at(out, in, dy, dx, 2 * u + s, 2 * t + 1)] = -1.0f;
            }
        }
    pair_norm(m, id, nq);
}

/* Last deconvolution: maps straight into ink and shade, one channel each. */
static void draw_layer(struct sc_model *m)
{
    const int id = 42, in = 64, out = 32;
    float *w = sc_model_var_mut(m, id);
    for (int map = 0; map < NMAPS; map++)
        for (int p = 0; p < 4; p++) {
            int dy = p / 2, dx = p % 2, t = map * 4 + p;
            w[deconv_at(out, in, dy, dx, map, 2 * t)] = 1.0f;
            w[deconv_at(out, in, dy, dx, map, 2 * t + 1)] = -1.0f;
        }
    float *shift = sc_model_var_mut(m, id + 1), *scale = sc_model_var_mut(m, id + 2);
    scale[0] = -1.5f;   /* ink: the dark side of edges */
    shift[0] = -0.5f;
    scale[1] = -0.35f;  /* shade: darker areas, lightly */
    shift[1] = -0.2f;
}

static void paper_layer(struct sc_model *m)
{
    const int id = 45;
    static const double soft[3] = {0.25, 0.5, 0.25};
    static const float paper[3] = {1.25f, 1.22f, 1.12f};   /* warm white */
    float *w = sc_model_var_mut(m, id);
    for (int ky = 0; ky < 3; ky++)
        for (int kx = 0; kx < 3; kx++)
            for (int c = 0; c < 3; c++) {
                double g = soft[ky] * soft[kx];
                w[conv_at(K0, 32, 3, 3 + ky, 3 + kx, 0, c)] = (float)-g;
                w[conv_at(K0, 32, 3, 3 + ky, 3 + kx, 1, c)] = (float)(-0.5 * g);
            }
    float *shift = sc_model_var_mut(m, id + 1), *scale = sc_model_var_mut(m, id + 2);
    for (int c = 0; c < 3; c++) {
        shift[c] = paper[c];
        scale[c] = 0.4f;
    }
}

enum sc_status sc_model_init_sketch(struct sc_model **out, struct sc_error *err)
{
    struct sc_model *m;
    enum sc_status st = sc_model_alloc("sketch", &m, err);
    if (st)
        return st;
    first_layer(m);
    space_to_depth(m, 3, 32, 64, NMAPS);
    space_to_depth(m, 6, 64, 128, NMAPS * 4);
    /* Residual blocks stay all zero: each adds nothing to its input. */
    depth_to_space(m, 39, 128, 64, NMAPS * 4);
    draw_layer(m);
    paper_layer(m);
    *out = m;
    return SC_OK;
}

/* A style network as data: a list of layers, each reading the outputs of
 * earlier layers (layer 0 is the input picture). The engine walks it; the
 * ml5 loader, the sketch generator and importers build it. */
#ifndef SC_NET_H
#define SC_NET_H

#include "common/status.h"

enum sc_op {
    SC_OP_INPUT, SC_OP_CONV, SC_OP_DECONV, SC_OP_NORM, SC_OP_RELU, SC_OP_TANH,
    SC_OP_SIGMOID, SC_OP_CLIP, SC_OP_SCALE, SC_OP_ADD, SC_OP_PAD, SC_OP_UPSAMPLE,
    SC_OP_LEAKY_RELU, SC_OP_COUNT
};

/* Padding of a convolution: explicit pad[], or TF/ONNX SAME (from the size). */
enum sc_pad_mode { SC_PAD_EXPLICIT, SC_PAD_SAME_UPPER, SC_PAD_SAME_LOWER };

/* One layer. Weights are copied into the net by sc_net_add.
 * conv:     w [k][k][in/groups][out], b [out] or NULL; pad[] zero padding
 * deconv:   w [k][k][out][in]; out = (n-1)*stride + k - pad_before - pad_after
 *           (a negative pad_after adds rows, ONNX's output padding)
 * norm:     instance norm, w = scale [c], b = shift [c], eps; a conditional
 *           norm (cond = the style vector's length V > 0) takes them from
 *           the vector instead: w = [c][V+1] and b = [c][V+1], each row V
 *           weights then a bias (scale = w_row . vec + w_row[V], likewise shift)
 * scale:    y = x*w[c] + b[c]
 * clip:     lo <= y <= hi;  leaky relu: y = x < 0 ? lo*x : x
 * pad:      pad[] rows/columns added (negative: cropped), border filled as above
 * upsample: nearest, factor stride
 * pad[] is top, left, bottom, right. */
struct sc_net_layer {
    enum sc_op op;
    char name[64];
    int in[2];               /* producing layers; in[1] only for add, else -1 */
    int out;                 /* channels out (conv, deconv) */
    int k, stride, groups;
    enum sc_pad_mode pad_mode;
    int pad[4];
    int border;              /* pad: 0 zero, 1 reflect, 2 edge (replicate) */
    float eps, lo, hi;
    const float *w, *b;
    long nw, nb;
    int cond;                /* norm: style-vector length of a conditional norm, 0 none */
};

/* Picture format on the way in and out of the network. */
struct sc_net_io {
    int bgr;                 /* channel order of the network's input and output */
    float in_range;          /* input pixels span 0..in_range (255 or 1) */
    float out_range;         /* output pixels span 0..out_range */
};

struct sc_net;

enum sc_status sc_net_init(struct sc_net **out, const char *name, const struct sc_net_io *io,
                           struct sc_error *err);
void sc_net_free(struct sc_net **np);
enum sc_status sc_net_copy(const struct sc_net *src, struct sc_net **out, struct sc_error *err);

/* Appends a layer after checking it against its inputs; *index is its number. */
enum sc_status sc_net_add(struct sc_net *n, const struct sc_net_layer *l, int *index,
                          struct sc_error *err);

/* The style vector's length a conditional style takes (0: none, the
 * default); set before adding conditional norms, which must match it. */
enum sc_status sc_net_set_vec_len(struct sc_net *n, int len, struct sc_error *err);
int sc_net_vec_len(const struct sc_net *n);

const char *sc_net_name(const struct sc_net *n);
const struct sc_net_io *sc_net_io(const struct sc_net *n);
int sc_net_count(const struct sc_net *n);
const struct sc_net_layer *sc_net_layer(const struct sc_net *n, int i);
/* Channels of layer i's output. */
int sc_net_channels(const struct sc_net *n, int i);

/* Every layer's output size for a w x h input (dims[i] = {h, w}); says in
 * one sentence which layer cannot run at this size. */
enum sc_status sc_net_shapes(const struct sc_net *n, int w, int h, int (*dims)[2],
                             struct sc_error *err);

/* TF/ONNX SAME padding of side n: output ceil(n/s); upper puts the odd
 * row after. */
void sc_net_same_pad(int n, int k, int s, int upper, int *before, int *after);

/* A conditional norm's scale and shift (c values each) for style vector
 * vec (l->cond floats): the C reference the engine computes them with. */
void sc_net_cond_affine(const struct sc_net_layer *l, const float *vec, float *scale,
                        float *shift);

/* Multiply-adds of one pass at w x h (0 when the size does not fit). */
double sc_net_macs(const struct sc_net *n, int w, int h);

#endif

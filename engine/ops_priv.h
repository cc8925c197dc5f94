/* One host wrapper per kernel: sets arguments, picks work sizes, enqueues.
 * Private to the engine and its tests (tests check each op against a plain C
 * reference). Activations are planar float buffers (C x H x W). */
#ifndef SC_OPS_H
#define SC_OPS_H

#include "engine/clrt_priv.h"

struct sc_kernels {
    cl_program prog;
    cl_kernel conv, conv9_b8, conv9_b3, conv3s2, conv_grouped, deconv, deconv_any;
    cl_kernel norm_stats, norm_apply, pointwise, add2, pad2d, upsample;
    cl_kernel in_rgb8, out_rgb8, out_f32;
    cl_kernel wino_in, wino_gemm, wino_out;
    size_t stats_local;   /* power-of-two work-group size for norm_stats */
};

/* The previous layer's instance norm, applied by a convolution as it loads
 * its input (stats from sc_ops_norm_stats): mode 1 affine, 2 then ReLU.
 * Only sc_ops_conv3x3_wino takes it; the others refuse it. */
struct sc_pre_norm {
    cl_mem stats, scale, shift;
    int mode;
};

/* A convolution's geometry: input c x h x w, output oc x oh x ow, zero
 * padding py, px before (the output size gives the rest). Biases are
 * zero-padded to a multiple of 16 floats. */
struct sc_conv_geom {
    int c, h, w, oc, oh, ow, k, stride, py, px;
    const struct sc_pre_norm *pre;   /* NULL: the input as it is */
};

/* Builds the embedded kernel sources once and creates every kernel. */
enum sc_status sc_ops_kernels_init(struct sc_clrt *rt, struct sc_kernels *k,
                               struct sc_error *err);
void sc_ops_kernels_free(struct sc_kernels *k);

/* TF SAME output size and padding-before for a side n. */
int sc_ops_same_out(int n, int stride);
int sc_ops_same_pad(int n, int k, int stride);

/* Packs TensorFlow filters into the kernels' layout [OC/OB][C][K][K][OB]
 * (zero-padded to a multiple of OB output channels), OB being the
 * output-channel block of the kernel that runs this shape
 * (sc_ops_pack_block). tf is [K][K][C][OC] for a convolution, [K][K][OC][C]
 * for a transposed one. dst holds sc_ops_packed_count(K, C, OC, OB) floats. */
int sc_ops_pack_block(int k, int stride, int oc, int transposed);
long sc_ops_packed_count(int k, int c, int oc, int ob);
void sc_ops_weights_pack(const float *tf, int k, int c, int oc, int transposed, int ob,
                     float *dst);

/* out = conv(in) + bias, weights packed for sc_ops_pack_block's block. */
enum sc_status sc_ops_conv(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                           const struct sc_conv_geom *g, cl_mem wt, cl_mem bias, cl_mem out,
                           cl_event *ev, struct sc_error *err);

/* Grouped convolution, weights unpacked [K][K][C/G][OC]. */
enum sc_status sc_ops_conv_grouped(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                                   const struct sc_conv_geom *g, int groups, cl_mem wt,
                                   cl_mem bias, cl_mem out, cl_event *ev,
                                   struct sc_error *err);

/* Winograd F(4x4,3x3) for 3x3 stride-1 convolutions. The filter
 * transform runs once at upload: tf [3][3][C][OC] -> U [36][C][OCP], OCP
 * being OC rounded up to SC_WINO_OCB (zero filters). */
#define SC_WINO_OCB 16
int sc_ops_wino_ocp(int oc);
long sc_ops_wino_filter_count(int c, int oc);
void sc_ops_wino_filter(const float *tf, int c, int oc, float *u);

/* Large planes run in chunks of tile rows, each chunk's scratch at most
 * limit floats (or one row of tiles), limit being sc_ops_wino_limit: on a
 * CPU 8 MB, which keeps a chunk's transformed tiles in the last-level cache
 * from one kernel to the next (at 640x480 the residual layers ran 17%
 * faster than in one 22 MB pass); elsewhere 64 MB, few large launches.
 * cmax is the larger of the input channels and sc_ops_wino_ocp(oc); the
 * scratch floats v and m each need for an h x w output. */
size_t sc_ops_wino_limit(const struct sc_clrt *rt);
int sc_ops_wino_chunk_rows(int cmax, int h, int w, size_t limit);
size_t sc_ops_wino_scratch_floats(int cmax, int h, int w, size_t limit);

/* out = conv3x3(in) + bias through scratch buffers v and m, each of
 * sc_ops_wino_scratch_floats(max(c, sc_ops_wino_ocp(oc)), oh, ow,
 * sc_ops_wino_limit(rt)) floats. */
enum sc_status sc_ops_conv3x3_wino(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                                   const struct sc_conv_geom *g, cl_mem u, cl_mem bias,
                                   cl_mem v, cl_mem m, cl_mem out, cl_event *ev,
                                   struct sc_error *err);

/* out = transposed conv(in) + bias; py, px are the padding before (the
 * output size gives the rest); weights packed with block 16. */
enum sc_status sc_ops_deconv(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                             const struct sc_conv_geom *g, cl_mem wt, cl_mem bias,
                             cl_mem out, cl_event *ev, struct sc_error *err);

/* stats[c] = (mean, 1/sqrt(var + eps)) of x, for a later sc_ops_norm's
 * apply or a convolution's sc_pre_norm. */
enum sc_status sc_ops_norm_stats(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem x,
                                 int c, int hw, float eps, cl_mem stats, cl_event *ev,
                                 struct sc_error *err);

/* y = norm(x) with shift/scale, then relu if asked, then + residual if
 * residual is not NULL; y may be x. stats holds >= c float2. */
enum sc_status sc_ops_norm(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem x, cl_mem y,
                           int c, int hw, float eps, cl_mem stats, cl_mem shift, cl_mem scale,
                           int relu, cl_mem residual, cl_event *ev, struct sc_error *err);

/* y = act(x) (then * scale[c] + shift[c] when scale is not NULL); y may be x.
 * clip: lo <= y <= hi; leaky: slope lo below 0. */
enum sc_act { SC_ACT_NONE, SC_ACT_RELU, SC_ACT_TANH, SC_ACT_SIGMOID, SC_ACT_CLIP,
              SC_ACT_LEAKY };
enum sc_status sc_ops_pointwise(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem x,
                                cl_mem y, int c, int hw, enum sc_act act, float lo, float hi,
                                cl_mem scale, cl_mem shift, cl_event *ev,
                                struct sc_error *err);

enum sc_status sc_ops_add(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem a, cl_mem b,
                          cl_mem y, size_t n, cl_event *ev, struct sc_error *err);

/* out (c x oh x ow) = in shifted by top, left (negative: cropped), the
 * border zero (0), reflected (1) or replicated (2). */
enum sc_status sc_ops_pad(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in, int c,
                          int h, int w, int top, int left, int border, cl_mem out, int oh,
                          int ow, cl_event *ev, struct sc_error *err);

enum sc_status sc_ops_upsample(struct sc_clrt *rt, const struct sc_kernels *k, cl_mem in,
                               int c, int h, int w, int f, cl_mem out, cl_event *ev,
                               struct sc_error *err);

/* The picture's format on the way in (mul = range/255) and out (mul =
 * 255/range); bgr swaps the first and last channels. */
struct sc_io_params {
    int bgr;
    float mul;
};

enum sc_status sc_ops_rgb8_to_planar(struct sc_clrt *rt, const struct sc_kernels *k,
                                    cl_mem in8, int w, int h, int mirror,
                                    const struct sc_io_params *io, cl_mem x,
                                    struct sc_error *err);

struct sc_out_params {
    float strength;   /* 0..1: blend of stylized over original */
    int keep_colors;  /* stylized luminance, original chroma */
    int mirror;       /* the original was mirrored on input */
    struct sc_io_params io;
};

enum sc_status sc_ops_planar_to_rgb8(struct sc_clrt *rt, const struct sc_kernels *k,
                                    cl_mem x, int ow, int oh, cl_mem orig8, int w,
                                    int h, const struct sc_out_params *p, cl_mem out8,
                                    struct sc_error *err);

enum sc_status sc_ops_planar_to_f32(struct sc_clrt *rt, const struct sc_kernels *k,
                                   cl_mem x, int ow, int oh, const struct sc_io_params *io,
                                   cl_mem outf, struct sc_error *err);

/* Shared by ops.c and ops_layers.c. */
struct sc_arg { size_t size; const void *ptr; };
#define SC_ARG(x) {sizeof(x), &(x)}
enum sc_status sc_ops_launch(struct sc_clrt *rt, cl_kernel k, const char *what,
                             const struct sc_arg *a, int nargs, int dims, const size_t *gws,
                             const size_t *lws, cl_event *ev, struct sc_error *err);
size_t sc_ops_round_up(size_t n, size_t m);

#endif

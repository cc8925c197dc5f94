/* One host wrapper per kernel: sets arguments, picks work sizes, enqueues.
 * Private to the engine and its tests (tests check each op against a plain C
 * reference). Activations are planar float buffers (C x H x W). */
#ifndef SC_OPS_H
#define SC_OPS_H

#include "engine/clrt_priv.h"

struct sc_kernels {
    cl_program prog;
    cl_kernel conv, conv9_b8, conv9_b3, conv3s2, deconv, norm_stats, norm_apply, in_rgb8, out_rgb8, out_f32;
    cl_kernel wino_in, wino_gemm, wino_out;
    size_t stats_local;   /* power-of-two work-group size for norm_stats */
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

/* out = conv(in), SAME padding; out is OC x ceil(H/S) x ceil(W/S). */
enum sc_status sc_ops_conv(struct sc_clrt *rt, const struct sc_kernels *k,
                          cl_mem in, int c, int h, int w, cl_mem wt, int ks,
                          int stride, cl_mem out, int oc, cl_event *ev,
                          struct sc_error *err);

/* Winograd F(4x4,3x3) for 3x3 stride-1 convolutions. The filter
 * transform runs once at upload: tf [3][3][C][OC] -> U [36][C][OC]. */
#define SC_WINO_OCB 16
long sc_ops_wino_filter_count(int c, int oc);
void sc_ops_wino_filter(const float *tf, int c, int oc, float *u);

/* Tile count padded for the GEMM, and the scratch each tensor needs. */
int sc_ops_wino_tiles_padded(int h, int w);
size_t sc_ops_wino_scratch_floats(int c, int h, int w);

/* out = conv3x3(in) through scratch buffers v (>= sc_ops_wino_scratch_floats(c))
 * and m (>= sc_ops_wino_scratch_floats(oc)); oc a multiple of SC_WINO_OCB. */
enum sc_status sc_ops_conv3x3_wino(struct sc_clrt *rt, const struct sc_kernels *k,
                                  cl_mem in, int c, int h, int w, cl_mem u, cl_mem v,
                                  cl_mem m, cl_mem out, int oc, cl_event *ev,
                                  struct sc_error *err);

/* out = transposed 3x3 stride-2 conv(in); out is OC x 2H x 2W. */
enum sc_status sc_ops_deconv(struct sc_clrt *rt, const struct sc_kernels *k,
                            cl_mem in, int c, int h, int w, cl_mem wt,
                            cl_mem out, int oc, cl_event *ev, struct sc_error *err);

/* In place: x = norm(x) with shift/scale, then relu if asked, then
 * + residual if residual is not NULL. stats holds >= c float2. */
enum sc_status sc_ops_norm(struct sc_clrt *rt, const struct sc_kernels *k,
                          cl_mem x, int c, int hw, cl_mem stats, cl_mem shift,
                          cl_mem scale, int relu, cl_mem residual, cl_event *ev,
                          struct sc_error *err);

enum sc_status sc_ops_rgb8_to_planar(struct sc_clrt *rt, const struct sc_kernels *k,
                                    cl_mem in8, int w, int h, int mirror, cl_mem x,
                                    struct sc_error *err);

struct sc_out_params {
    float strength;   /* 0..1: blend of stylized over original */
    int keep_colors;  /* stylized luminance, original chroma */
    int mirror;       /* the original was mirrored on input */
};

enum sc_status sc_ops_planar_to_rgb8(struct sc_clrt *rt, const struct sc_kernels *k,
                                    cl_mem x, int ow, int oh, cl_mem orig8, int w,
                                    int h, const struct sc_out_params *p, cl_mem out8,
                                    struct sc_error *err);

enum sc_status sc_ops_planar_to_f32(struct sc_clrt *rt, const struct sc_kernels *k,
                                   cl_mem x, int ow, int oh, cl_mem outf,
                                   struct sc_error *err);

#endif

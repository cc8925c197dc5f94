/* The style-transfer engine: one OpenCL device, every loaded style resident
 * on it, activations allocated once per frame size. Not thread-safe: one
 * thread (the processing thread) owns an engine. */
#ifndef SC_ENGINE_H
#define SC_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "common/frame.h"
#include "engine/model.h"
#include "common/status.h"

#define SC_ENGINE_MAX_INFLIGHT 2

struct sc_engine;

struct sc_engine_opts {
    int cl_device;      /* index from sc_engine_list_devices, -1 = a GPU first */
    int profiling;      /* time each layer (bench) */
    const char *cache_dir;  /* compiled kernels kept here between runs; NULL = none */
    int inflight;       /* frames in flight for submit/finish: 1, 2, or 0 = 2 on a GPU,
                           1 on a CPU device */
    int fp16;           /* half precision (--fp16): refused, in one sentence, on a
                           device without cl_khr_fp16; not implemented yet on others */
};

enum sc_status sc_engine_init(struct sc_engine **out, const struct sc_engine_opts *opts,
                              struct sc_error *err);
void sc_engine_free(struct sc_engine **ep);

/* Prints the OpenCL devices with their indices. */
enum sc_status sc_engine_list_devices(FILE *out, struct sc_error *err);

/* "NAME (PLATFORM DRIVER)" of the device in use. */
const char *sc_engine_device_name(const struct sc_engine *e);

/* 1 when the device is a CPU (no GPU behind the OpenCL driver). */
int sc_engine_is_cpu(const struct sc_engine *e);

/* Uploads a style's weights once; *index is its number for sc_engine_run.
 * The model may be freed afterwards. */
enum sc_status sc_engine_add_style(struct sc_engine *e, const struct sc_model *m,
                                   int *index, struct sc_error *err);
int sc_engine_style_count(const struct sc_engine *e);
const char *sc_engine_style_name(const struct sc_engine *e, int index);

/* Conditional styles (arbitrary style transfer): a network whose instance
 * norms take their scale and shift from a style vector (until one is set,
 * the zero vector: the norms' biases). The length of the vector style
 * takes, 0 for a style that takes none. */
int sc_engine_style_vec_len(const struct sc_engine *e, int style);

/* Sets style's vector (sc_engine_style_vec_len floats, finite): its norms'
 * scales and shifts are computed on the host and uploaded, ordered before
 * the next submitted frame; no kernel is built. Frames already in flight
 * keep the vector they were submitted with. */
enum sc_status sc_engine_set_style_vector(struct sc_engine *e, int style, const float *vec,
                                          struct sc_error *err);

/* Allocates the activations for w x h frames (done by run when the size
 * changes; call it early to fail before a window opens). */
enum sc_status sc_engine_prepare(struct sc_engine *e, int w, int h,
                                 struct sc_error *err);

/* Temporal stabilization (engine/stab.c): a motion-adaptive denoise of the
 * camera frame before the network, and a blend of the stylized frame with
 * the previous output warped by the optical flow between camera frames. */
enum sc_stabilize { SC_STAB_OFF, SC_STAB_ON, SC_STAB_STRONG };
#define SC_STAB_DEFAULT SC_STAB_ON

struct sc_run_params {
    float strength;     /* 0..1, 1 = fully stylized */
    int keep_colors;    /* keep the input's colours */
    int mirror;         /* flip the input horizontally */
    int stabilize;      /* enum sc_stabilize */
    int reset;          /* drop the stabilizer's history first (a new scene: style
                           switch, resume from pause, a re-rendered still); the
                           engine drops it itself on a size or style change */
};

/* Starts stylizing packed RGB w x h (rows of w*3 bytes) into out (same
 * size) and returns at once: in must stay unchanged and out unread until
 * the matching sc_engine_finish. At most sc_engine_inflight frames may be
 * in flight; they finish in order. The upload and download run on their own
 * queue, ordered against the network's kernels by events, so on a GPU the
 * next frame's upload overlaps this frame's network. */
enum sc_status sc_engine_submit(struct sc_engine *e, int style, const uint8_t *in,
                                int w, int h, const struct sc_run_params *p,
                                uint8_t *out, struct sc_error *err);

/* Waits for the oldest frame in flight; its out is then complete. */
enum sc_status sc_engine_finish(struct sc_engine *e, struct sc_error *err);

/* How many frames the engine takes in flight, and how many are. */
int sc_engine_inflight(const struct sc_engine *e);
int sc_engine_pending(const struct sc_engine *e);

/* Stylizes packed RGB w x h (rows of w*3 bytes) into out (same size):
 * submit and finish in one call. */
enum sc_status sc_engine_run(struct sc_engine *e, int style, const uint8_t *in,
                             int w, int h, const struct sc_run_params *p,
                             uint8_t *out, struct sc_error *err);

#endif

#include "engine/engine.h"
#include "engine/engine_prof.h"

#include <stdlib.h>
#include <string.h>

#include "engine/clrt_priv.h"
#include "engine/ops_priv.h"
#include "engine/peak_priv.h"
#include "engine/plan_priv.h"
#include "engine/stab_priv.h"

#define MAX_STYLES 64

/* A frame in flight: its own upload and download buffers and the events
 * that order them against the kernels on the other queue. */
struct slot {
    cl_mem in8, out8;
    cl_event up, done, down;   /* upload finished; kernels finished; download finished */
};

struct sc_engine {
    struct sc_clrt rt;
    int inflight;               /* frames the caller may keep in flight (1 or 2) */
    struct slot slot[SC_ENGINE_MAX_INFLIGHT];
    int head, pending;          /* oldest frame in flight, and how many */
    struct sc_kernels k;
    struct sc_stab stab;        /* its buffers go with the activations */
    int profiling;
    char label[600];
    struct sc_plan *styles[MAX_STYLES];
    int nstyles, last_style;
    /* Per frame size, shared by every style; (re)made by sc_engine_prepare. */
    int w, h;
    struct sc_plan_bufs bufs;
    cl_mem outf;
    size_t outf_floats;
    uint64_t act_bytes;
};

enum sc_status sc_engine_list_devices(FILE *out, struct sc_error *err)
{
    return sc_clrt_list_devices(out, err);
}

enum sc_status sc_engine_init(struct sc_engine **out, const struct sc_engine_opts *opts,
                              struct sc_error *err)
{
    struct sc_engine *e = calloc(1, sizeof *e);
    if (!e)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory starting the engine.");
    e->profiling = opts->profiling;
    e->inflight = opts->inflight;
    enum sc_status st = sc_clrt_init(&e->rt, opts->cl_device, opts->profiling, opts->cache_dir,
                                     err);
    if (!st && opts->fp16)
        st = e->rt.has_fp16
            ? sc_error_set(err, SC_ERR_ARG, "--fp16 is not implemented yet: %s has half "
                           "precision (cl_khr_fp16), but the engine's kernels run in float "
                           "only; leave --fp16 out.", e->rt.device_name)
            : sc_error_set(err, SC_ERR_ARG, "%s has no half precision (cl_khr_fp16), so "
                           "--fp16 cannot run on it; leave --fp16 out or pick another device "
                           "with --cl-device.", e->rt.device_name);
    if (!st)
        st = sc_ops_kernels_init(&e->rt, &e->k, err);
    if (!st)
        st = sc_stab_init(&e->stab, &e->rt, e->k.prog, opts->profiling, err);
    if (st) {
        sc_engine_free(&e);
        return st;
    }
    snprintf(e->label, sizeof e->label, "%s (%s)", e->rt.device_name, e->rt.driver);
    /* Overlap pays where transfers and kernels run on different hardware;
     * on a CPU a second frame in flight only adds latency. */
    if (e->inflight <= 0)
        e->inflight = e->rt.is_cpu ? 1 : 2;
    if (e->inflight > SC_ENGINE_MAX_INFLIGHT)
        e->inflight = SC_ENGINE_MAX_INFLIGHT;
    *out = e;
    return SC_OK;
}

static void release(cl_mem *m)
{
    if (*m)
        clReleaseMemObject(*m);
    *m = NULL;
}

static void release_events(struct slot *k)
{
    cl_event *ev[] = {&k->up, &k->done, &k->down};
    for (int i = 0; i < 3; i++)
        if (*ev[i]) {
            clReleaseEvent(*ev[i]);
            *ev[i] = NULL;
        }
}

static void free_activations(struct sc_engine *e)
{
    for (int i = 0; i < SC_ENGINE_MAX_INFLIGHT; i++) {
        release(&e->slot[i].in8);
        release(&e->slot[i].out8);
        release_events(&e->slot[i]);
    }
    release(&e->bufs.x0);
    release(&e->bufs.stats);
    release(&e->outf);
    e->outf_floats = 0;
    for (int i = 0; i < SC_PLAN_MAX_SLOTS; i++)
        release(&e->bufs.pool[i]);
    sc_stab_release(&e->stab);
    e->w = e->h = 0;
    e->act_bytes = 0;
}

void sc_engine_free(struct sc_engine **ep)
{
    struct sc_engine *e = *ep;
    *ep = NULL;
    if (!e)
        return;
    if (e->rt.queue)
        clFinish(e->rt.queue);
    if (e->rt.xfer)
        clFinish(e->rt.xfer);
    free_activations(e);
    sc_stab_free(&e->stab);
    for (int s = 0; s < e->nstyles; s++)
        sc_plan_free(&e->styles[s]);
    sc_ops_kernels_free(&e->k);
    sc_clrt_free(&e->rt);
    free(e);
}

const char *sc_engine_device_name(const struct sc_engine *e) { return e->label; }

int sc_engine_is_cpu(const struct sc_engine *e)
{
    return e->rt.is_cpu;
}
int sc_engine_inflight(const struct sc_engine *e) { return e->inflight; }
int sc_engine_pending(const struct sc_engine *e) { return e->pending; }
int sc_engine_cache_hit(const struct sc_engine *e) { return e->rt.cache_hit; }
int sc_engine_style_count(const struct sc_engine *e) { return e->nstyles; }

const char *sc_engine_style_name(const struct sc_engine *e, int index)
{
    return index >= 0 && index < e->nstyles ? sc_plan_name(e->styles[index]) : NULL;
}

enum sc_status sc_engine_add_style(struct sc_engine *e, const struct sc_model *m,
                                   int *index, struct sc_error *err)
{
    if (e->nstyles == MAX_STYLES)
        return sc_error_set(err, SC_ERR_ARG, "Cannot load style '%s': at most %d styles "
                            "can be loaded at once.", sc_model_name(m), MAX_STYLES);
    struct sc_net *net = NULL;
    enum sc_status st = sc_model_net(m, &net, err);
    if (!st)
        st = sc_engine_add_net(e, net, index, err);
    sc_net_free(&net);
    return st;
}

enum sc_status sc_engine_add_net(struct sc_engine *e, const struct sc_net *net, int *index,
                                 struct sc_error *err)
{
    if (e->nstyles == MAX_STYLES)
        return sc_error_set(err, SC_ERR_ARG, "Cannot load style '%s': at most %d styles "
                            "can be loaded at once.", sc_net_name(net), MAX_STYLES);
    struct sc_plan *p = NULL;
    enum sc_status st = sc_plan_init(&p, &e->rt, net, err);
    if (st)
        return st;
    /* The next frame places this style's activations too. */
    if (!e->pending)
        free_activations(e);
    e->w = e->h = 0;
    e->styles[e->nstyles] = p;
    if (index)
        *index = e->nstyles;
    e->nstyles++;
    return SC_OK;
}

uint64_t sc_engine_device_bytes(const struct sc_engine *e)
{
    uint64_t b = e->act_bytes + e->stab.bytes;
    for (int s = 0; s < e->nstyles; s++)
        b += sc_plan_weight_bytes(e->styles[s]);
    return b;
}

/* Every style's activations at w x h: the pool buffers each must hold. */
static enum sc_status plan_pool(struct sc_engine *e, int w, int h, size_t f[SC_PLAN_MAX_SLOTS],
                                int *n, struct sc_error *err)
{
    memset(f, 0, SC_PLAN_MAX_SLOTS * sizeof *f);
    *n = 0;
    enum sc_status st = SC_OK;
    for (int s = 0; !st && s < e->nstyles; s++) {
        size_t one[SC_PLAN_MAX_SLOTS] = {0};
        int k = 0;
        st = sc_plan_size(e->styles[s], w, h, one, &k, err);
        for (int i = 0; i < k; i++)
            f[i] = one[i] > f[i] ? one[i] : f[i];
        *n = k > *n ? k : *n;
    }
    return st;
}

static enum sc_status check_size(struct sc_engine *e, int w, int h, const size_t *f, int n,
                                 struct sc_error *err)
{
    uint64_t total = (uint64_t)w * h * 3 * 2 * SC_ENGINE_MAX_INFLIGHT +
                     (uint64_t)w * h * 3 * 4, largest = 0;
    for (int i = 0; i < n; i++) {
        total += f[i] * sizeof(float);
        if (f[i] * sizeof(float) > largest)
            largest = f[i] * sizeof(float);
    }
    uint64_t weights = sc_engine_device_bytes(e) - e->act_bytes - e->stab.bytes;
    if (largest > e->rt.max_alloc)
        return sc_error_set(err, SC_ERR_TOO_LARGE, "A %dx%d frame is too large for "
                            "OpenCL device '%s': it needs a %llu MiB buffer but the "
                            "device allows at most %llu MiB in one allocation; use a "
                            "smaller size.", w, h, e->rt.device_name,
                            (unsigned long long)(largest >> 20),
                            (unsigned long long)(e->rt.max_alloc >> 20));
    if (total + weights > e->rt.global_mem)
        return sc_error_set(err, SC_ERR_TOO_LARGE, "A %dx%d frame is too large for "
                            "OpenCL device '%s': it needs %llu MiB of device memory but "
                            "the device has %llu MiB; use a smaller size.", w, h,
                            e->rt.device_name,
                            (unsigned long long)((total + weights) >> 20),
                            (unsigned long long)(e->rt.global_mem >> 20));
    return SC_OK;
}

static enum sc_status alloc(struct sc_engine *e, size_t bytes, cl_mem *out,
                            struct sc_error *err)
{
    cl_int rc;
    *out = clCreateBuffer(e->rt.ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
    if (!*out)
        return sc_clrt_fail(&e->rt, err, "Allocating frame buffers", rc);
    e->act_bytes += bytes;
    return SC_OK;
}

enum sc_status sc_engine_prepare(struct sc_engine *e, int w, int h, struct sc_error *err)
{
    if (w == e->w && h == e->h)
        return SC_OK;
    if (w < SC_MIN_SIDE || h < SC_MIN_SIDE)
        return sc_error_set(err, SC_ERR_ARG, "A %dx%d frame is too small: the network "
                            "needs at least %dx%d pixels.", w, h, SC_MIN_SIDE, SC_MIN_SIDE);
    if (e->pending)
        return sc_error_set(err, SC_ERR_ARG, "The frame size changed with frames in flight; "
                            "finish them first.");
    free_activations(e);
    size_t f[SC_PLAN_MAX_SLOTS];
    int nslots = 0, maxc = 1;
    enum sc_status st = plan_pool(e, w, h, f, &nslots, err);
    if (!st)
        st = check_size(e, w, h, f, nslots, err);
    for (int s = 0; s < e->nstyles; s++)
        if (sc_plan_max_norm_channels(e->styles[s]) > maxc)
            maxc = sc_plan_max_norm_channels(e->styles[s]);
    size_t px = (size_t)w * h;
    for (int i = 0; !st && i < SC_ENGINE_MAX_INFLIGHT; i++) {
        st = alloc(e, px * 3, &e->slot[i].in8, err);
        if (!st)
            st = alloc(e, px * 3, &e->slot[i].out8, err);
    }
    if (!st) st = alloc(e, px * 3 * sizeof(float), &e->bufs.x0, err);
    if (!st) st = alloc(e, (size_t)maxc * 2 * sizeof(float), &e->bufs.stats, err);
    for (int i = 0; !st && i < nslots; i++)
        st = alloc(e, f[i] * sizeof(float), &e->bufs.pool[i], err);
    if (st) {
        free_activations(e);
        return st;
    }
    e->w = w;
    e->h = h;
    return SC_OK;
}

static enum sc_status check_style(struct sc_engine *e, int style, struct sc_error *err)
{
    if (style < 0 || style >= e->nstyles)
        return sc_error_set(err, SC_ERR_ARG, "There is no style number %d (%d are "
                            "loaded).", style, e->nstyles);
    return SC_OK;
}

/* Uploads on the transfer queue, then runs the network on the kernel
 * queue once the upload's event fires (after the stabilizer's input part
 * when p asks for it; p NULL: plain); returns the output buffer and the
 * frame the network read (*orig). */
static enum sc_status upload_and_run(struct sc_engine *e, struct slot *k, int style,
                                     const uint8_t *in, const struct sc_run_params *p,
                                     cl_mem *orig, cl_mem *result, int *ow, int *oh,
                                     struct sc_error *err)
{
    size_t n = (size_t)e->w * e->h * 3;
    cl_int rc = clEnqueueWriteBuffer(e->rt.xfer, k->in8, CL_FALSE, 0, n, in, 0, NULL, &k->up);
    if (rc == CL_SUCCESS)
        rc = clEnqueueBarrierWithWaitList(e->rt.queue, 1, &k->up, NULL);
    if (rc != CL_SUCCESS)
        return sc_clrt_fail(&e->rt, err, "Uploading a frame", rc);
    enum sc_status st = SC_OK;
    *orig = k->in8;
    if (p && p->stabilize != SC_STAB_OFF)
        st = sc_stab_input(&e->stab, &e->rt, k->in8, e->w, e->h, style, p, orig, err);
    else if (p)
        sc_stab_skip(&e->stab);
    const struct sc_net_io *nio = sc_plan_io(e->styles[style]);
    struct sc_io_params io = {nio->bgr, nio->in_range / 255.0f};
    if (!st)
        st = sc_ops_rgb8_to_planar(&e->rt, &e->k, *orig, e->w, e->h, p ? p->mirror : 0,
                                   &io, e->bufs.x0, err);
    e->last_style = style;
    return st ? st : sc_plan_run(e->styles[style], &e->rt, &e->k, &e->bufs, e->profiling,
                                 result, ow, oh, err);
}

enum sc_status sc_engine_submit(struct sc_engine *e, int style, const uint8_t *in, int w,
                                int h, const struct sc_run_params *p, uint8_t *out,
                                struct sc_error *err)
{
    enum sc_status st = check_style(e, style, err);
    if (st)
        return st;
    if (e->pending >= e->inflight)
        return sc_error_set(err, SC_ERR_ARG, "%d frames are in flight already; finish one "
                            "first.", e->pending);
    if ((st = sc_engine_prepare(e, w, h, err)))
        return st;
    struct slot *k = &e->slot[(e->head + e->pending) % SC_ENGINE_MAX_INFLIGHT];
    release_events(k);
    cl_mem y, orig;
    int ow = 0, oh = 0;
    const struct sc_net_io *nio = sc_plan_io(e->styles[style]);
    struct sc_out_params op = {p->strength, p->keep_colors, p->mirror,
                               {nio->bgr, 255.0f / nio->out_range}};
    st = upload_and_run(e, k, style, in, p, &orig, &y, &ow, &oh, err);
    if (!st)
        st = sc_ops_planar_to_rgb8(&e->rt, &e->k, y, ow, oh, orig, w, h, &op,
                                  k->out8, err);
    if (!st && p->stabilize != SC_STAB_OFF)
        st = sc_stab_output(&e->stab, &e->rt, k->out8, err);
    if (st) {
        clFinish(e->rt.queue);
        clFinish(e->rt.xfer);
        return st;
    }
    cl_int rc = clEnqueueMarkerWithWaitList(e->rt.queue, 0, NULL, &k->done);
    if (rc == CL_SUCCESS)
        rc = clEnqueueReadBuffer(e->rt.xfer, k->out8, CL_FALSE, 0, (size_t)w * h * 3, out,
                                 1, &k->done, &k->down);
    if (rc == CL_SUCCESS)
        rc = clFlush(e->rt.queue);
    if (rc == CL_SUCCESS)
        rc = clFlush(e->rt.xfer);
    if (rc != CL_SUCCESS) {
        clFinish(e->rt.queue);
        clFinish(e->rt.xfer);
        return sc_clrt_fail(&e->rt, err, "Stylizing a frame", rc);
    }
    e->pending++;
    return SC_OK;
}

enum sc_status sc_engine_finish(struct sc_engine *e, struct sc_error *err)
{
    if (!e->pending)
        return SC_OK;
    struct slot *k = &e->slot[e->head];
    e->head = (e->head + 1) % SC_ENGINE_MAX_INFLIGHT;
    e->pending--;
    cl_int status = CL_COMPLETE;
    cl_int rc = clWaitForEvents(1, &k->down);
    if (rc == CL_SUCCESS)
        rc = clGetEventInfo(k->down, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status,
                            &status, NULL);
    if (rc == CL_SUCCESS && status < 0)
        rc = status;
    return rc == CL_SUCCESS ? SC_OK : sc_clrt_fail(&e->rt, err, "Stylizing a frame", rc);
}

enum sc_status sc_engine_run(struct sc_engine *e, int style, const uint8_t *in,
                             int w, int h, const struct sc_run_params *p,
                             uint8_t *out, struct sc_error *err)
{
    enum sc_status st = SC_OK;
    while (!st && e->pending)
        st = sc_engine_finish(e, err);
    if (!st)
        st = sc_engine_submit(e, style, in, w, h, p, out, err);
    return st ? st : sc_engine_finish(e, err);
}

enum sc_status sc_engine_run_f32(struct sc_engine *e, int style, const uint8_t *in,
                                 int w, int h, float *out, int *ow, int *oh,
                                 struct sc_error *err)
{
    enum sc_status st = check_style(e, style, err);
    while (!st && e->pending)
        st = sc_engine_finish(e, err);
    if (!st)
        st = sc_engine_prepare(e, w, h, err);
    cl_mem y, orig;
    int w2 = 0, h2 = 0;
    struct slot *k = &e->slot[e->head];
    if (!st) {
        release_events(k);
        st = upload_and_run(e, k, style, in, NULL, &orig, &y, &w2, &h2, err);
    }
    size_t n = (size_t)w2 * h2 * 3;
    if (!st && e->outf_floats < n) {
        release(&e->outf);
        st = alloc(e, n * sizeof(float), &e->outf, err);
        e->outf_floats = st ? 0 : n;
    }
    const struct sc_net_io *nio = st ? NULL : sc_plan_io(e->styles[style]);
    struct sc_io_params io = {nio ? nio->bgr : 0, nio ? 255.0f / nio->out_range : 1};
    if (!st)
        st = sc_ops_planar_to_f32(&e->rt, &e->k, y, w2, h2, &io, e->outf, err);
    if (st) {
        clFinish(e->rt.queue);
        clFinish(e->rt.xfer);
        return st;
    }
    cl_int rc = clEnqueueReadBuffer(e->rt.queue, e->outf, CL_TRUE, 0, n * sizeof(float),
                                    out, 0, NULL, NULL);
    if (rc != CL_SUCCESS)
        return sc_clrt_fail(&e->rt, err, "Stylizing a frame", rc);
    *ow = w2;
    *oh = h2;
    return SC_OK;
}

double sc_engine_style_macs(const struct sc_engine *e, int style)
{
    return style >= 0 && style < e->nstyles && e->w ? sc_plan_macs(e->styles[style]) : 0;
}

int sc_engine_layer_macs(const struct sc_engine *e, int style, double *direct, double *real,
                         int n)
{
    if (style < 0 || style >= e->nstyles || !e->w)
        return 0;
    return sc_plan_step_macs(e->styles[style], direct, real, n);
}

enum sc_status sc_engine_fma_peak(struct sc_engine *e, double *gflops, int *width,
                                  struct sc_error *err)
{
    return sc_peak_measure(&e->rt, e->k.prog, gflops, width, err);
}

int sc_engine_layer_times(const struct sc_engine *e, double *ms, const char **names, int n)
{
    if (!e->profiling || e->last_style >= e->nstyles)
        return 0;
    return sc_plan_times(e->styles[e->last_style], ms, names, n);
}

int sc_engine_stab_flow(struct sc_engine *e, float *flow, int cap, int *fw, int *fh)
{
    return sc_stab_read_flow(&e->stab, &e->rt, flow, cap, fw, fh);
}

double sc_engine_stab_ms(const struct sc_engine *e)
{
    return sc_stab_ms(&e->stab);
}

int sc_engine_style_vec_len(const struct sc_engine *e, int style)
{
    return style >= 0 && style < e->nstyles ? sc_plan_vec_len(e->styles[style]) : 0;
}

/* Until a vector is set, a conditional style runs with the zero vector. The
 * write is ordered on the kernel queue, so frames in flight keep theirs. */
enum sc_status sc_engine_set_style_vector(struct sc_engine *e, int style, const float *vec,
                                          struct sc_error *err)
{
    enum sc_status st = check_style(e, style, err);
    return st ? st : sc_plan_set_vector(e->styles[style], &e->rt, vec, err);
}

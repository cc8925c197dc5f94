#include "engine/engine.h"
#include "engine/engine_prof.h"

#include <stdlib.h>
#include <string.h>

#include "engine/arch.h"
#include "engine/clrt_priv.h"
#include "engine/ops_priv.h"

#define MAX_STYLES 64
#define NPOOL 5          /* activation buffers shared by all layers */

struct style_gpu {
    char name[128];
    int wino[SC_NET_LAYERS];   /* 1: wt holds Winograd-transformed filters */
    cl_mem wt[SC_NET_LAYERS], shift[SC_NET_LAYERS], scale[SC_NET_LAYERS];
    uint64_t bytes;
};

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
    int profiling;
    char label[600];
    struct style_gpu styles[MAX_STYLES];
    int nstyles;
    /* Per frame size; (re)made by sc_engine_prepare. */
    int w, h, ow, oh;
    cl_mem x0, stats, outf;
    cl_mem pool[NPOOL];
    size_t pool_floats[NPOOL];
    uint64_t act_bytes;
    cl_event ev_start[SC_NET_LAYERS], ev_end[SC_NET_LAYERS];   /* profiling */
};

static const char *const layer_names[SC_NET_LAYERS] = {
    "conv1 9x9", "conv2 3x3/2", "conv3 3x3/2",
    "res1a", "res1b", "res2a", "res2b", "res3a", "res3b", "res4a", "res4b",
    "res5a", "res5b", "deconv1", "deconv2", "conv4 9x9",
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
    if (!st)
        st = sc_ops_kernels_init(&e->rt, &e->k, err);
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
    release(&e->x0);
    release(&e->stats);
    release(&e->outf);
    for (int i = 0; i < NPOOL; i++)
        release(&e->pool[i]);
    for (int i = 0; i < SC_NET_LAYERS; i++) {
        if (e->ev_start[i])
            clReleaseEvent(e->ev_start[i]);
        if (e->ev_end[i])
            clReleaseEvent(e->ev_end[i]);
        e->ev_start[i] = e->ev_end[i] = NULL;
    }
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
    for (int s = 0; s < e->nstyles; s++)
        for (int i = 0; i < SC_NET_LAYERS; i++) {
            release(&e->styles[s].wt[i]);
            release(&e->styles[s].shift[i]);
            release(&e->styles[s].scale[i]);
        }
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
    return index >= 0 && index < e->nstyles ? e->styles[index].name : NULL;
}

static enum sc_status upload(struct sc_engine *e, const float *data, size_t n,
                             cl_mem *out, uint64_t *bytes, struct sc_error *err)
{
    cl_int rc;
    *out = clCreateBuffer(e->rt.ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                          n * sizeof(float), (void *)data, &rc);
    if (!*out)
        return sc_clrt_fail(&e->rt, err, "Uploading style weights", rc);
    *bytes += n * sizeof(float);
    return SC_OK;
}

/* 3x3 stride-1 layers (the residual blocks) run as Winograd F(4x4,3x3). */
static int use_winograd(const struct sc_layer *l)
{
    return l->kind == SC_LAYER_CONV && l->k == 3 && l->stride == 1 &&
           l->out % SC_WINO_OCB == 0;
}

static enum sc_status upload_layer(struct sc_engine *e, struct style_gpu *s, int i,
                                   const struct sc_model *m, struct sc_error *err)
{
    const struct sc_layer *l = &sc_net_layers[i];
    s->wino[i] = use_winograd(l);
    int deconv = l->kind == SC_LAYER_DECONV;
    int ob = sc_ops_pack_block(l->k, l->stride, l->out, deconv);
    long n = s->wino[i] ? sc_ops_wino_filter_count(l->in, l->out)
                        : sc_ops_packed_count(l->k, l->in, l->out, ob);
    float *packed = malloc((size_t)n * sizeof *packed);
    if (!packed)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory uploading a style.");
    if (s->wino[i])
        sc_ops_wino_filter(sc_model_var(m, l->id), l->in, l->out, packed);
    else
        sc_ops_weights_pack(sc_model_var(m, l->id), l->k, l->in, l->out, deconv, ob, packed);
    enum sc_status st = upload(e, packed, (size_t)n, &s->wt[i], &s->bytes, err);
    free(packed);
    if (!st)
        st = upload(e, sc_model_var(m, l->id + 1), (size_t)l->out, &s->shift[i],
                    &s->bytes, err);
    if (!st)
        st = upload(e, sc_model_var(m, l->id + 2), (size_t)l->out, &s->scale[i],
                    &s->bytes, err);
    return st;
}

enum sc_status sc_engine_add_style(struct sc_engine *e, const struct sc_model *m,
                                   int *index, struct sc_error *err)
{
    if (e->nstyles == MAX_STYLES)
        return sc_error_set(err, SC_ERR_ARG, "Cannot load style '%s': at most %d styles "
                            "can be loaded at once.", sc_model_name(m), MAX_STYLES);
    struct style_gpu *s = &e->styles[e->nstyles];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", sc_model_name(m));
    enum sc_status st = SC_OK;
    for (int i = 0; !st && i < SC_NET_LAYERS; i++)
        st = upload_layer(e, s, i, m, err);
    if (st) {
        for (int i = 0; i < SC_NET_LAYERS; i++) {
            release(&s->wt[i]);
            release(&s->shift[i]);
            release(&s->scale[i]);
        }
        return st;
    }
    if (index)
        *index = e->nstyles;
    e->nstyles++;
    return SC_OK;
}

uint64_t sc_engine_device_bytes(const struct sc_engine *e)
{
    uint64_t b = e->act_bytes;
    for (int s = 0; s < e->nstyles; s++)
        b += e->styles[s].bytes;
    return b;
}

/* The buffer sizes a w x h frame needs, in floats: the first layers' full
 * resolution maps dominate; three quarter-resolution maps carry the
 * residual blocks. */
static void plan_pool(int w, int h, size_t f[NPOOL])
{
    size_t ow = (size_t)sc_arch_out_size(w), oh = (size_t)sc_arch_out_size(h);
    size_t w1 = (size_t)sc_ops_same_out(w, 2), h1 = (size_t)sc_ops_same_out(h, 2);
    size_t q = (ow / 4) * (oh / 4);
    size_t b = 64 * w1 * h1;
    if (b < 64 * 4 * q)
        b = 64 * 4 * q;
    /* The two large buffers double as Winograd scratch in the residual blocks. */
    size_t wino = sc_ops_wino_scratch_floats(128, (int)(oh / 4), (int)(ow / 4));
    f[0] = 32 * ow * oh > wino ? 32 * ow * oh : wino;
    f[1] = b > wino ? b : wino;
    f[2] = f[3] = f[4] = 128 * q;
}

static enum sc_status check_size(struct sc_engine *e, int w, int h, const size_t f[NPOOL],
                                 struct sc_error *err)
{
    uint64_t total = (uint64_t)w * h * 3 * 2 * SC_ENGINE_MAX_INFLIGHT +
                     (uint64_t)w * h * 3 * 4;
    for (int i = 0; i < NPOOL; i++)
        total += f[i] * sizeof(float);
    uint64_t largest = f[0] * sizeof(float);
    uint64_t weights = sc_engine_device_bytes(e) - e->act_bytes;
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
    size_t f[NPOOL];
    plan_pool(w, h, f);
    enum sc_status st = check_size(e, w, h, f, err);
    size_t px = (size_t)w * h;
    for (int i = 0; !st && i < SC_ENGINE_MAX_INFLIGHT; i++) {
        st = alloc(e, px * 3, &e->slot[i].in8, err);
        if (!st)
            st = alloc(e, px * 3, &e->slot[i].out8, err);
    }
    if (!st) st = alloc(e, px * 3 * sizeof(float), &e->x0, err);
    if (!st) st = alloc(e, 128 * 2 * sizeof(float), &e->stats, err);
    for (int i = 0; !st && i < NPOOL; i++) {
        st = alloc(e, f[i] * sizeof(float), &e->pool[i], err);
        e->pool_floats[i] = f[i];
    }
    if (st) {
        free_activations(e);
        return st;
    }
    e->w = w;
    e->h = h;
    e->ow = sc_arch_out_size(w);
    e->oh = sc_arch_out_size(h);
    return SC_OK;
}

/* The smallest pool buffer that holds n floats and is none of busy[0..3]. */
static cl_mem pick(struct sc_engine *e, size_t n, const cl_mem busy[4])
{
    int best = -1;
    for (int i = 0; i < NPOOL; i++) {
        int used = 0;
        for (int j = 0; j < 4; j++)
            used |= busy[j] && busy[j] == e->pool[i];
        if (!used && e->pool_floats[i] >= n &&
            (best < 0 || e->pool_floats[i] < e->pool_floats[best]))
            best = i;
    }
    return e->pool[best];
}

/* One convolution layer: Winograd for 3x3 stride 1, else direct. */
static enum sc_status run_conv(struct sc_engine *e, const struct style_gpu *s, int i,
                               cl_mem cur, cl_mem block_in, cl_mem dst, int c, int h,
                               int w, cl_event *ev, struct sc_error *err)
{
    const struct sc_layer *l = &sc_net_layers[i];
    if (l->kind == SC_LAYER_DECONV)
        return sc_ops_deconv(&e->rt, &e->k, cur, c, h, w, s->wt[i], dst, l->out, ev, err);
    if (!s->wino[i])
        return sc_ops_conv(&e->rt, &e->k, cur, c, h, w, s->wt[i], l->k, l->stride, dst,
                          l->out, ev, err);
    size_t need = sc_ops_wino_scratch_floats(c > l->out ? c : l->out, h, w);
    cl_mem busy[4] = {cur, block_in, dst, NULL};
    busy[3] = pick(e, need, busy);
    cl_mem v = busy[3], m = pick(e, need, busy);
    return sc_ops_conv3x3_wino(&e->rt, &e->k, cur, c, h, w, s->wt[i], v, m, dst, l->out,
                              ev, err);
}

/* Where a profiled layer's first or last command records its event. */
static cl_event *layer_event(struct sc_engine *e, cl_event *slot)
{
    if (!e->profiling)
        return NULL;
    if (*slot)
        clReleaseEvent(*slot);
    *slot = NULL;
    return slot;
}

/* Runs the layers on e->x0; returns the buffer with the 3-channel output. */
static enum sc_status forward(struct sc_engine *e, const struct style_gpu *s,
                              cl_mem *result, struct sc_error *err)
{
    cl_mem cur = e->x0, block_in = NULL;
    int c = 3, h = e->h, w = e->w;
    enum sc_status st = SC_OK;
    for (int i = 0; !st && i < SC_NET_LAYERS; i++) {
        const struct sc_layer *l = &sc_net_layers[i];
        int deconv = l->kind == SC_LAYER_DECONV;
        int nh = deconv ? h * 2 : sc_ops_same_out(h, l->stride);
        int nw = deconv ? w * 2 : sc_ops_same_out(w, l->stride);
        if (l->res == SC_RES_BEGIN)
            block_in = cur;
        cl_mem busy[4] = {cur, block_in, NULL, NULL};
        cl_mem dst = pick(e, (size_t)l->out * nh * nw, busy);
        st = run_conv(e, s, i, cur, block_in, dst, c, h, w,
                      layer_event(e, &e->ev_start[i]), err);
        if (!st)
            st = sc_ops_norm(&e->rt, &e->k, dst, l->out, nh * nw, e->stats, s->shift[i],
                            s->scale[i], l->relu, l->res == SC_RES_END ? block_in : NULL,
                            layer_event(e, &e->ev_end[i]), err);
        if (l->res == SC_RES_END)
            block_in = NULL;
        cur = dst;
        c = l->out;
        h = nh;
        w = nw;
    }
    *result = cur;
    return st;
}

static enum sc_status check_style(struct sc_engine *e, int style, struct sc_error *err)
{
    if (style < 0 || style >= e->nstyles)
        return sc_error_set(err, SC_ERR_ARG, "There is no style number %d (%d are "
                            "loaded).", style, e->nstyles);
    return SC_OK;
}

/* Uploads on the transfer queue, then runs the network on the kernel
 * queue once the upload's event fires; returns the output buffer. */
static enum sc_status upload_and_run(struct sc_engine *e, struct slot *k, int style,
                                     const uint8_t *in, int mirror, cl_mem *result,
                                     struct sc_error *err)
{
    size_t n = (size_t)e->w * e->h * 3;
    cl_int rc = clEnqueueWriteBuffer(e->rt.xfer, k->in8, CL_FALSE, 0, n, in, 0, NULL, &k->up);
    if (rc == CL_SUCCESS)
        rc = clEnqueueBarrierWithWaitList(e->rt.queue, 1, &k->up, NULL);
    if (rc != CL_SUCCESS)
        return sc_clrt_fail(&e->rt, err, "Uploading a frame", rc);
    enum sc_status st = sc_ops_rgb8_to_planar(&e->rt, &e->k, k->in8, e->w, e->h, mirror,
                                             e->x0, err);
    return st ? st : forward(e, &e->styles[style], result, err);
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
    cl_mem y;
    struct sc_out_params op = {p->strength, p->keep_colors, p->mirror};
    st = upload_and_run(e, k, style, in, p->mirror, &y, err);
    if (!st)
        st = sc_ops_planar_to_rgb8(&e->rt, &e->k, y, e->ow, e->oh, k->in8, w, h, &op,
                                  k->out8, err);
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
    cl_mem y;
    struct slot *k = &e->slot[e->head];
    if (!st) {
        release_events(k);
        st = upload_and_run(e, k, style, in, 0, &y, err);
    }
    size_t n = (size_t)e->ow * e->oh * 3;
    if (!st && !e->outf)
        st = alloc(e, n * sizeof(float), &e->outf, err);
    if (!st)
        st = sc_ops_planar_to_f32(&e->rt, &e->k, y, e->ow, e->oh, e->outf, err);
    if (st) {
        clFinish(e->rt.queue);
        clFinish(e->rt.xfer);
        return st;
    }
    cl_int rc = clEnqueueReadBuffer(e->rt.queue, e->outf, CL_TRUE, 0, n * sizeof(float),
                                    out, 0, NULL, NULL);
    if (rc != CL_SUCCESS)
        return sc_clrt_fail(&e->rt, err, "Stylizing a frame", rc);
    *ow = e->ow;
    *oh = e->oh;
    return SC_OK;
}

int sc_engine_layer_times(const struct sc_engine *e, double *ms, const char **names, int n)
{
    int k = 0;
    for (int i = 0; e->profiling && i < SC_NET_LAYERS && k < n; i++) {
        cl_ulong t0 = 0, t1 = 0;
        if (!e->ev_start[i] || !e->ev_end[i] ||
            clGetEventProfilingInfo(e->ev_start[i], CL_PROFILING_COMMAND_START, sizeof t0,
                                    &t0, NULL) != CL_SUCCESS ||
            clGetEventProfilingInfo(e->ev_end[i], CL_PROFILING_COMMAND_END, sizeof t1, &t1,
                                    NULL) != CL_SUCCESS)
            return k;
        ms[k] = t1 > t0 ? (double)(t1 - t0) * 1e-6 : 0.0;
        names[k++] = layer_names[i];
    }
    return k;
}

/* The PipeWire virtual camera (sc_vcam_pipewire in sink.h): a stream that
 * publishes a Video/Source node, by default named "stylecam", which camera
 * portals (browsers, OBS) list beside real cameras.
 *
 * Note for the caller (app/output/output_vcam.c), the fault contract:
 *   - open fails with one sentence when no PipeWire daemon answers (socket
 *     $XDG_RUNTIME_DIR/pipewire-0 absent or refusing) or the node cannot be
 *     made; it returns within about 5 s (it waits for the node to exist).
 *   - write returns SC_ERR_DEVICE_LOST with one sentence once the daemon has
 *     gone (it stopped, crashed or dropped us); every later write says the
 *     same. The caller closes the sink, says the sentence once, goes on with
 *     its other outputs, and calls open again periodically (about once a
 *     second: open costs a socket connect when the daemon is down) until it
 *     succeeds; the new node then carries the next frames (the last frame is
 *     repeated by the caller as usual). Nothing here retries by itself.
 *   - write never blocks for long: with no consumer, or with every buffer
 *     held by consumers, the frame is dropped (SC_OK; counted, said at close
 *     with -v).
 *
 * Threads: PipeWire's own thread (a pw_thread_loop) runs the connection, the
 * stream's events and the registry; the vcam thread calls open, write,
 * consumers and close, and takes the thread loop's lock for each. Every field
 * below the lock line in struct pw_vcam is guarded by that lock.
 *
 * Formats offered (EnumFormat, one object with a choice of formats, the
 * consumer picks): YUY2 first (what cameras give, so the default), then BGRx,
 * RGBx, RGB, BGR; the request's size, fixed; the request's rate as the
 * default of a range of rates. YUY2 is BT.601 limited range through
 * libswscale; the RGB family is a plain loop. The stream drives its graph
 * (PW_STREAM_FLAG_DRIVER): a frame queued is a graph cycle, so consumers get
 * frames at the rate the caller writes them. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/builder.h>
#include <spa/utils/result.h>

#include "app/vcam/loopback.h"
#include "app/vcam/sink.h"
#include "common/log.h"

#define DEFAULT_NODE "stylecam"
#define OPEN_TIMEOUT_NS (5 * SPA_NSEC_PER_SEC)
#define MAX_LINKS 64

struct link_rec {
    uint32_t id, out_node;
};

struct pw_vcam {
    char name[128];
    char socket[512];               /* where the daemon was, for sentences */
    int w, h;
    struct spa_fraction rate;

    struct pw_thread_loop *loop;
    struct pw_context *context;
    struct SwsContext *sws;         /* the vcam thread only (under the lock) */
    enum AVPixelFormat sws_dst;
    uint64_t written, dropped;      /* the vcam thread only */

    /* ---- guarded by the thread loop's lock ---- */
    struct pw_core *core;
    struct spa_hook core_listener;
    struct pw_registry *registry;
    struct spa_hook registry_listener;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    enum pw_stream_state state;
    int lost;                       /* the daemon went away, or the stream failed */
    char why[256];                  /* what PipeWire said when it failed */
    uint32_t format;                /* the negotiated SPA_VIDEO_FORMAT_*, 0 before */
    int stride;                     /* of the negotiated format */
    uint64_t seq;
    struct link_rec links[MAX_LINKS];
    int nlinks;
    int links_overflow;             /* more links than recorded: count unknown */
};

static pthread_once_t pw_once = PTHREAD_ONCE_INIT;
static void init_pipewire(void) { pw_init(NULL, NULL); }

static int bytes_per_pixel(uint32_t f)
{
    switch (f) {
    case SPA_VIDEO_FORMAT_YUY2: return 2;
    case SPA_VIDEO_FORMAT_BGRx:
    case SPA_VIDEO_FORMAT_RGBx: return 4;
    case SPA_VIDEO_FORMAT_RGB:
    case SPA_VIDEO_FORMAT_BGR: return 3;
    default: return 0;
    }
}

/* The socket PipeWire connects to, as libpipewire finds it. */
static void socket_path(char *buf, size_t n)
{
    const char *dir = getenv("PIPEWIRE_RUNTIME_DIR");
    if (!dir || !*dir)
        dir = getenv("XDG_RUNTIME_DIR");
    const char *name = getenv("PIPEWIRE_REMOTE");
    if (!name || !*name)
        name = "pipewire-0";
    if (name[0] == '/')
        snprintf(buf, n, "%s", name);
    else
        snprintf(buf, n, "%s/%s", dir && *dir ? dir : "$XDG_RUNTIME_DIR", name);
}

/* ---- PipeWire's thread: events (the loop lock is held) ---- */

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
    struct pw_vcam *v = data;
    if (id == PW_ID_CORE) {
        v->lost = 1;
        if (!v->why[0])
            snprintf(v->why, sizeof v->why, "%s", message ? message : spa_strerror(res));
        pw_thread_loop_signal(v->loop, false);
    }
}

static const struct pw_core_events core_events = {
    PW_VERSION_CORE_EVENTS,
    .error = on_core_error,
};

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type,
                      uint32_t version, const struct spa_dict *props)
{
    struct pw_vcam *v = data;
    if (strcmp(type, PW_TYPE_INTERFACE_Link) != 0 || !props)
        return;
    const char *out = spa_dict_lookup(props, PW_KEY_LINK_OUTPUT_NODE);
    if (!out)
        return;
    if (v->nlinks == MAX_LINKS) {
        v->links_overflow = 1;
        return;
    }
    v->links[v->nlinks].id = id;
    v->links[v->nlinks].out_node = (uint32_t)strtoul(out, NULL, 10);
    v->nlinks++;
}

static void on_global_remove(void *data, uint32_t id)
{
    struct pw_vcam *v = data;
    for (int i = 0; i < v->nlinks; i++) {
        if (v->links[i].id == id) {
            v->links[i] = v->links[--v->nlinks];
            return;
        }
    }
}

static const struct pw_registry_events registry_events = {
    PW_VERSION_REGISTRY_EVENTS,
    .global = on_global,
    .global_remove = on_global_remove,
};

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
                             const char *error)
{
    struct pw_vcam *v = data;
    v->state = state;
    if (state == PW_STREAM_STATE_ERROR) {
        v->lost = 1;
        if (!v->why[0])
            snprintf(v->why, sizeof v->why, "%s", error ? error : "stream error");
    }
    if (state == PW_STREAM_STATE_UNCONNECTED && old != PW_STREAM_STATE_UNCONNECTED)
        v->lost = 1;
    pw_thread_loop_signal(v->loop, false);
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
    struct pw_vcam *v = data;
    if (id != SPA_PARAM_Format)
        return;
    if (!param) {           /* the format was cleared (the consumers left) */
        v->format = 0;
        return;
    }
    struct spa_video_info_raw info;
    memset(&info, 0, sizeof info);
    if (spa_format_video_raw_parse(param, &info) < 0 ||
        bytes_per_pixel(info.format) == 0 ||
        (int)info.size.width != v->w || (int)info.size.height != v->h) {
        pw_stream_set_error(v->stream, -EINVAL, "stylecam: unsupported format");
        return;
    }
    v->format = info.format;
    v->stride = SPA_ROUND_UP_N(v->w * bytes_per_pixel(info.format), 4);

    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof buf);
    const struct spa_pod *params[2];
    params[0] = spa_pod_builder_add_object(&b,
        SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
        SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(4, 2, 16),
        SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
        SPA_PARAM_BUFFERS_size, SPA_POD_Int(v->stride * v->h),
        SPA_PARAM_BUFFERS_stride, SPA_POD_Int(v->stride),
        SPA_PARAM_BUFFERS_align, SPA_POD_Int(16));
    params[1] = spa_pod_builder_add_object(&b,
        SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
        SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
        SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)));
    pw_stream_update_params(v->stream, params, 2);
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state_changed,
    .param_changed = on_param_changed,
};

/* ---- the vcam thread ---- */

static struct spa_fraction rate_of(double fps)
{
    /* 30 -> 30/1, 29.97 -> 2997/100 (exact enough; consumers only read it) */
    uint32_t den = 1;
    while (den < 1000 && (double)(uint32_t)(fps * den + 0.5) / den != fps)
        den *= 10;
    uint32_t num = (uint32_t)(fps * den + 0.5);
    if (num == 0)
        num = 1;
    return SPA_FRACTION(num, den);
}

static void pw_vcam_close(void *priv);

static enum sc_status pw_vcam_open(void **priv, const struct sc_vcam_request *req, char *where,
                                   size_t n, struct sc_error *err)
{
    if (!req || req->w < SC_MIN_SIDE || req->h < SC_MIN_SIDE || (req->w & 1) || !(req->fps > 0))
        return sc_error_set(err, SC_ERR_ARG, "The PipeWire camera needs an even frame width of "
                            "at least %d pixels and a positive rate.", SC_MIN_SIDE);
    const char *name = req->spec && *req->spec ? req->spec : DEFAULT_NODE;
    if (strlen(name) >= 128)
        return sc_error_set(err, SC_ERR_ARG, "The PipeWire node name '%.60s…' is too long "
                            "(127 bytes at most).", name);

    pthread_once(&pw_once, init_pipewire);
    struct pw_vcam *v = calloc(1, sizeof *v);
    if (!v)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory opening the PipeWire camera.");
    snprintf(v->name, sizeof v->name, "%s", name);
    socket_path(v->socket, sizeof v->socket);
    v->w = req->w;
    v->h = req->h;
    v->rate = rate_of(req->fps);
    v->sws_dst = AV_PIX_FMT_NONE;
    v->state = PW_STREAM_STATE_UNCONNECTED;

    enum sc_status st = SC_OK;
    v->loop = pw_thread_loop_new("sc-vcam-pw", NULL);
    if (v->loop)
        v->context = pw_context_new(pw_thread_loop_get_loop(v->loop), NULL, 0);
    if (!v->loop || !v->context || pw_thread_loop_start(v->loop) < 0) {
        st = sc_error_set(err, SC_ERR_NOMEM, "Could not start PipeWire's client thread "
                          "(%s).", strerror(errno));
        pw_vcam_close(v);
        return st;
    }

    pw_thread_loop_lock(v->loop);
    v->core = pw_context_connect(v->context, NULL, 0);
    if (!v->core) {
        int e = errno;
        pw_thread_loop_unlock(v->loop);
        char sock[512], why[160] = "";
        snprintf(sock, sizeof sock, "%s", v->socket);
        if (e != ENOENT && e != ECONNREFUSED && e != EHOSTDOWN)
            snprintf(why, sizeof why, ": %s", strerror(e));
        pw_vcam_close(v);
        return sc_error_set(err, SC_ERR_NOT_FOUND,
            "PipeWire is not running (no daemon at %s%s); start it with "
            "'systemctl --user start pipewire wireplumber', or use a v4l2loopback device: "
            "%s, then --vcam auto.", sock, why, SC_VCAM_MODPROBE);
    }
    pw_core_add_listener(v->core, &v->core_listener, &core_events, v);
    v->registry = pw_core_get_registry(v->core, PW_VERSION_REGISTRY, 0);
    if (v->registry)
        pw_registry_add_listener(v->registry, &v->registry_listener, &registry_events, v);

    v->stream = pw_stream_new(v->core, v->name, pw_properties_new(
        PW_KEY_MEDIA_TYPE, "Video",
        PW_KEY_MEDIA_CATEGORY, "Capture",
        PW_KEY_MEDIA_ROLE, "Camera",
        PW_KEY_MEDIA_CLASS, "Video/Source",
        PW_KEY_NODE_NAME, v->name,
        PW_KEY_NODE_DESCRIPTION, v->name,
        PW_KEY_MEDIA_NAME, v->name,
        PW_KEY_APP_NAME, "stylecam",
        NULL));
    if (!v->stream) {
        int e = errno;
        pw_thread_loop_unlock(v->loop);
        pw_vcam_close(v);
        return sc_error_set(err, SC_ERR_IO, "Could not make the PipeWire stream '%s' (%s).",
                            name, strerror(e));
    }
    pw_stream_add_listener(v->stream, &v->stream_listener, &stream_events, v);

    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof buf);
    struct spa_fraction maxrate = v->rate.num >= 120 * v->rate.denom ? v->rate : SPA_FRACTION(120, 1);
    const struct spa_pod *params[1];
    params[0] = spa_pod_builder_add_object(&b,
        SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
        SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
        SPA_FORMAT_VIDEO_format, SPA_POD_CHOICE_ENUM_Id(6,
            SPA_VIDEO_FORMAT_YUY2, SPA_VIDEO_FORMAT_YUY2, SPA_VIDEO_FORMAT_BGRx,
            SPA_VIDEO_FORMAT_RGBx, SPA_VIDEO_FORMAT_RGB, SPA_VIDEO_FORMAT_BGR),
        SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&SPA_RECTANGLE((uint32_t)v->w, (uint32_t)v->h)),
        SPA_FORMAT_VIDEO_framerate, SPA_POD_CHOICE_RANGE_Fraction(
            &v->rate, &SPA_FRACTION(0, 1), &maxrate));

    int res = pw_stream_connect(v->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                                PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
    if (res < 0) {
        pw_thread_loop_unlock(v->loop);
        pw_vcam_close(v);
        return sc_error_set(err, SC_ERR_IO, "Could not publish the PipeWire node '%s' (%s).",
                            name, spa_strerror(res));
    }

    /* Until the node exists (PAUSED) or the daemon refuses it. */
    struct timespec deadline;
    pw_thread_loop_get_time(v->loop, &deadline, OPEN_TIMEOUT_NS);
    while (!v->lost && v->state != PW_STREAM_STATE_PAUSED &&
           v->state != PW_STREAM_STATE_STREAMING) {
        if (pw_thread_loop_timed_wait_full(v->loop, &deadline) == -ETIMEDOUT)
            break;
    }
    if (v->lost || (v->state != PW_STREAM_STATE_PAUSED && v->state != PW_STREAM_STATE_STREAMING)) {
        char why[256], sock[512];
        snprintf(why, sizeof why, "%s", !v->lost ? "no answer within 5 s" :
                 v->why[0] ? v->why : "no reason given");
        snprintf(sock, sizeof sock, "%s", v->socket);
        int lost = v->lost;
        pw_thread_loop_unlock(v->loop);
        pw_vcam_close(v);
        return sc_error_set(err, lost ? SC_ERR_IO : SC_ERR_BUSY,
                            "The PipeWire daemon at %s did not accept the camera node '%s' "
                            "(%s); check that pipewire and wireplumber run.", sock, name, why);
    }
    uint32_t node_id = pw_stream_get_node_id(v->stream);
    pw_thread_loop_unlock(v->loop);

    if (where && n)
        snprintf(where, n, "PipeWire node '%s' (id %u)", v->name, node_id);
    *priv = v;
    return SC_OK;
}

static enum AVPixelFormat av_format(uint32_t f)
{
    return f == SPA_VIDEO_FORMAT_YUY2 ? AV_PIX_FMT_YUYV422 : AV_PIX_FMT_NONE;
}

/* Converts the packed RGB frame into dst (stride bytes a row) in format f. */
static int convert(struct pw_vcam *v, const struct sc_frame *rgb, uint32_t f, uint8_t *dst,
                   int stride)
{
    int w = v->w, h = v->h;
    if (f == SPA_VIDEO_FORMAT_YUY2) {
        if (v->sws_dst != av_format(f) || !v->sws) {
            /* Default coefficients and ranges: BT.601, limited (16-235). */
            v->sws = sws_getCachedContext(v->sws, w, h, AV_PIX_FMT_RGB24, w, h, av_format(f),
                                          SWS_BILINEAR | SWS_ACCURATE_RND, NULL, NULL, NULL);
            if (!v->sws)
                return -1;
            v->sws_dst = av_format(f);
        }
        const uint8_t *src[4] = {rgb->rgb, NULL, NULL, NULL};
        const int src_stride[4] = {w * 3, 0, 0, 0};
        uint8_t *d[4] = {dst, NULL, NULL, NULL};
        const int d_stride[4] = {stride, 0, 0, 0};
        sws_scale(v->sws, src, src_stride, 0, h, d, d_stride);
        return 0;
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *s = rgb->rgb + (size_t)y * w * 3;
        uint8_t *o = dst + (size_t)y * stride;
        switch (f) {
        case SPA_VIDEO_FORMAT_RGB:
            memcpy(o, s, (size_t)w * 3);
            break;
        case SPA_VIDEO_FORMAT_BGR:
            for (int x = 0; x < w; x++, s += 3, o += 3) {
                o[0] = s[2]; o[1] = s[1]; o[2] = s[0];
            }
            break;
        case SPA_VIDEO_FORMAT_RGBx:
            for (int x = 0; x < w; x++, s += 3, o += 4) {
                o[0] = s[0]; o[1] = s[1]; o[2] = s[2]; o[3] = 0xff;
            }
            break;
        case SPA_VIDEO_FORMAT_BGRx:
            for (int x = 0; x < w; x++, s += 3, o += 4) {
                o[0] = s[2]; o[1] = s[1]; o[2] = s[0]; o[3] = 0xff;
            }
            break;
        default:
            return -1;
        }
    }
    return 0;
}

static enum sc_status pw_vcam_write(void *priv, const struct sc_frame *rgb, struct sc_error *err)
{
    struct pw_vcam *v = priv;
    if (!rgb || rgb->w != v->w || rgb->h != v->h)
        return sc_error_set(err, SC_ERR_ARG, "A %dx%d frame for the %dx%d PipeWire camera '%s'.",
                            rgb ? rgb->w : 0, rgb ? rgb->h : 0, v->w, v->h, v->name);

    enum sc_status st = SC_OK;
    pw_thread_loop_lock(v->loop);
    if (v->lost) {
        st = sc_error_set(err, SC_ERR_DEVICE_LOST,
                          "PipeWire stopped (the daemon at %s closed the connection: %s); "
                          "the camera '%s' comes back when PipeWire runs again.",
                          v->socket, v->why[0] ? v->why : "no reason given", v->name);
        goto out;
    }
    if (v->state != PW_STREAM_STATE_STREAMING || !v->format)
        goto out;       /* nobody reads: nothing to do */

    struct pw_buffer *b = pw_stream_dequeue_buffer(v->stream);
    if (!b) {
        v->dropped++;   /* every buffer is with the consumers */
        goto out;
    }
    struct spa_buffer *buf = b->buffer;
    struct spa_data *d = &buf->datas[0];
    int stride = v->stride;
    if (!d->data || d->maxsize < (uint32_t)(stride * v->h) ||
        convert(v, rgb, v->format, d->data, stride) < 0) {
        /* Not ours to fill (unmapped, too small): give it back empty. */
        d->chunk->offset = 0;
        d->chunk->size = 0;
        d->chunk->stride = stride;
        d->chunk->flags = SPA_CHUNK_FLAG_CORRUPTED;
        pw_stream_queue_buffer(v->stream, b);
        v->dropped++;
        goto out;
    }
    d->chunk->offset = 0;
    d->chunk->size = (uint32_t)(stride * v->h);
    d->chunk->stride = stride;
    d->chunk->flags = 0;
    struct spa_meta_header *hdr = spa_buffer_find_meta_data(buf, SPA_META_Header, sizeof *hdr);
    if (hdr) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        hdr->pts = (int64_t)SPA_TIMESPEC_TO_NSEC(&now);
        hdr->flags = 0;
        hdr->seq = v->seq;
        hdr->dts_offset = 0;
    }
    v->seq++;
    pw_stream_queue_buffer(v->stream, b);
    if (pw_stream_is_driving(v->stream))
        pw_stream_trigger_process(v->stream);
    v->written++;
out:
    pw_thread_loop_unlock(v->loop);
    return st;
}

static int pw_vcam_consumers(void *priv)
{
    struct pw_vcam *v = priv;
    int n = -1;
    pw_thread_loop_lock(v->loop);
    if (!v->lost && v->registry && !v->links_overflow) {
        uint32_t node = pw_stream_get_node_id(v->stream);
        n = 0;
        for (int i = 0; i < v->nlinks; i++)
            n += v->links[i].out_node == node;
        /* A consumer can stream before its link shows in the registry. */
        if (n == 0 && v->state == PW_STREAM_STATE_STREAMING)
            n = 1;
    }
    pw_thread_loop_unlock(v->loop);
    return n;
}

static void pw_vcam_close(void *priv)
{
    struct pw_vcam *v = priv;
    if (!v)
        return;
    /* PipeWire's thread stops first: work it still had queued (a process
     * call marshalled from the data loop, a trigger) would otherwise run on a
     * stream already destroyed (seen as a crash in that thread at exit). With
     * it stopped, everything is torn down from this thread alone. */
    if (v->loop)
        pw_thread_loop_stop(v->loop);
    if (v->stream) {
        spa_hook_remove(&v->stream_listener);
        pw_stream_disconnect(v->stream);
        pw_stream_destroy(v->stream);
    }
    if (v->registry) {
        spa_hook_remove(&v->registry_listener);
        pw_proxy_destroy((struct pw_proxy *)v->registry);
    }
    if (v->core) {
        spa_hook_remove(&v->core_listener);
        pw_core_disconnect(v->core);
    }
    if (v->context)
        pw_context_destroy(v->context);
    if (v->loop)
        pw_thread_loop_destroy(v->loop);
    if (v->written || v->dropped)
        sc_debug("PipeWire camera '%s': %llu frames delivered, %llu dropped (no free buffer)",
                 v->name, (unsigned long long)v->written, (unsigned long long)v->dropped);
    sws_freeContext(v->sws);
    free(v);
}

const struct sc_vcam_sink_driver sc_vcam_pipewire = {
    .name = "pipewire",
    .open = pw_vcam_open,
    .write = pw_vcam_write,
    .consumers = pw_vcam_consumers,
    .close = pw_vcam_close,
};

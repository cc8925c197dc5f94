/* The PipeWire camera source: a node of media.class Video/Source (a MIPI
 * camera that libcamera hands to PipeWire, another program's video) read
 * through a pw_stream, as PipeWire's src/examples/video-play.c and OBS's
 * linux-pipewire camera source do.
 *
 * Threads: libpipewire runs its own loop thread (a pw_thread_loop, whose
 * lock guards everything marked "loop" below); its callbacks (registry,
 * core, stream) run there with the lock held. The capture thread calls
 * open/read/close, each taking the lock. The stream's process callback only
 * keeps the newest dequeued buffer (handing an older one straight back) and
 * signals; read() waits on the loop's condition for it, converts it with
 * libswscale into the caller's RGB buffer under the lock (the buffer cannot
 * be recycled or unmapped meanwhile) and queues it back. Nothing is
 * allocated per frame: the scaler context is made once per size/format.
 *
 * Loss: the camera's node removed from the registry (the program offering
 * it quit, the camera went away) or the connection to the daemon broken
 * (it stopped) make read() return SC_ERR_DEVICE_LOST; the capture thread
 * then closes everything and calls open again until it works. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#include <pipewire/pipewire.h>
#include <spa/debug/types.h>
#include <spa/param/video/format-utils.h>
#include <spa/param/video/type-info.h>
#include <spa/pod/builder.h>
#include <spa/pod/iter.h>
#include <spa/utils/result.h>

#include "app/capture/pipewire_cameras.h"
#include "app/capture/source.h"
#include "common/clock.h"
#include "common/log.h"

#define MAX_CAMS 16
#define ROUNDTRIP_MS 2000       /* a daemon that does not answer this soon is hung */
#define NEGOTIATE_MS 3000       /* the camera agrees on a format, or open fails */
#define PREFIX "pipewire"
#define ALIGN4(x) (((x) + 3) & ~3)

/* ---- the connection and its registry (shared by listing and the source) ---- */

struct pw_cam {
    uint32_t id;
    char name[128];             /* node.name */
    char desc[128];             /* node.description (may be empty) */
    char serial[32];            /* object.serial: what the stream targets */
    /* --list-devices only: */
    struct pw_proxy *proxy;
    struct spa_hook listener;
    char formats[1024];         /* one "    FMT WxH @ R fps" line per format */
};

struct pw_session {
    struct pw_thread_loop *loop;
    struct pw_context *ctx;
    struct pw_core *core;
    struct spa_hook core_listener;
    struct pw_registry *registry;
    struct spa_hook registry_listener;
    int sync_seq, synced;       /* loop */
    int dead;                   /* loop: the connection to the daemon broke */
    struct pw_cam cams[MAX_CAMS];   /* loop */
    int ncams;                  /* loop */
    uint32_t watch_id;          /* loop: the camera in use (SPA_ID_INVALID: none) */
    int watch_gone;             /* loop: its node was removed */
};

static pthread_once_t pw_once = PTHREAD_ONCE_INIT;
static void init_pipewire(void)
{
    pw_init(NULL, NULL);
}

static void on_core_done(void *data, uint32_t id, int seq)
{
    struct pw_session *s = data;
    if (id == PW_ID_CORE && seq == s->sync_seq) {
        s->synced = 1;
        pw_thread_loop_signal(s->loop, false);
    }
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
    struct pw_session *s = data;
    sc_debug("pipewire: error on object %u: %s (%s)", id, message ? message : "",
             spa_strerror(res));
    if (id == PW_ID_CORE && res == -EPIPE) {
        s->dead = 1;
        pw_thread_loop_signal(s->loop, false);
    }
}

static const struct pw_core_events core_events = {
    PW_VERSION_CORE_EVENTS,
    .done = on_core_done,
    .error = on_core_error,
};

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type,
                      uint32_t version, const struct spa_dict *props)
{
    struct pw_session *s = data;
    if (strcmp(type, PW_TYPE_INTERFACE_Node) != 0 || !props)
        return;
    const char *cls = spa_dict_lookup(props, PW_KEY_MEDIA_CLASS);
    const char *name = spa_dict_lookup(props, PW_KEY_NODE_NAME);
    if (!cls || strcmp(cls, "Video/Source") != 0 || !name ||
        strcmp(name, SC_PIPEWIRE_VCAM_NODE) == 0 || s->ncams >= MAX_CAMS)
        return;
    const char *desc = spa_dict_lookup(props, PW_KEY_NODE_DESCRIPTION);
    const char *serial = spa_dict_lookup(props, PW_KEY_OBJECT_SERIAL);
    struct pw_cam *c = &s->cams[s->ncams++];
    memset(c, 0, sizeof *c);
    c->id = id;
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->desc, sizeof c->desc, "%s", desc ? desc : "");
    snprintf(c->serial, sizeof c->serial, "%s", serial ? serial : "");
}

static void on_global_remove(void *data, uint32_t id)
{
    struct pw_session *s = data;
    if (id == s->watch_id) {
        s->watch_gone = 1;
        pw_thread_loop_signal(s->loop, false);
    }
}

static const struct pw_registry_events registry_events = {
    PW_VERSION_REGISTRY_EVENTS,
    .global = on_global,
    .global_remove = on_global_remove,
};

/* Loop locked. Waits until the daemon has answered everything asked so far;
 * 0, or -1 when it broke or did not answer within ROUNDTRIP_MS. */
static int roundtrip(struct pw_session *s)
{
    s->synced = 0;
    s->sync_seq = pw_core_sync(s->core, PW_ID_CORE, s->sync_seq);
    struct timespec abstime;
    pw_thread_loop_get_time(s->loop, &abstime, (int64_t)ROUNDTRIP_MS * SPA_NSEC_PER_MSEC);
    while (!s->synced && !s->dead)
        if (pw_thread_loop_timed_wait_full(s->loop, &abstime) < 0)
            break;
    return s->synced && !s->dead ? 0 : -1;
}

static void session_close(struct pw_session *s)
{
    if (s->loop)
        pw_thread_loop_stop(s->loop);   /* nothing runs on it from here on */
    for (int i = 0; i < s->ncams; i++)
        if (s->cams[i].proxy)
            pw_proxy_destroy(s->cams[i].proxy);
    if (s->registry)
        pw_proxy_destroy((struct pw_proxy *)s->registry);
    if (s->core)
        pw_core_disconnect(s->core);
    if (s->ctx)
        pw_context_destroy(s->ctx);
    if (s->loop)
        pw_thread_loop_destroy(s->loop);
    memset(s, 0, sizeof *s);
}

static enum sc_status no_daemon(struct sc_error *err, const char *why)
{
    return sc_error_set(err, SC_ERR_NOT_FOUND,
                        "No PipeWire daemon answers (%s): start it (systemctl --user start "
                        "pipewire wireplumber), or use a V4L2 camera from --list-devices.",
                        why);
}

/* Connects and reads the registry once; on SC_OK the loop is running and
 * LOCKED (the caller unlocks). On failure everything is released. */
static enum sc_status session_open(struct pw_session *s, struct sc_error *err)
{
    pthread_once(&pw_once, init_pipewire);
    memset(s, 0, sizeof *s);
    s->watch_id = SPA_ID_INVALID;
    s->loop = pw_thread_loop_new("sc-pipewire", NULL);
    if (s->loop)
        s->ctx = pw_context_new(pw_thread_loop_get_loop(s->loop),
                                pw_properties_new(PW_KEY_APP_NAME, "stylecam", NULL), 0);
    if (!s->loop || !s->ctx || pw_thread_loop_start(s->loop) < 0) {
        session_close(s);
        return sc_error_set(err, SC_ERR_NOMEM, "Could not start PipeWire's client thread.");
    }
    pw_thread_loop_lock(s->loop);
    s->core = pw_context_connect(s->ctx, NULL, 0);
    if (!s->core) {
        int e = errno;
        pw_thread_loop_unlock(s->loop);
        session_close(s);
        return no_daemon(err, strerror(e));
    }
    pw_core_add_listener(s->core, &s->core_listener, &core_events, s);
    s->registry = pw_core_get_registry(s->core, PW_VERSION_REGISTRY, 0);
    pw_registry_add_listener(s->registry, &s->registry_listener, &registry_events, s);
    if (roundtrip(s) < 0) {
        int dead = s->dead;
        pw_thread_loop_unlock(s->loop);
        session_close(s);
        return no_daemon(err, dead ? "the connection broke" : "no reply within 2 s");
    }
    return SC_OK;
}

/* "testcam (Test Camera), other" into buf: the cameras for a message. */
static void cam_list(const struct pw_session *s, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->ncams && used < n; i++) {
        const struct pw_cam *c = &s->cams[i];
        int k = c->desc[0] && strcmp(c->desc, c->name) != 0
                    ? snprintf(buf + used, n - used, "%s%s (%s)", i ? ", " : "", c->name, c->desc)
                    : snprintf(buf + used, n - used, "%s%s", i ? ", " : "", c->name);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

/* The camera the spec names ("pipewire" = the first), or NULL. */
static struct pw_cam *find_cam(struct pw_session *s, const char *name)
{
    for (int i = 0; i < s->ncams; i++)
        if (!name || !*name || strcmp(s->cams[i].name, name) == 0 ||
            strcmp(s->cams[i].desc, name) == 0)
            return &s->cams[i];
    return NULL;
}

int sc_pipewire_is_spec(const char *spec)
{
    size_t n = strlen(PREFIX);
    return spec && strncmp(spec, PREFIX, n) == 0 && (spec[n] == '\0' || spec[n] == ':');
}

/* ---- formats: what stylecam converts, and how they read in a listing ---- */

static const struct {
    uint32_t spa;
    enum AVPixelFormat av;
    int bpp;                    /* bytes per pixel of a packed format; 0 = planar */
} formats[] = {
    {SPA_VIDEO_FORMAT_YUY2, AV_PIX_FMT_YUYV422, 2},
    {SPA_VIDEO_FORMAT_UYVY, AV_PIX_FMT_UYVY422, 2},
    {SPA_VIDEO_FORMAT_RGB, AV_PIX_FMT_RGB24, 3},
    {SPA_VIDEO_FORMAT_BGR, AV_PIX_FMT_BGR24, 3},
    {SPA_VIDEO_FORMAT_BGRx, AV_PIX_FMT_BGR0, 4},
    {SPA_VIDEO_FORMAT_RGBx, AV_PIX_FMT_RGB0, 4},
    {SPA_VIDEO_FORMAT_BGRA, AV_PIX_FMT_BGRA, 4},
    {SPA_VIDEO_FORMAT_RGBA, AV_PIX_FMT_RGBA, 4},
    {SPA_VIDEO_FORMAT_xRGB, AV_PIX_FMT_0RGB, 4},
    {SPA_VIDEO_FORMAT_xBGR, AV_PIX_FMT_0BGR, 4},
    {SPA_VIDEO_FORMAT_I420, AV_PIX_FMT_YUV420P, 0},
    {SPA_VIDEO_FORMAT_NV12, AV_PIX_FMT_NV12, 0},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

static const char *fmt_name(uint32_t f)
{
    const char *n = spa_debug_type_find_short_name(spa_type_video_format, f);
    return n ? n : "?";
}

/* Appends "A/B/C" (an Id choice), "WxH", "WxH to WxH" or "30/15 fps" for
 * one property of an EnumFormat to out. */
static void describe_prop(const struct spa_pod *obj, uint32_t key, const char *before,
                          char *out, size_t n)
{
    const struct spa_pod_prop *p = spa_pod_find_prop(obj, NULL, key);
    if (!p)
        return;
    uint32_t nv = 0, choice = 0;
    const struct spa_pod *v = spa_pod_get_values(&p->value, &nv, &choice);
    if (!nv)
        return;
    /* An enum's first value is its default, repeated among the rest. */
    uint32_t first = choice == SPA_CHOICE_Enum && nv > 1 ? 1 : 0;
    size_t len = strlen(out);
    const void *body = SPA_POD_BODY_CONST(v);
#define ADD(...) do { if (len < n) { int k_ = snprintf(out + len, n - len, __VA_ARGS__); \
                                      if (k_ > 0) len += (size_t)k_; } } while (0)
    ADD("%s", before);
    if (v->type == SPA_TYPE_Id) {
        const uint32_t *ids = body;
        for (uint32_t i = first; i < nv; i++)
            ADD("%s%s", i > first ? "/" : "", fmt_name(ids[i]));
    } else if (v->type == SPA_TYPE_Rectangle) {
        const struct spa_rectangle *r = body;
        if (choice == SPA_CHOICE_Range && nv >= 3)
            ADD("%ux%u to %ux%u", r[1].width, r[1].height, r[2].width, r[2].height);
        else
            for (uint32_t i = first; i < nv; i++)
                ADD("%s%ux%u", i > first ? ", " : "", r[i].width, r[i].height);
    } else if (v->type == SPA_TYPE_Fraction) {
        const struct spa_fraction *f = body;
        if (choice == SPA_CHOICE_Range && nv >= 3 && f[1].denom && f[2].denom)
            ADD("%g to %g fps", (double)f[1].num / f[1].denom, (double)f[2].num / f[2].denom);
        else {
            for (uint32_t i = first; i < nv; i++)
                if (f[i].denom)
                    ADD("%s%g", i > first ? "/" : "", (double)f[i].num / f[i].denom);
            ADD(" fps");
        }
    }
#undef ADD
}

static void on_node_param(void *data, int seq, uint32_t id, uint32_t index, uint32_t next,
                          const struct spa_pod *param)
{
    struct pw_cam *c = data;
    uint32_t mt, mst;
    if (id != SPA_PARAM_EnumFormat || !param || spa_format_parse(param, &mt, &mst) < 0 ||
        mt != SPA_MEDIA_TYPE_video)
        return;
    char line[256] = "    ";
    if (mst == SPA_MEDIA_SUBTYPE_raw) {
        describe_prop(param, SPA_FORMAT_VIDEO_format, "", line, sizeof line);
    } else {
        const char *sub = spa_debug_type_find_short_name(spa_type_media_subtype, mst);
        snprintf(line + 4, sizeof line - 4, "%s (stylecam cannot read it)", sub ? sub : "?");
    }
    describe_prop(param, SPA_FORMAT_VIDEO_size, " ", line, sizeof line);
    describe_prop(param, SPA_FORMAT_VIDEO_framerate, " @ ", line, sizeof line);
    size_t len = strlen(c->formats);
    snprintf(c->formats + len, sizeof c->formats - len, "%s\n", line);
}

static const struct pw_node_events node_events = {
    PW_VERSION_NODE_EVENTS,
    .param = on_node_param,
};

int sc_pipewire_list_cameras(FILE *out)
{
    struct pw_session s;
    struct sc_error err;
    if (session_open(&s, &err) != SC_OK) {
        fprintf(out, "PipeWire cameras: none (%s)\n",
                err.status == SC_ERR_NOT_FOUND ? "no PipeWire daemon answers" : err.msg);
        return 0;
    }
    for (int i = 0; i < s.ncams; i++) {
        struct pw_cam *c = &s.cams[i];
        c->proxy = pw_registry_bind(s.registry, c->id, PW_TYPE_INTERFACE_Node,
                                    PW_VERSION_NODE, 0);
        if (!c->proxy)
            continue;
        pw_proxy_add_object_listener(c->proxy, &c->listener, &node_events, c);
        pw_node_enum_params((struct pw_node *)c->proxy, 0, SPA_PARAM_EnumFormat, 0,
                            UINT32_MAX, NULL);
    }
    if (s.ncams)
        roundtrip(&s);  /* late answers only cost their formats */
    int n = s.ncams;
    fprintf(out, "PipeWire cameras:%s\n", n ? "" : " none (no node of class Video/Source)");
    for (int i = 0; i < n; i++) {
        const struct pw_cam *c = &s.cams[i];
        fprintf(out, "%s:%s%s%s\n%s", PREFIX, c->name, c->desc[0] ? ": " : "", c->desc,
                c->formats);
    }
    pw_thread_loop_unlock(s.loop);
    session_close(&s);
    return n;
}

enum sc_status sc_pipewire_default_camera(char *buf, size_t n, struct sc_error *err)
{
    struct pw_session s;
    enum sc_status st = session_open(&s, err);
    if (st != SC_OK)
        return st;
    if (s.ncams) {
        snprintf(buf, n, "%s:%s", PREFIX, s.cams[0].name);
    } else {
        st = sc_error_set(err, SC_ERR_NOT_FOUND,
                          "PipeWire offers no camera (no node of class Video/Source).");
    }
    pw_thread_loop_unlock(s.loop);
    session_close(&s);
    return st;
}

/* ---- the source driver ---- */

struct pw_src {
    struct pw_session sess;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    char shown[160];            /* "pipewire:NAME" for messages */
    /* loop: */
    int negotiated;             /* a format was agreed on */
    int bad_format;             /* the agreed format is not one we convert */
    int failed;                 /* the stream went to its error state */
    char error[256];            /* why, from PipeWire */
    uint32_t spa_fmt;
    int fw, fh;                 /* the negotiated size */
    double fps;
    struct pw_buffer *pending;  /* the newest frame, dequeued, not yet read */
    int64_t pending_us;         /* when it arrived */
    uint64_t arrived;           /* buffers seen; the frame's seq */
    uint64_t pending_seq;
    /* capture thread (under the loop lock while reading): */
    int w, h;                   /* the size frames are delivered at */
    struct SwsContext *sws;
};

static void on_stream_state(void *data, enum pw_stream_state old, enum pw_stream_state state,
                            const char *error)
{
    struct pw_src *s = data;
    sc_debug("pipewire: camera %s: stream %s -> %s%s%s", s->shown,
             pw_stream_state_as_string(old), pw_stream_state_as_string(state),
             error ? ": " : "", error ? error : "");
    if (state == PW_STREAM_STATE_ERROR ||
        (state == PW_STREAM_STATE_UNCONNECTED && old != PW_STREAM_STATE_UNCONNECTED)) {
        s->failed = 1;
        snprintf(s->error, sizeof s->error, "%s", error ? error : "disconnected");
        pw_thread_loop_signal(s->sess.loop, false);
    }
}

static int find_format(uint32_t spa)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i].spa == spa)
            return (int)i;
    return -1;
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
    struct pw_src *s = data;
    if (id != SPA_PARAM_Format || !param)
        return;
    struct spa_video_info info;
    memset(&info, 0, sizeof info);
    if (spa_format_parse(param, &info.media_type, &info.media_subtype) < 0 ||
        info.media_type != SPA_MEDIA_TYPE_video || info.media_subtype != SPA_MEDIA_SUBTYPE_raw ||
        spa_format_video_raw_parse(param, &info.info.raw) < 0 ||
        find_format(info.info.raw.format) < 0 || info.info.raw.size.width < 16 ||
        info.info.raw.size.height < 16) {
        s->bad_format = 1;
        pw_thread_loop_signal(s->sess.loop, false);
        return;
    }
    s->spa_fmt = info.info.raw.format;
    s->fw = (int)info.info.raw.size.width;
    s->fh = (int)info.info.raw.size.height;
    s->fps = info.info.raw.framerate.denom
                 ? (double)info.info.raw.framerate.num / info.info.raw.framerate.denom : 0;
    s->negotiated = 1;
    /* Buffers we can read from the CPU: memory or a memfd, never DMA-BUF. */
    uint8_t buf[256];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof buf);
    const struct spa_pod *params[1];
    params[0] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
        SPA_PARAM_BUFFERS_dataType,
        SPA_POD_CHOICE_FLAGS_Int((1 << SPA_DATA_MemPtr) | (1 << SPA_DATA_MemFd)));
    pw_stream_update_params(s->stream, params, 1);
    pw_thread_loop_signal(s->sess.loop, false);
}

static void on_process(void *data)
{
    struct pw_src *s = data;
    struct pw_buffer *b;
    while ((b = pw_stream_dequeue_buffer(s->stream))) {
        s->arrived++;
        if (s->pending)     /* not read in time: the newer one wins */
            pw_stream_queue_buffer(s->stream, s->pending);
        s->pending = b;
        s->pending_us = sc_now_us();
        s->pending_seq = s->arrived;
    }
    pw_thread_loop_signal(s->sess.loop, false);
}

static void on_remove_buffer(void *data, struct pw_buffer *b)
{
    struct pw_src *s = data;
    if (s->pending == b)
        s->pending = NULL;
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_stream_state,
    .param_changed = on_param_changed,
    .remove_buffer = on_remove_buffer,
    .process = on_process,
};

static void pw_src_close(void *priv)
{
    struct pw_src *s = priv;
    if (!s)
        return;
    if (s->stream) {
        /* The frame still held goes back before leaving: a camera program
         * may wait for it. */
        pw_thread_loop_lock(s->sess.loop);
        if (s->pending)
            pw_stream_queue_buffer(s->stream, s->pending);
        s->pending = NULL;
        pw_stream_disconnect(s->stream);
        pw_thread_loop_unlock(s->sess.loop);
    }
    if (s->sess.loop)
        pw_thread_loop_stop(s->sess.loop);
    if (s->stream)
        pw_stream_destroy(s->stream);
    session_close(&s->sess);
    sws_freeContext(s->sws);
    free(s);
}

/* Loop locked: the formats offered to the camera, at the wanted size and
 * rate by preference but any the camera has. */
static int enum_formats(uint8_t *buf, size_t size, const struct sc_source_request *req,
                        const struct spa_pod **params)
{
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, size);
    struct spa_rectangle want = SPA_RECTANGLE(req->w > 0 ? (uint32_t)req->w : 640,
                                              req->h > 0 ? (uint32_t)req->h : 480);
    struct spa_rectangle lo = SPA_RECTANGLE(16, 16), hi = SPA_RECTANGLE(8192, 8192);
    double fps = req->fps > 0 ? req->fps : 30;
    struct spa_fraction rate = SPA_FRACTION((uint32_t)(fps * 1000 + 0.5), 1000);
    struct spa_fraction rlo = SPA_FRACTION(0, 1), rhi = SPA_FRACTION(1000, 1);
    int n = 0;
    for (size_t i = 0; i < NFORMATS; i++) {
        params[n] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
            SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
            SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
            SPA_FORMAT_VIDEO_format, SPA_POD_Id(formats[i].spa),
            SPA_FORMAT_VIDEO_size, SPA_POD_CHOICE_RANGE_Rectangle(&want, &lo, &hi),
            SPA_FORMAT_VIDEO_framerate, SPA_POD_CHOICE_RANGE_Fraction(&rate, &rlo, &rhi));
        if (params[n])
            n++;
    }
    return n;
}

static enum sc_status pw_src_open(void **priv, const struct sc_source_request *req,
                                  struct sc_source_info *info, struct sc_error *err)
{
    const char *spec = req->spec && *req->spec ? req->spec : PREFIX;
    const char *want = spec[strlen(PREFIX)] == ':' ? spec + strlen(PREFIX) + 1 : "";
    struct pw_src *s = calloc(1, sizeof *s);
    if (!s)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory opening PipeWire camera %s.", spec);
    snprintf(s->shown, sizeof s->shown, "%.159s", spec);
    enum sc_status st = session_open(&s->sess, err);
    if (st != SC_OK) {
        free(s);
        return st;
    }
    struct pw_cam *cam = find_cam(&s->sess, want);
    if (!cam) {
        char list[600];
        cam_list(&s->sess, list, sizeof list);
        if (s->sess.ncams && *want)
            st = sc_error_set(err, SC_ERR_NOT_FOUND,
                              "PipeWire has no camera named '%s'; it offers: %s (use "
                              "--device pipewire:NAME).", want, list);
        else if (*want)
            st = sc_error_set(err, SC_ERR_NOT_FOUND,
                              "PipeWire has no camera named '%s', nor any other (no node of "
                              "class Video/Source): plug one in, or see --list-devices.", want);
        else
            st = sc_error_set(err, SC_ERR_NOT_FOUND,
                              "PipeWire offers no camera (no node of class Video/Source): "
                              "plug one in, or see --list-devices.");
        goto fail;
    }
    s->sess.watch_id = cam->id;
    if (!want[0])
        snprintf(s->shown, sizeof s->shown, "%s:%.120s", PREFIX, cam->name);

    struct pw_properties *props = pw_properties_new(
        PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY, "Capture",
        PW_KEY_MEDIA_ROLE, "Camera", PW_KEY_NODE_DONT_RECONNECT, "true",
        /* Named, or PipeWire names it after the program: "stylecam", the
         * virtual camera's name. */
        PW_KEY_NODE_NAME, "stylecam-input", PW_KEY_NODE_DESCRIPTION, "stylecam camera input",
        PW_KEY_TARGET_OBJECT, cam->serial[0] ? cam->serial : cam->name, NULL);
    s->stream = pw_stream_new(s->sess.core, "stylecam-input", props);
    if (!s->stream) {
        st = sc_error_set(err, SC_ERR_NOMEM, "Could not make a PipeWire stream for camera %s.",
                          s->shown);
        goto fail;
    }
    pw_stream_add_listener(s->stream, &s->stream_listener, &stream_events, s);
    uint8_t buf[4096];
    const struct spa_pod *params[NFORMATS];
    int np = enum_formats(buf, sizeof buf, req, params);
    if (pw_stream_connect(s->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
                          PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS, params,
                          (uint32_t)np) < 0) {
        st = sc_error_set(err, SC_ERR_IO, "Could not connect to PipeWire camera %s.", s->shown);
        goto fail;
    }
    struct timespec abstime;
    pw_thread_loop_get_time(s->sess.loop, &abstime, (int64_t)NEGOTIATE_MS * SPA_NSEC_PER_MSEC);
    while (!s->negotiated && !s->bad_format && !s->failed && !s->sess.dead &&
           !s->sess.watch_gone)
        if (pw_thread_loop_timed_wait_full(s->sess.loop, &abstime) < 0)
            break;
    if (s->sess.dead || s->sess.watch_gone) {
        st = sc_error_set(err, SC_ERR_NOT_FOUND, "PipeWire camera %s went away while opening it.",
                          s->shown);
        goto fail;
    }
    if (s->bad_format) {
        st = sc_error_set(err, SC_ERR_FORMAT,
                          "PipeWire camera %s offers no format stylecam can convert (it reads "
                          "YUY2, UYVY, RGB, BGR, RGBx, BGRx, I420 and NV12).", s->shown);
        goto fail;
    }
    if (!s->negotiated) {
        st = sc_error_set(err, SC_ERR_IO, "PipeWire camera %s did not start streaming (%s): "
                          "check that it works in another program.", s->shown,
                          s->failed ? s->error : "no format agreed within 3 s");
        goto fail;
    }
    s->w = s->fw;
    s->h = s->fh;
    info->w = s->w;
    info->h = s->h;
    info->fps = s->fps;
    if (cam->desc[0] && strcmp(cam->desc, cam->name) != 0)
        snprintf(info->name, sizeof info->name, "%.150s (%.100s)", s->shown, cam->desc);
    else
        snprintf(info->name, sizeof info->name, "%.250s", s->shown);
    sc_info("camera %s: %dx%d RGB24 converted from %s at %.1f fps (PipeWire node %u)",
            info->name, s->w, s->h, fmt_name(s->spa_fmt), s->fps, cam->id);
    pw_thread_loop_unlock(s->sess.loop);
    *priv = s;
    return SC_OK;
fail:
    pw_thread_loop_unlock(s->sess.loop);
    pw_src_close(s);
    return st;
}

/* Loop locked. Converts the pending buffer into dst; 0, or -1 when the
 * buffer is unusable (skipped). */
static int convert(struct pw_src *s, struct pw_buffer *pb, struct sc_frame *dst)
{
    struct spa_buffer *b = pb->buffer;
    int fi = find_format(s->spa_fmt);
    if (fi < 0 || b->n_datas < 1 || !b->datas[0].data || !b->datas[0].chunk ||
        (b->datas[0].chunk->flags & SPA_CHUNK_FLAG_CORRUPTED))
        return -1;
    enum AVPixelFormat av = formats[fi].av;
    int w = s->fw, h = s->fh;
    const uint8_t *planes[4] = {0};
    int strides[4] = {0};
    /* One plane per data block, or every plane in the first. A chunk
     * without a stride (GStreamer's pipewiresink leaves it 0) holds
     * GStreamer's default layout: rows padded to 4 bytes, the luma plane
     * of an odd height padded to an even one. */
    int nplanes = av == AV_PIX_FMT_YUV420P ? 3 : av == AV_PIX_FMT_NV12 ? 2 : 1;
    const struct spa_data *d0 = &b->datas[0];
    uint32_t off0 = d0->maxsize ? d0->chunk->offset % d0->maxsize : 0;
    const uint8_t *base = (const uint8_t *)d0->data + off0;
    size_t avail = d0->maxsize - off0;
    if (d0->chunk->size && d0->chunk->size < avail)
        avail = d0->chunk->size;
    int given = d0->chunk->stride > 0;
    int s0 = d0->chunk->stride;
    if (!given && formats[fi].bpp) {
        s0 = ALIGN4(w * formats[fi].bpp);
        uint32_t row = d0->chunk->size / (uint32_t)h;     /* whole rows: their stride */
        if (d0->chunk->size % (uint32_t)h == 0 && row >= (uint32_t)(w * formats[fi].bpp))
            s0 = (int)row;
    } else if (!given) {
        s0 = ALIGN4(w);
    }
    planes[0] = base;
    strides[0] = s0;
    size_t ch = (size_t)(h + 1) / 2;
    size_t need = (size_t)s0 * (size_t)(nplanes > 1 && !given ? (h + 1) & ~1 : h);
    if (nplanes > 1 && b->n_datas >= (uint32_t)nplanes) {
        need = (size_t)s0 * (size_t)h;
        for (int p = 1; p < nplanes; p++) {
            const struct spa_data *d = &b->datas[p];
            if (!d->data || !d->chunk)
                return -1;
            int cs = d->chunk->stride > 0 ? d->chunk->stride
                                          : av == AV_PIX_FMT_NV12 ? s0 : ALIGN4((w + 1) / 2);
            uint32_t off = d->maxsize ? d->chunk->offset % d->maxsize : 0;
            if ((size_t)d->maxsize - off < (size_t)cs * ch)
                return -1;
            planes[p] = (const uint8_t *)d->data + off;
            strides[p] = cs;
        }
    } else if (nplanes > 1) {
        planes[1] = base + need;
        if (av == AV_PIX_FMT_NV12) {
            strides[1] = s0;
            need += (size_t)s0 * ch;
        } else {
            int cs = given ? (s0 + 1) / 2 : ALIGN4((w + 1) / 2);
            planes[2] = planes[1] + (size_t)cs * ch;
            strides[1] = strides[2] = cs;
            need += 2 * (size_t)cs * ch;
        }
    }
    if (avail < need)
        return -1;
    s->sws = sws_getCachedContext(s->sws, w, h, av, s->w, s->h, AV_PIX_FMT_RGB24, SWS_BILINEAR,
                                  NULL, NULL, NULL);
    if (!s->sws)
        return -1;
    uint8_t *out[4] = {dst->rgb, NULL, NULL, NULL};
    int out_stride[4] = {s->w * 3, 0, 0, 0};
    sws_scale(s->sws, planes, strides, 0, h, out, out_stride);
    return 0;
}

static enum sc_status pw_src_read(void *priv, struct sc_frame *dst, int timeout_ms,
                                  struct sc_error *err)
{
    struct pw_src *s = priv;
    pw_thread_loop_lock(s->sess.loop);
    struct timespec abstime;
    pw_thread_loop_get_time(s->sess.loop, &abstime, (int64_t)timeout_ms * SPA_NSEC_PER_MSEC);
    enum sc_status st = SC_AGAIN;
    for (;;) {
        if (s->sess.dead) {
            st = sc_error_set(err, SC_ERR_DEVICE_LOST,
                              "The PipeWire daemon stopped, taking camera %s with it; waiting "
                              "for it to come back…", s->shown);
            break;
        }
        if (s->sess.watch_gone || s->failed) {
            st = sc_error_set(err, SC_ERR_DEVICE_LOST,
                              "PipeWire camera %s went away; waiting for it to come back…",
                              s->shown);
            break;
        }
        if (s->pending) {
            struct pw_buffer *b = s->pending;
            s->pending = NULL;
            int ok = convert(s, b, dst) == 0;
            if (ok) {
                dst->w = s->w;
                dst->h = s->h;
                dst->pts_us = s->pending_us;
                dst->seq = s->pending_seq;
            }
            pw_stream_queue_buffer(s->stream, b);
            if (ok) {
                st = SC_OK;
                break;
            }
            sc_log_ratelimited("pipewire-frame", SC_LOG_WARN,
                               "PipeWire camera %s sent a frame too short for its format; "
                               "skipped.", s->shown);
            continue;
        }
        if (pw_thread_loop_timed_wait_full(s->sess.loop, &abstime) < 0)
            break;
    }
    pw_thread_loop_unlock(s->sess.loop);
    return st;
}

const struct sc_source_driver sc_source_pipewire = {
    .name = "pipewire",
    .open = pw_src_open,
    .read = pw_src_read,
    .close = pw_src_close,
};

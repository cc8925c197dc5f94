/* PipeWire camera discovery (pipewire_cameras.h) and the connection that
 * source_pipewire.c shares: one pw_thread_loop per session, whose lock
 * guards everything marked "loop" in pipewire_priv.h; the registry and core
 * callbacks run on it with the lock held. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <spa/debug/types.h>
#include <spa/param/video/format-utils.h>
#include <spa/param/video/type-info.h>
#include <spa/pod/iter.h>
#include <spa/utils/result.h>

#include "app/capture/pipewire_cameras.h"
#include "app/capture/pipewire_priv.h"
#include "common/log.h"

#define ROUNDTRIP_MS 2000       /* a daemon that does not answer this soon is hung */

/* ---- the connection and its registry (shared by listing and the source) ---- */

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
        strcmp(name, SC_PIPEWIRE_VCAM_NODE) == 0 || s->ncams >= SC_PW_MAX_CAMS)
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

void sc_pw_session_close(struct pw_session *s)
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

enum sc_status sc_pw_session_open(struct pw_session *s, struct sc_error *err)
{
    pthread_once(&pw_once, init_pipewire);
    memset(s, 0, sizeof *s);
    s->watch_id = SPA_ID_INVALID;
    s->loop = pw_thread_loop_new("sc-pipewire", NULL);
    if (s->loop)
        s->ctx = pw_context_new(pw_thread_loop_get_loop(s->loop),
                                pw_properties_new(PW_KEY_APP_NAME, "stylecam", NULL), 0);
    if (!s->loop || !s->ctx || pw_thread_loop_start(s->loop) < 0) {
        sc_pw_session_close(s);
        return sc_error_set(err, SC_ERR_NOMEM, "Could not start PipeWire's client thread.");
    }
    pw_thread_loop_lock(s->loop);
    s->core = pw_context_connect(s->ctx, NULL, 0);
    if (!s->core) {
        int e = errno;
        pw_thread_loop_unlock(s->loop);
        sc_pw_session_close(s);
        return no_daemon(err, strerror(e));
    }
    pw_core_add_listener(s->core, &s->core_listener, &core_events, s);
    s->registry = pw_core_get_registry(s->core, PW_VERSION_REGISTRY, 0);
    pw_registry_add_listener(s->registry, &s->registry_listener, &registry_events, s);
    if (roundtrip(s) < 0) {
        int dead = s->dead;
        pw_thread_loop_unlock(s->loop);
        sc_pw_session_close(s);
        return no_daemon(err, dead ? "the connection broke" : "no reply within 2 s");
    }
    return SC_OK;
}

void sc_pw_cam_list(const struct pw_session *s, char *buf, size_t n)
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

struct pw_cam *sc_pw_find_cam(struct pw_session *s, const char *name)
{
    for (int i = 0; i < s->ncams; i++)
        if (!name || !*name || strcmp(s->cams[i].name, name) == 0 ||
            strcmp(s->cams[i].desc, name) == 0)
            return &s->cams[i];
    return NULL;
}

int sc_pipewire_is_spec(const char *spec)
{
    size_t n = strlen(SC_PW_PREFIX);
    return spec && strncmp(spec, SC_PW_PREFIX, n) == 0 && (spec[n] == '\0' || spec[n] == ':');
}

/* ---- formats: what stylecam converts, and how they read in a listing ---- */

const struct sc_pw_format sc_pw_formats[] = {
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
/* The source sizes arrays by SC_PW_NFORMATS: it must match the table. */
_Static_assert(sizeof sc_pw_formats / sizeof sc_pw_formats[0] == SC_PW_NFORMATS,
               "SC_PW_NFORMATS is not the size of sc_pw_formats");

int sc_pw_find_format(uint32_t spa)
{
    for (size_t i = 0; i < SC_PW_NFORMATS; i++)
        if (sc_pw_formats[i].spa == spa)
            return (int)i;
    return -1;
}

const char *sc_pw_fmt_name(uint32_t f)
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
            ADD("%s%s", i > first ? "/" : "", sc_pw_fmt_name(ids[i]));
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
    if (sc_pw_session_open(&s, &err) != SC_OK) {
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
        fprintf(out, "%s:%s%s%s\n%s", SC_PW_PREFIX, c->name, c->desc[0] ? ": " : "", c->desc,
                c->formats);
    }
    pw_thread_loop_unlock(s.loop);
    sc_pw_session_close(&s);
    return n;
}

enum sc_status sc_pipewire_default_camera(char *buf, size_t n, struct sc_error *err)
{
    struct pw_session s;
    enum sc_status st = sc_pw_session_open(&s, err);
    if (st != SC_OK)
        return st;
    if (s.ncams) {
        snprintf(buf, n, "%s:%s", SC_PW_PREFIX, s.cams[0].name);
    } else {
        st = sc_error_set(err, SC_ERR_NOT_FOUND,
                          "PipeWire offers no camera (no node of class Video/Source).");
    }
    pw_thread_loop_unlock(s.loop);
    sc_pw_session_close(&s);
    return st;
}

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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/builder.h>

#include "app/capture/pipewire_priv.h"
#include "app/capture/source.h"
#include "common/clock.h"
#include "common/log.h"

#define NEGOTIATE_MS 3000       /* the camera agrees on a format, or open fails */
#define ALIGN4(x) (((x) + 3) & ~3)

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
        sc_pw_find_format(info.info.raw.format) < 0 || info.info.raw.size.width < 16 ||
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
    sc_pw_session_close(&s->sess);
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
    for (size_t i = 0; i < SC_PW_NFORMATS; i++) {
        params[n] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
            SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
            SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
            SPA_FORMAT_VIDEO_format, SPA_POD_Id(sc_pw_formats[i].spa),
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
    const char *spec = req->spec && *req->spec ? req->spec : SC_PW_PREFIX;
    size_t plen = strlen(SC_PW_PREFIX);
    const char *want = spec[plen] == ':' ? spec + plen + 1 : "";
    struct pw_src *s = calloc(1, sizeof *s);
    if (!s)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory opening PipeWire camera %s.", spec);
    snprintf(s->shown, sizeof s->shown, "%.159s", spec);
    enum sc_status st = sc_pw_session_open(&s->sess, err);
    if (st != SC_OK) {
        free(s);
        return st;
    }
    struct pw_cam *cam = sc_pw_find_cam(&s->sess, want);
    if (!cam) {
        char list[600];
        sc_pw_cam_list(&s->sess, list, sizeof list);
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
        snprintf(s->shown, sizeof s->shown, "%s:%.120s", SC_PW_PREFIX, cam->name);

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
    const struct spa_pod *params[SC_PW_NFORMATS];
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
            info->name, s->w, s->h, sc_pw_fmt_name(s->spa_fmt), s->fps, cam->id);
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
    int fi = sc_pw_find_format(s->spa_fmt);
    if (fi < 0 || b->n_datas < 1 || !b->datas[0].data || !b->datas[0].chunk ||
        (b->datas[0].chunk->flags & SPA_CHUNK_FLAG_CORRUPTED))
        return -1;
    enum AVPixelFormat av = sc_pw_formats[fi].av;
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
    if (!given && sc_pw_formats[fi].bpp) {
        s0 = ALIGN4(w * sc_pw_formats[fi].bpp);
        uint32_t row = d0->chunk->size / (uint32_t)h;     /* whole rows: their stride */
        if (d0->chunk->size % (uint32_t)h == 0 && row >= (uint32_t)(w * sc_pw_formats[fi].bpp))
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

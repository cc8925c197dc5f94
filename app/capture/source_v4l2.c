/* The V4L2 camera source. Everything goes through libv4l2 so that any camera
 * format reaches us as RGB24 converted by libv4lconvert. Modelled on the
 * usual mmap streaming loop (FFmpeg's libavdevice/v4l2.c, libv4l2): a ring of
 * mapped driver buffers, poll() for the next one, DQBUF, copy, QBUF at once
 * so the driver always has buffers to fill. No lock is ever held here: only
 * the capture thread calls in. */
#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <limits.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "app/capture/source.h"
#include "common/clock.h"
#include "app/capture/v4l2_priv.h"
#include "common/log.h"

#define NBUFS 4
#define MAX_BAD_FRAMES 60   /* consecutive broken frames before giving up */

struct v4l2_src {
    int fd;
    char path[PATH_MAX];    /* resolved node, /dev/videoN */
    char shown[300];        /* the spec as the user gave it, for messages */
    int w, h, bpl;
    struct { void *p; size_t len; } bufs[NBUFS];
    int nbufs;
    int streaming;
    int bad;                /* consecutive broken frames */
};

static int lost_errno(int e)
{
    return e == ENODEV || e == EIO || e == ENXIO;
}

static enum sc_status busy(struct sc_error *err, const char *dev)
{
    return sc_error_set(err, SC_ERR_BUSY,
                        "Camera %s is busy: another program is using it; close it and try again.",
                        dev);
}

static void v4l2_src_close(void *priv)
{
    struct v4l2_src *s = priv;
    if (!s)
        return;
    if (s->streaming) {
        enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        v4l2_ioctl(s->fd, VIDIOC_STREAMOFF, &t);
    }
    for (int i = 0; i < s->nbufs; i++)
        if (s->bufs[i].p && s->bufs[i].p != MAP_FAILED)
            v4l2_munmap(s->bufs[i].p, s->bufs[i].len);
    if (s->nbufs) {
        struct v4l2_requestbuffers rb = { .count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                          .memory = V4L2_MEMORY_MMAP };
        v4l2_ioctl(s->fd, VIDIOC_REQBUFS, &rb);
    }
    if (s->fd >= 0)
        v4l2_close(s->fd);
    free(s);
}

/* The camera's native size nearest to the wanted one. Above 640x480 only
 * sizes the MJPEG mode offers count: raw YUYV crawls at a few fps there. */
static void pick_size(int fd, int want_w, int want_h, int *w, int *h)
{
    struct sc_v4l2_size c[64];
    int n = sc_v4l2_native_sizes(fd, 1, c, 64);
    int any_mjpeg = 0;
    for (int i = 0; i < n; i++)
        any_mjpeg |= c[i].compressed;
    int only_mjpeg = any_mjpeg && (long)want_w * want_h > 640L * 480;
    long best = -1;
    *w = want_w;
    *h = want_h;
    for (int i = 0; i < n; i++) {
        if (only_mjpeg && !c[i].compressed)
            continue;
        long d = labs((long)c[i].w - want_w) + labs((long)c[i].h - want_h);
        if (best < 0 || d < best) {
            best = d;
            *w = (int)c[i].w;
            *h = (int)c[i].h;
        }
    }
}

static enum sc_status map_buffers(struct v4l2_src *s, struct sc_error *err)
{
    struct v4l2_requestbuffers rb = { .count = NBUFS, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                      .memory = V4L2_MEMORY_MMAP };
    if (v4l2_ioctl(s->fd, VIDIOC_REQBUFS, &rb) < 0) {
        if (errno == EBUSY)
            return busy(err, s->shown);
        return sc_error_set(err, lost_errno(errno) ? SC_ERR_DEVICE_LOST : SC_ERR_IO,
                            "Camera %s refused to allocate capture buffers (%s): unplug and replug it.",
                            s->shown, strerror(errno));
    }
    if (rb.count < 2)
        return sc_error_set(err, SC_ERR_IO,
                            "Camera %s offered only %u capture buffer: it cannot stream.",
                            s->shown, rb.count);
    s->nbufs = rb.count > NBUFS ? NBUFS : (int)rb.count;
    for (int i = 0; i < s->nbufs; i++) {
        struct v4l2_buffer b = { .index = (uint32_t)i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                 .memory = V4L2_MEMORY_MMAP };
        if (v4l2_ioctl(s->fd, VIDIOC_QUERYBUF, &b) < 0)
            goto fail;
        s->bufs[i].len = b.length;
        s->bufs[i].p = v4l2_mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd,
                                 b.m.offset);
        if (s->bufs[i].p == MAP_FAILED)
            goto fail;
        if (v4l2_ioctl(s->fd, VIDIOC_QBUF, &b) < 0)
            goto fail;
    }
    enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (v4l2_ioctl(s->fd, VIDIOC_STREAMON, &t) < 0) {
        if (errno == EBUSY)
            return busy(err, s->shown);
        goto fail;
    }
    s->streaming = 1;
    return SC_OK;
fail:
    return sc_error_set(err, lost_errno(errno) ? SC_ERR_DEVICE_LOST : SC_ERR_IO,
                        "Camera %s could not start streaming (%s): unplug and replug it.",
                        s->shown, strerror(errno));
}

static enum sc_status negotiate(struct v4l2_src *s, const struct sc_source_request *req,
                                struct sc_source_info *info, struct sc_error *err)
{
    int w, h;
    pick_size(s->fd, req->w > 0 ? req->w : 640, req->h > 0 ? req->h : 480, &w, &h);
    struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    f.fmt.pix.width = (uint32_t)w;
    f.fmt.pix.height = (uint32_t)h;
    f.fmt.pix.pixelformat = V4L2_PIX_FMT_RGB24;
    f.fmt.pix.field = V4L2_FIELD_ANY;
    if (v4l2_ioctl(s->fd, VIDIOC_S_FMT, &f) < 0) {
        if (errno == EBUSY)
            return busy(err, s->shown);
        return sc_error_set(err, lost_errno(errno) ? SC_ERR_DEVICE_LOST : SC_ERR_IO,
                            "Camera %s refused the %dx%d RGB format (%s): try another size.",
                            s->shown, w, h, strerror(errno));
    }
    if (f.fmt.pix.pixelformat != V4L2_PIX_FMT_RGB24 || f.fmt.pix.width < 16 || f.fmt.pix.height < 16)
        return sc_error_set(err, SC_ERR_FORMAT,
                            "Camera %s offers no format that libv4l can convert to RGB: it is not supported.",
                            s->shown);
    s->w = (int)f.fmt.pix.width;
    s->h = (int)f.fmt.pix.height;
    s->bpl = f.fmt.pix.bytesperline >= (uint32_t)s->w * 3 ? (int)f.fmt.pix.bytesperline : s->w * 3;

    double fps = req->fps > 0 ? req->fps : 30;
    struct v4l2_streamparm p = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    p.parm.capture.timeperframe.numerator = 1000;
    p.parm.capture.timeperframe.denominator = (uint32_t)(fps * 1000 + 0.5);
    if (v4l2_ioctl(s->fd, VIDIOC_S_PARM, &p) < 0)
        sc_debug("camera %s: setting %.1f fps failed: %s", s->shown, fps, strerror(errno));
    info->fps = 0;
    memset(&p, 0, sizeof p);
    p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (v4l2_ioctl(s->fd, VIDIOC_G_PARM, &p) == 0 && p.parm.capture.timeperframe.numerator)
        info->fps = (double)p.parm.capture.timeperframe.denominator /
                    p.parm.capture.timeperframe.numerator;
    info->w = s->w;
    info->h = s->h;
    return SC_OK;
}

static enum sc_status v4l2_src_open(void **priv, const struct sc_source_request *req,
                                    struct sc_source_info *info, struct sc_error *err)
{
    char def[PATH_MAX];
    const char *spec = req->spec;
    if (!spec || !*spec) {
        enum sc_status st = sc_v4l2_default_device(def, sizeof def, err);
        if (st != SC_OK)
            return st;
        spec = def;
    }
    struct v4l2_src *s = calloc(1, sizeof *s);
    if (!s)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory opening camera %s.", spec);
    s->fd = -1;
    snprintf(s->shown, sizeof s->shown, "%.299s", spec);
    if (!realpath(spec, s->path)) {
        int e = errno;
        free(s);
        if (e == ENOENT || e == ENOTDIR)
            return sc_error_set(err, SC_ERR_NOT_FOUND,
                                "Camera %s was not found: plug it in, or pick another with --list-devices.",
                                spec);
        return sc_error_set(err, SC_ERR_IO, "Camera %s cannot be looked up (%s).", spec, strerror(e));
    }
    s->fd = v4l2_open(s->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;
        enum sc_status st;
        if (e == EBUSY)
            st = busy(err, s->shown);
        else if (e == ENOENT || e == ENODEV || e == ENXIO)
            st = sc_error_set(err, SC_ERR_NOT_FOUND,
                              "Camera %s was not found: plug it in, or pick another with --list-devices.",
                              s->shown);
        else if (e == EACCES || e == EPERM)
            st = sc_error_set(err, SC_ERR_IO,
                              "Permission denied opening camera %s: add your user to the 'video' group and log in again.",
                              s->shown);
        else
            st = sc_error_set(err, SC_ERR_IO, "Camera %s could not be opened (%s).", s->shown,
                              strerror(e));
        free(s);
        return st;
    }
    struct v4l2_capability cap;
    memset(&cap, 0, sizeof cap);
    if (v4l2_ioctl(s->fd, VIDIOC_QUERYCAP, &cap) < 0) {
        enum sc_status st = sc_error_set(err, SC_ERR_ARG,
                                         "%s is not a video capture device: pick a camera with --list-devices.",
                                         s->shown);
        v4l2_src_close(s);
        return st;
    }
    uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING)) {
        enum sc_status st = sc_error_set(err, SC_ERR_ARG,
                                         "%s (%.32s) is not a video capture device: pick a camera with --list-devices.",
                                         s->shown, (const char *)cap.card);
        v4l2_src_close(s);
        return st;
    }
    enum sc_status st = negotiate(s, req, info, err);
    if (st == SC_OK)
        st = map_buffers(s, err);
    if (st != SC_OK) {
        v4l2_src_close(s);
        return st;
    }
    char byid[PATH_MAX];
    if (strcmp(s->shown, s->path) != 0)
        snprintf(info->name, sizeof info->name, "%.110s = %.100s (%.32s)", s->shown, s->path,
                 (const char *)cap.card);
    else if (sc_v4l2_by_id(s->path, byid, sizeof byid))
        snprintf(info->name, sizeof info->name, "%.100s = %.110s (%.32s)", s->path, byid,
                 (const char *)cap.card);
    else
        snprintf(info->name, sizeof info->name, "%.200s (%.32s)", s->path, (const char *)cap.card);
    char native[5] = "?";
    sc_v4l2_native_fourcc(s->fd, native);
    sc_info("camera %s: %dx%d RGB24 converted from %s at %.1f fps", info->name, s->w, s->h,
            native, info->fps);
    *priv = s;
    return SC_OK;
}

/* Copies a dequeued buffer into dst and hands it straight back. */
static enum sc_status take(struct v4l2_src *s, struct v4l2_buffer *b, struct sc_frame *dst)
{
    const uint8_t *src = s->bufs[b->index].p;
    for (int y = 0; y < s->h; y++)
        memcpy(dst->rgb + (size_t)y * s->w * 3, src + (size_t)y * s->bpl, (size_t)s->w * 3);
    int mono = (b->flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
    int64_t ts = (int64_t)b->timestamp.tv_sec * 1000000 + b->timestamp.tv_usec;
    dst->w = s->w;
    dst->h = s->h;
    dst->pts_us = mono && ts > 0 ? ts : sc_now_us();
    dst->seq = b->sequence;
    if (v4l2_ioctl(s->fd, VIDIOC_QBUF, b) < 0 && !lost_errno(errno))
        sc_log_ratelimited("v4l2-qbuf", SC_LOG_WARN, "camera %s: re-queueing a buffer failed: %s",
                           s->shown, strerror(errno));
    return SC_OK;
}

static enum sc_status v4l2_src_read(void *priv, struct sc_frame *dst, int timeout_ms,
                                    struct sc_error *err)
{
    struct v4l2_src *s = priv;
    int64_t deadline = sc_now_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        int64_t left = deadline - sc_now_us();
        if (left < 0)
            return SC_AGAIN;
        struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
        int r = poll(&pfd, 1, (int)((left + 999) / 1000));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return sc_error_set(err, SC_ERR_IO, "Waiting for camera %s failed (%s).", s->shown,
                                strerror(errno));
        if (r == 0)
            return SC_AGAIN;
        struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
        if (v4l2_ioctl(s->fd, VIDIOC_DQBUF, &b) < 0) {
            int e = errno;
            if (lost_errno(e) || (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
                return sc_error_set(err, SC_ERR_DEVICE_LOST,
                                    "Camera %s was unplugged; waiting for it to come back…", s->shown);
            if (e == EAGAIN || e == EPIPE || e == EINTR) {
                /* libv4l2 drops frames it could not convert (a camera's first
                 * frames are often broken) and reports EAGAIN. */
                if (e != EINTR && ++s->bad > MAX_BAD_FRAMES)
                    goto broken;
                continue;
            }
            return sc_error_set(err, SC_ERR_IO, "Reading a frame from camera %s failed (%s).",
                                s->shown, strerror(e));
        }
        if ((b.flags & V4L2_BUF_FLAG_ERROR) || b.bytesused < (uint32_t)(s->bpl * (s->h - 1) + s->w * 3) ||
            b.index >= (uint32_t)s->nbufs) {
            if (b.index < (uint32_t)s->nbufs)
                v4l2_ioctl(s->fd, VIDIOC_QBUF, &b);
            if (++s->bad > MAX_BAD_FRAMES)
                goto broken;
            continue;
        }
        s->bad = 0;
        return take(s, &b, dst);
    }
broken:
    return sc_error_set(err, SC_ERR_IO,
                        "Camera %s keeps sending broken frames: unplug and replug it, or try another size.",
                        s->shown);
}

const struct sc_source_driver sc_source_v4l2 = {
    .name = "v4l2",
    .open = v4l2_src_open,
    .read = v4l2_src_read,
    .close = v4l2_src_close,
};

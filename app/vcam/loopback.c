/* The virtual camera through v4l2loopback: a V4L2 OUTPUT device that other
 * programs (Zoom, Meet in a browser, OBS) open as a camera. Plain libc
 * open/ioctl/write, not libv4l2 (it only helps capture). The format is set
 * on the OUTPUT buffer type (S_FMT, then S_PARM for the rate); each frame
 * is converted from packed RGB to YUYV or I420 in BT.601 limited range
 * (what cameras send) by libswscale and written whole: one write() of
 * sizeimage bytes, as the driver takes it. The fd is non-blocking: a
 * refused frame (EAGAIN, the reader is slow) is lost and counted.
 *
 * One instance belongs to the vcam thread (sink.h): no locks. */
#include "app/vcam/loopback.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#include <limits.h>
#include <linux/videodev2.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"

#define MAX_NODES 256

struct lb {
    int fd;
    char path[PATH_MAX];
    char card[33];
    uint32_t pixfmt;        /* V4L2_PIX_FMT_YUYV or V4L2_PIX_FMT_YUV420 */
    int w, h;               /* the device's frame size (what S_FMT settled on) */
    size_t bpl;             /* bytes per line of the first plane */
    size_t size;            /* bytes written per frame: the driver's sizeimage */
    uint8_t *buf;           /* one converted frame (size bytes) */
    struct SwsContext *sws; /* src_w x src_h RGB24 -> w x h pixfmt; made once */
    int src_w, src_h;
    uint64_t lost;          /* frames refused with EAGAIN */
};

static int xioctl(int fd, unsigned long req, void *arg)
{
    int r;
    do
        r = ioctl(fd, req, arg);
    while (r < 0 && errno == EINTR);
    return r;
}

static uint32_t caps_of(const struct v4l2_capability *c)
{
    return (c->capabilities & V4L2_CAP_DEVICE_CAPS) ? c->device_caps : c->capabilities;
}

/* A device that takes single-plane video output (not a codec). */
static int can_output(const struct v4l2_capability *c)
{
    uint32_t caps = caps_of(c);
    return (caps & V4L2_CAP_VIDEO_OUTPUT) &&
           !(caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE));
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The N of every /dev/videoN, in numeric order; returns how many. */
static int video_nodes(int *out, int max)
{
    DIR *d = opendir("/dev");
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while (n < max && (e = readdir(d))) {
        const char *s = e->d_name;
        if (strncmp(s, "video", 5) != 0 || !s[5])
            continue;
        char *end;
        long v = strtol(s + 5, &end, 10);
        if (*end || v < 0 || v > INT_MAX || s[5] < '0' || s[5] > '9')
            continue;
        out[n++] = (int)v;
    }
    closedir(d);
    qsort(out, (size_t)n, sizeof *out, cmp_int);
    return n;
}

enum sc_status sc_vcam_loopback_find(char *buf, size_t n, struct sc_error *err)
{
    int nodes[MAX_NODES];
    int count = video_nodes(nodes, MAX_NODES);
    char denied[64] = "";
    for (int i = 0; i < count; i++) {
        char node[64];
        snprintf(node, sizeof node, "/dev/video%d", nodes[i]);
        int fd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            if ((errno == EACCES || errno == EPERM) && !denied[0])
                snprintf(denied, sizeof denied, "%s", node);
            continue;
        }
        struct v4l2_capability c;
        memset(&c, 0, sizeof c);
        int ok = xioctl(fd, VIDIOC_QUERYCAP, &c) == 0 && can_output(&c);
        close(fd);
        if (ok) {
            snprintf(buf, n, "%s", node);
            return SC_OK;
        }
    }
    if (denied[0])
        return sc_error_set(err, SC_ERR_NOT_FOUND, "No virtual camera device could be opened "
                            "(no permission to open %s): add your user to the 'video' group "
                            "and log in again, or load v4l2loopback with `%s`.", denied,
                            SC_VCAM_MODPROBE);
    return sc_error_set(err, SC_ERR_NOT_FOUND, "No virtual camera device was found (no "
                        "/dev/video* device takes video output): load v4l2loopback with `%s` "
                        "(package v4l2loopback-dkms), then start the virtual camera again.",
                        SC_VCAM_MODPROBE);
}

static const char *fourcc_name(uint32_t f, char out[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)((f >> (8 * i)) & 0xff);
        out[i] = c >= 32 && c < 127 ? c : '?';
    }
    out[4] = '\0';
    return out;
}

/* Bytes a frame needs at bytes-per-line bpl (I420: the chroma planes at
 * half of it, one after the other). */
static size_t frame_bytes(uint32_t pixfmt, size_t bpl, int h)
{
    if (pixfmt == V4L2_PIX_FMT_YUV420)
        return bpl * (size_t)h + 2 * (bpl / 2) * (size_t)((h + 1) / 2);
    return bpl * (size_t)h;
}

static size_t natural_bpl(uint32_t pixfmt, int w)
{
    return pixfmt == V4L2_PIX_FMT_YUV420 ? (size_t)w : (size_t)w * 2;
}

static enum sc_status open_error(const char *path, int e, struct sc_error *err)
{
    if (e == ENOENT || e == ENODEV || e == ENXIO || e == ENOTDIR)
        return sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot start the virtual camera: %s does "
                            "not exist; load v4l2loopback with `%s` and use the device it makes "
                            "(stylecam --list-devices marks it), or --vcam auto.", path,
                            SC_VCAM_MODPROBE);
    if (e == EACCES || e == EPERM)
        return sc_error_set(err, SC_ERR_IO, "Cannot start the virtual camera: no permission to "
                            "open %s; add your user to the 'video' group and log in again.",
                            path);
    if (e == EBUSY)
        return sc_error_set(err, SC_ERR_BUSY, "Cannot start the virtual camera: %s is busy "
                            "(another program sends to it); stop that program or choose "
                            "another device.", path);
    return sc_error_set(err, SC_ERR_IO, "Cannot start the virtual camera: cannot open %s (%s).",
                        path, strerror(e));
}

/* The format: the frame size asked for (even), pixfmt, BT.601 limited. */
static enum sc_status set_format(struct lb *l, const struct sc_vcam_request *req,
                                 struct sc_error *err)
{
    struct v4l2_format f;
    memset(&f, 0, sizeof f);
    f.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
    if (xioctl(l->fd, VIDIOC_G_FMT, &f) < 0)   /* optional: S_FMT below says it all */
        memset(&f, 0, sizeof f);
    f.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
    int w = req->w & ~1, h = req->h & ~1;
    f.fmt.pix = (struct v4l2_pix_format){
        .width = (uint32_t)w, .height = (uint32_t)h, .pixelformat = l->pixfmt,
        .field = V4L2_FIELD_NONE, .bytesperline = (uint32_t)natural_bpl(l->pixfmt, w),
        .sizeimage = (uint32_t)frame_bytes(l->pixfmt, natural_bpl(l->pixfmt, w), h),
        .colorspace = V4L2_COLORSPACE_SMPTE170M};
    char fc[5];
    fourcc_name(l->pixfmt, fc);
    if (xioctl(l->fd, VIDIOC_S_FMT, &f) < 0) {
        int e = errno;
        if (e == EBUSY)
            return sc_error_set(err, SC_ERR_BUSY, "Cannot start the virtual camera: %s is in "
                                "use with another format (a program still reads it, or it keeps "
                                "its format); close that program or choose another device.",
                                l->path);
        if (e == ENODEV || e == ENXIO)
            return sc_error_set(err, SC_ERR_DEVICE_LOST, "Cannot start the virtual camera: %s "
                                "went away while it was being set up.", l->path);
        return sc_error_set(err, SC_ERR_IO, "Cannot start the virtual camera: %s refused "
                            "%dx%d %s frames (%s); try another --size or --vcam-format.",
                            l->path, w, h, fc, strerror(e));
    }
    if (f.fmt.pix.pixelformat != l->pixfmt) {
        char got[5];
        return sc_error_set(err, SC_ERR_FORMAT, "Cannot start the virtual camera: %s does not "
                            "take %s frames (it offers %s); try --vcam-format %s.", l->path, fc,
                            fourcc_name(f.fmt.pix.pixelformat, got),
                            l->pixfmt == V4L2_PIX_FMT_YUYV ? "i420" : "yuyv");
    }
    if (f.fmt.pix.width < 2 || f.fmt.pix.height < 2 || f.fmt.pix.width > 16384 ||
        f.fmt.pix.height > 16384)
        return sc_error_set(err, SC_ERR_FORMAT, "Cannot start the virtual camera: %s answered "
                            "with a frame size of %ux%u; reload v4l2loopback (`%s`).", l->path,
                            f.fmt.pix.width, f.fmt.pix.height, SC_VCAM_MODPROBE);
    l->w = (int)f.fmt.pix.width;
    l->h = (int)f.fmt.pix.height;
    if (l->w != w || l->h != h)
        sc_warn("The virtual camera %s takes %dx%d frames, not %dx%d: the picture is scaled "
                "to fit.", l->path, l->w, l->h, w, h);
    l->bpl = f.fmt.pix.bytesperline;
    if (l->bpl < natural_bpl(l->pixfmt, l->w))
        l->bpl = natural_bpl(l->pixfmt, l->w);
    size_t need = frame_bytes(l->pixfmt, l->bpl, l->h);
    l->size = f.fmt.pix.sizeimage >= need ? f.fmt.pix.sizeimage : need;
    sc_debug("virtual camera %s: %dx%d %s, %zu bytes per line, %zu per frame", l->path, l->w,
             l->h, fc, l->bpl, l->size);
    return SC_OK;
}

/* The rate frames come at; a driver that has no say in it may refuse. */
static void set_rate(struct lb *l, double fps)
{
    struct v4l2_streamparm p;
    memset(&p, 0, sizeof p);
    p.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
    p.parm.output.capability = V4L2_CAP_TIMEPERFRAME;
    uint32_t num = 1000, den = (uint32_t)lround(fps * 1000);
    if (den % 1000 == 0) {
        num = 1;
        den /= 1000;
    }
    p.parm.output.timeperframe = (struct v4l2_fract){num, den ? den : 30};
    if (xioctl(l->fd, VIDIOC_S_PARM, &p) < 0)
        sc_debug("virtual camera %s: the rate was not set (%s)", l->path, strerror(errno));
}

static void lb_close(void *priv);

static enum sc_status lb_open(void **priv, const struct sc_vcam_request *req, char *where,
                              size_t n, struct sc_error *err)
{
    struct lb *l = calloc(1, sizeof *l);
    if (!l)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot start the virtual camera: out of "
                            "memory.");
    l->fd = -1;
    l->pixfmt = req->format == SC_VCAM_I420 ? V4L2_PIX_FMT_YUV420 : V4L2_PIX_FMT_YUYV;
    enum sc_status st = SC_OK;
    if (req->spec && strlen(req->spec) >= sizeof l->path)
        st = sc_error_set(err, SC_ERR_ARG, "Cannot start the virtual camera: the device path "
                          "is longer than the system allows.");
    else if (req->spec)
        snprintf(l->path, sizeof l->path, "%s", req->spec);
    else
        st = sc_vcam_loopback_find(l->path, sizeof l->path, err);
    if (!st) {
        l->fd = open(l->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (l->fd < 0)
            st = open_error(l->path, errno, err);
    }
    struct v4l2_capability c;
    memset(&c, 0, sizeof c);
    if (!st && xioctl(l->fd, VIDIOC_QUERYCAP, &c) < 0)
        st = sc_error_set(err, SC_ERR_FORMAT, "Cannot start the virtual camera: %s is not a "
                          "video device; use a v4l2loopback device (load one with `%s`).",
                          l->path, SC_VCAM_MODPROBE);
    if (!st && !can_output(&c))
        st = sc_error_set(err, SC_ERR_FORMAT, "Cannot start the virtual camera: %s (%.32s) "
                          "cannot take video output (a camera, or a virtual camera that "
                          "another program already sends to); load v4l2loopback with `%s` and "
                          "use --vcam auto.", l->path, (const char *)c.card, SC_VCAM_MODPROBE);
    if (!st) {
        snprintf(l->card, sizeof l->card, "%.32s", (const char *)c.card);
        st = set_format(l, req, err);
    }
    if (!st) {
        set_rate(l, req->fps > 0 ? req->fps : 30);
        l->buf = calloc(1, l->size);
        if (!l->buf)
            st = sc_error_set(err, SC_ERR_NOMEM, "Cannot start the virtual camera: out of "
                              "memory.");
    }
    if (st) {
        lb_close(l);
        return st;
    }
    if (n)
        snprintf(where, n, "%s (%s)", l->path, l->card[0] ? l->card : "v4l2loopback");
    *priv = l;
    return SC_OK;
}

/* The converter from w x h RGB, made once per source size. */
static int converter(struct lb *l, int w, int h)
{
    if (l->sws && l->src_w == w && l->src_h == h)
        return 0;
    sws_freeContext(l->sws);
    enum AVPixelFormat dst = l->pixfmt == V4L2_PIX_FMT_YUV420 ? AV_PIX_FMT_YUV420P
                                                               : AV_PIX_FMT_YUYV422;
    l->sws = sws_getContext(w, h, AV_PIX_FMT_RGB24, l->w, l->h, dst,
                            SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL, NULL,
                            NULL);
    if (!l->sws)
        return -1;
    /* Full-range RGB in, BT.601 limited-range YCbCr out. */
    const int *bt601 = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(l->sws, bt601, 1, bt601, 0, 0, 1 << 16, 1 << 16);
    l->src_w = w;
    l->src_h = h;
    return 0;
}

static enum sc_status lb_write(void *priv, const struct sc_frame *rgb, struct sc_error *err)
{
    struct lb *l = priv;
    if (converter(l, rgb->w, rgb->h) < 0)
        return sc_error_set(err, SC_ERR_NOMEM, "The virtual camera %s stopped: out of memory "
                            "for the colour conversion.", l->path);
    const uint8_t *src[4] = {rgb->rgb};
    int sstride[4] = {rgb->w * 3};
    uint8_t *dst[4] = {l->buf};
    int dstride[4] = {(int)l->bpl};
    if (l->pixfmt == V4L2_PIX_FMT_YUV420) {
        size_t cs = l->bpl / 2, ch = (size_t)((l->h + 1) / 2);
        dst[1] = l->buf + l->bpl * (size_t)l->h;
        dst[2] = dst[1] + cs * ch;
        dstride[1] = dstride[2] = (int)cs;
    }
    sws_scale(l->sws, src, sstride, 0, rgb->h, dst, dstride);
    ssize_t r;
    do
        r = write(l->fd, l->buf, l->size);
    while (r < 0 && errno == EINTR);
    if (r == (ssize_t)l->size)
        return SC_OK;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        l->lost++;      /* the reader is slow: this frame is lost */
        return SC_OK;
    }
    if (r < 0 && (errno == ENODEV || errno == ENXIO))
        return sc_error_set(err, SC_ERR_DEVICE_LOST, "The virtual camera %s went away (was "
                            "v4l2loopback unloaded?); the stream goes on without it (V starts "
                            "it again).", l->path);
    if (r < 0)
        return sc_error_set(err, SC_ERR_IO, "Writing to the virtual camera %s failed (%s); "
                            "the stream goes on without it (V starts it again).", l->path,
                            strerror(errno));
    return sc_error_set(err, SC_ERR_IO, "Writing to the virtual camera %s failed (it took %zd "
                        "of %zu bytes); the stream goes on without it (V starts it again).",
                        l->path, r, l->size);
}

static void lb_close(void *priv)
{
    struct lb *l = priv;
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    sws_freeContext(l->sws);
    free(l->buf);
    free(l);
}

uint64_t sc_vcam_loopback_lost(void *priv)
{
    const struct lb *l = priv;
    return l ? l->lost : 0;
}

const struct sc_vcam_sink_driver sc_vcam_loopback = {
    .name = "v4l2loopback",
    .open = lb_open,
    .write = lb_write,
    .consumers = NULL,      /* v4l2loopback does not say */
    .close = lb_close,
};

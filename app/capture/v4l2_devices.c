/* Finding cameras: /dev/videoN nodes, their by-id names and native modes.
 * Uses plain open/ioctl (not libv4l2) so that only native formats show. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <limits.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/capture/v4l2_priv.h"

#define MAX_NODES 64

typedef int (*ioctl_fn)(int, unsigned long, ...);

static int xioctl(ioctl_fn io, int fd, unsigned long req, void *arg)
{
    int r;
    do
        r = io(fd, req, arg);
    while (r < 0 && errno == EINTR);
    return r;
}

int sc_v4l2_native_sizes(int fd, int via_libv4l2, struct sc_v4l2_size *out, int max)
{
    ioctl_fn io = via_libv4l2 ? v4l2_ioctl : ioctl;
    int n = 0;
    for (uint32_t i = 0;; i++) {
        struct v4l2_fmtdesc d = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
        if (xioctl(io, fd, VIDIOC_ENUM_FMT, &d) < 0)
            break;
        if (d.flags & V4L2_FMT_FLAG_EMULATED)
            continue;
        int comp = d.pixelformat == V4L2_PIX_FMT_MJPEG || d.pixelformat == V4L2_PIX_FMT_JPEG;
        for (uint32_t j = 0; n < max; j++) {
            struct v4l2_frmsizeenum s = { .index = j, .pixel_format = d.pixelformat };
            if (xioctl(io, fd, VIDIOC_ENUM_FRAMESIZES, &s) < 0)
                break;
            if (s.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
                out[n++] = (struct sc_v4l2_size){ d.pixelformat, s.discrete.width,
                                                  s.discrete.height, comp };
            } else {    /* stepwise/continuous: offer its corners */
                out[n++] = (struct sc_v4l2_size){ d.pixelformat, s.stepwise.max_width,
                                                  s.stepwise.max_height, comp };
                if (n < max)
                    out[n++] = (struct sc_v4l2_size){ d.pixelformat, s.stepwise.min_width,
                                                      s.stepwise.min_height, comp };
                break;
            }
        }
    }
    return n;
}

int sc_v4l2_by_id(const char *node, char *buf, size_t n)
{
    DIR *d = opendir("/dev/v4l/by-id");
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char link[PATH_MAX], real[PATH_MAX];
        snprintf(link, sizeof link, "/dev/v4l/by-id/%s", e->d_name);
        if (realpath(link, real) && strcmp(real, node) == 0) {
            snprintf(buf, n, "%s", link);
            found = 1;
        }
    }
    closedir(d);
    return found;
}

static void fourcc_str(uint32_t f, char out[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)((f >> (8 * i)) & 0xff);
        out[i] = c >= 32 && c < 127 ? c : '?';
    }
    out[4] = '\0';
}

void sc_v4l2_native_fourcc(int fd, char out[5])
{
    struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    if (xioctl(ioctl, fd, VIDIOC_G_FMT, &f) == 0)
        fourcc_str(f.fmt.pix.pixelformat, out);
    else
        snprintf(out, 5, "?");
}

static uint32_t caps_of(const struct v4l2_capability *c)
{
    return (c->capabilities & V4L2_CAP_DEVICE_CAPS) ? c->device_caps : c->capabilities;
}

static int can_capture(const struct v4l2_capability *c)
{
    uint32_t caps = caps_of(c);
    return (caps & V4L2_CAP_VIDEO_CAPTURE) && (caps & V4L2_CAP_STREAMING);
}

/* A v4l2loopback device: by its driver name, or any device that takes
 * single-plane video output and is no codec (what --vcam auto picks). */
static int is_loopback(const struct v4l2_capability *c)
{
    uint32_t caps = caps_of(c);
    return strcmp((const char *)c->driver, "v4l2 loopback") == 0 ||
           ((caps & V4L2_CAP_VIDEO_OUTPUT) &&
            !(caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE)));
}

static void list_rates(FILE *out, int fd, uint32_t fourcc, unsigned w, unsigned h)
{
    const char *sep = " @ ";
    for (uint32_t k = 0; k < 16; k++) {
        struct v4l2_frmivalenum iv = { .index = k, .pixel_format = fourcc, .width = w, .height = h };
        if (xioctl(ioctl, fd, VIDIOC_ENUM_FRAMEINTERVALS, &iv) < 0 ||
            iv.type != V4L2_FRMIVAL_TYPE_DISCRETE || !iv.discrete.numerator)
            break;
        fprintf(out, "%s%g", sep, (double)iv.discrete.denominator / iv.discrete.numerator);
        sep = "/";
    }
    if (sep[0] == '/')
        fprintf(out, " fps");
}

static void list_modes(FILE *out, int fd)
{
    for (uint32_t i = 0;; i++) {
        struct v4l2_fmtdesc d = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
        if (xioctl(ioctl, fd, VIDIOC_ENUM_FMT, &d) < 0)
            break;
        char fc[5];
        fourcc_str(d.pixelformat, fc);
        fprintf(out, "    %s (%.32s):", fc, (const char *)d.description);
        for (uint32_t j = 0;; j++) {
            struct v4l2_frmsizeenum s = { .index = j, .pixel_format = d.pixelformat };
            if (xioctl(ioctl, fd, VIDIOC_ENUM_FRAMESIZES, &s) < 0)
                break;
            if (s.type != V4L2_FRMSIZE_TYPE_DISCRETE) {
                fprintf(out, " %ux%u to %ux%u", s.stepwise.min_width, s.stepwise.min_height,
                        s.stepwise.max_width, s.stepwise.max_height);
                break;
            }
            fprintf(out, "%s %ux%u", j ? "," : "", s.discrete.width, s.discrete.height);
            list_rates(out, fd, d.pixelformat, s.discrete.width, s.discrete.height);
        }
        fprintf(out, "\n");
    }
}

int sc_v4l2_list_devices(FILE *out)
{
    int cameras = 0, outputs = 0;
    for (int i = 0; i < MAX_NODES; i++) {
        char node[32], byid[PATH_MAX];
        struct stat st;
        snprintf(node, sizeof node, "/dev/video%d", i);
        int fd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        int open_errno = errno;
        if (fd < 0 && stat(node, &st) < 0)
            continue;
        int has_id = sc_v4l2_by_id(node, byid, sizeof byid);
        fprintf(out, "%s%s%s", node, has_id ? " = " : "", has_id ? byid : "");
        if (fd < 0) {
            fprintf(out, ": cannot open (%s)\n",
                    open_errno == EBUSY ? "busy" : strerror(open_errno));
            continue;
        }
        struct v4l2_capability c;
        memset(&c, 0, sizeof c);
        if (xioctl(ioctl, fd, VIDIOC_QUERYCAP, &c) < 0) {
            fprintf(out, ": not a V4L2 device\n");
        } else if (is_loopback(&c) && (caps_of(&c) & V4L2_CAP_VIDEO_OUTPUT)) {
            fprintf(out, ": %.32s: virtual camera output (v4l2loopback; --vcam %s)\n",
                    (const char *)c.card, node);
            outputs++;
        } else if (is_loopback(&c)) {   /* exclusive_caps=1 with a writer: a camera now */
            fprintf(out, ": %.32s: virtual camera (v4l2loopback, another program sends to "
                    "it)\n", (const char *)c.card);
        } else if (!can_capture(&c)) {
            fprintf(out, ": %.32s (not a video capture device)\n", (const char *)c.card);
        } else {
            fprintf(out, ": %.32s\n", (const char *)c.card);
            list_modes(out, fd);
            cameras++;
        }
        close(fd);
    }
    if (!cameras)
        fprintf(out, "No V4L2 cameras found.\n");
    return cameras + outputs;
}

enum sc_status sc_v4l2_default_device(char *buf, size_t n, struct sc_error *err)
{
    for (int i = 0; i < MAX_NODES; i++) {
        char node[32];
        snprintf(node, sizeof node, "/dev/video%d", i);
        int fd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            if (errno == EBUSY) {   /* probably a camera; opening it explains */
                snprintf(buf, n, "%s", node);
                return SC_OK;
            }
            continue;
        }
        struct v4l2_capability c;
        memset(&c, 0, sizeof c);
        /* Not a virtual camera: it may be our own output. */
        int ok = xioctl(ioctl, fd, VIDIOC_QUERYCAP, &c) == 0 && can_capture(&c) &&
                 !is_loopback(&c);
        close(fd);
        if (ok) {
            snprintf(buf, n, "%s", node);
            return SC_OK;
        }
    }
    return sc_error_set(err, SC_ERR_NOT_FOUND,
                        "No camera was found: plug in a webcam (and check that your user is in the 'video' group).");
}

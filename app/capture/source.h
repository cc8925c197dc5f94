/* A frame source: a camera, a still image, a video file or the test scene.
 * Each kind is a driver, a const struct of function pointers; the capture
 * thread owns the instance and is the only thread that calls into it. */
#ifndef SC_SOURCE_H
#define SC_SOURCE_H

#include "common/frame.h"
#include "common/status.h"

struct sc_source_request {
    const char *spec;   /* device path, "pipewire[:NAME]", file name or "test";
                           NULL = driver default */
    int w, h;           /* wanted size; 0 = the driver's default */
    double fps;         /* wanted rate; 0 = the driver's default */
    int paced;          /* files only: 1 = deliver at the file's own rate (a still
                           image at fps) for live view, 0 = as fast as read (batch) */
    long frames;        /* still images: end (SC_EOF) after this many; 0 = never */
};

struct sc_source_info {
    int w, h;           /* the size frames will have (what the source could give) */
    double fps;         /* nominal rate, 0 if unknown */
    int time_base_num;  /* a video file's stream time base: its frames' pts_us */
    int time_base_den;  /* are whole ticks of it; 0/0 for other sources (zeroed
                           by the caller before open) */
    char name[256];     /* what is open, for messages ("/dev/video0 (Fake Camera)") */
};

struct sc_source_driver {
    const char *name;   /* "v4l2", "pipewire", "image", "video", "test" */

    /* Capture thread. Opens the source; on success *priv is the instance and
     * *info what was negotiated. On failure returns an error status with one
     * sentence in err (what, which device/file, what to do); *priv untouched.
     * SC_ERR_BUSY, SC_ERR_NOT_FOUND, SC_ERR_DEVICE_LOST tell the caller
     * whether retrying later makes sense. */
    enum sc_status (*open)(void **priv, const struct sc_source_request *req,
                           struct sc_source_info *info, struct sc_error *err);

    /* Capture thread. Waits (poll or sleep, never a spin) at most timeout_ms
     * for the next frame and converts it into dst, whose rgb buffer the caller
     * allocated for info->w x info->h. Sets dst->pts_us (CLOCK_MONOTONIC
     * capture time) and dst->seq. Returns SC_OK, SC_AGAIN on timeout, SC_EOF
     * when a file ends, SC_ERR_DEVICE_LOST on unplug (ENODEV/EIO), or another
     * error with a sentence in err. Never allocates per frame. */
    enum sc_status (*read)(void *priv, struct sc_frame *dst, int timeout_ms,
                           struct sc_error *err);

    /* Capture thread. Releases everything open acquired; priv may be NULL. */
    void (*close)(void *priv);
};

extern const struct sc_source_driver sc_source_v4l2;
/* A PipeWire camera (app/capture/pipewire_cameras.h); in a build without
 * libpipewire its open says so in one sentence. */
extern const struct sc_source_driver sc_source_pipewire;
extern const struct sc_source_driver sc_source_image;
extern const struct sc_source_driver sc_source_video;
extern const struct sc_source_driver sc_source_test;

#endif

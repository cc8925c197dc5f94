/* Where a virtual camera's frames go: a v4l2loopback device (loopback.c)
 * or a PipeWire Video/Source node (pipewire.c). Each kind is a driver, a
 * const struct of function pointers, like a frame source. The virtual
 * camera's own thread (app/output/output_vcam.c) owns the instance and is
 * the only thread that calls into it; it paces the frames and repeats the
 * last one, so a sink only converts and delivers. */
#ifndef SC_VCAM_SINK_H
#define SC_VCAM_SINK_H

#include "common/frame.h"
#include "common/status.h"

enum sc_vcam_format { SC_VCAM_YUYV, SC_VCAM_I420 };

struct sc_vcam_request {
    const char *spec;           /* loopback: a device path; pipewire: a node name
                                   (NULL = "stylecam") */
    int w, h;                   /* the stream's frame size (even: the caller rounds) */
    double fps;                 /* the rate frames will come at (> 0) */
    enum sc_vcam_format format; /* loopback only: what is written */
};

struct sc_vcam_sink_driver {
    const char *name;           /* "v4l2loopback", "pipewire" */

    /* The vcam thread. Opens the sink for w x h frames; on success *priv is
     * the instance and where (a buffer of n bytes) says in words where the
     * frames go ("/dev/video10 (stylecam)", "PipeWire node 'stylecam'"). On
     * failure returns an error with one sentence in err (what, which device,
     * what to do: e.g. the modprobe line); *priv untouched. */
    enum sc_status (*open)(void **priv, const struct sc_vcam_request *req,
                           char *where, size_t n, struct sc_error *err);

    /* The vcam thread. Delivers one packed RGB frame of the opened size
     * (the same frame again when the engine is slower than the rate).
     * Never blocks for long: a consumer that does not keep up loses frames
     * (return SC_OK). SC_ERR_DEVICE_LOST when the device or daemon went
     * away, another error with a sentence when a write failed: the caller
     * then closes the sink and says so once. */
    enum sc_status (*write)(void *priv, const struct sc_frame *rgb, struct sc_error *err);

    /* Optional, the vcam thread: how many consumers read now (-1 unknown). */
    int (*consumers)(void *priv);

    /* The vcam thread. Releases everything open acquired; priv may be NULL. */
    void (*close)(void *priv);
};

extern const struct sc_vcam_sink_driver sc_vcam_loopback;
extern const struct sc_vcam_sink_driver sc_vcam_pipewire;   /* only when built with
                                                               PipeWire (HAVE_PIPEWIRE) */

#endif

/* Helpers shared by source_v4l2.c and v4l2_devices.c; not a public API. */
#ifndef SC_V4L2_PRIV_H
#define SC_V4L2_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "app/capture/v4l2.h"

struct sc_v4l2_size {
    uint32_t fourcc;
    unsigned w, h;
    int compressed;     /* MJPEG/JPEG: the mode that is fast at large sizes */
};

/* The camera's native (not libv4l-emulated) discrete sizes, at most max.
 * via_libv4l2: fd came from v4l2_open (else a plain open). Returns the count. */
int sc_v4l2_native_sizes(int fd, int via_libv4l2, struct sc_v4l2_size *out, int max);

/* The /dev/v4l/by-id/... link that resolves to node, if any: 1 and buf set. */
int sc_v4l2_by_id(const char *node, char *buf, size_t n);

/* The native pixel format the driver streams now, as 4 characters. */
void sc_v4l2_native_fourcc(int fd, char out[5]);

#endif

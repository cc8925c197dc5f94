/* Camera discovery for the V4L2 source (sc_source_v4l2 in source.h). */
#ifndef SC_V4L2_H
#define SC_V4L2_H

#include <stddef.h>
#include <stdio.h>

#include "common/status.h"

/* Prints every /dev/videoN with its stable /dev/v4l/by-id name (if any), card
 * name, native formats, sizes and frame rates; v4l2loopback devices are
 * marked "virtual camera output (v4l2loopback)". Returns the number of video
 * capture devices and virtual camera outputs found. */
int sc_v4l2_list_devices(FILE *out);

/* Writes the first device that can capture video into buf. Returns SC_OK, or
 * SC_ERR_NOT_FOUND with a sentence when there is none. */
enum sc_status sc_v4l2_default_device(char *buf, size_t n, struct sc_error *err);

#endif

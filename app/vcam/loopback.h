/* The v4l2loopback sink (sc_vcam_loopback in sink.h): what it adds to the
 * sink interface. */
#ifndef SC_VCAM_LOOPBACK_H
#define SC_VCAM_LOOPBACK_H

#include <stddef.h>
#include <stdint.h>

#include "app/vcam/sink.h"

/* How to get a loopback device, for sentences that say what to do. */
#define SC_VCAM_MODPROBE "sudo modprobe v4l2loopback exclusive_caps=1 card_label=stylecam"

/* sc_vcam_loopback.open with req->spec NULL searches: the first /dev/videoN
 * (in numeric order) that can take video output. */

/* Any thread: the first /dev/videoN that can take video output, into buf.
 * Returns SC_OK, or SC_ERR_NOT_FOUND with a sentence (the modprobe line). */
enum sc_status sc_vcam_loopback_find(char *buf, size_t n, struct sc_error *err);

/* The vcam thread, on an open instance: frames the device refused because
 * the reader was slow (EAGAIN on the non-blocking fd): lost, not an error. */
uint64_t sc_vcam_loopback_lost(void *priv);

#endif

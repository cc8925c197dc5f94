/* The virtual camera as an output (what OBS's "Start Virtual Camera" does):
 * the processing thread hands it each stylized frame, which waits in a
 * one-slot mailbox (a frame replaced before the vcam thread took it is
 * dropped and counted); the output's own thread converts and writes it
 * through a sink (app/vcam/sink.h: a v4l2loopback device or a PipeWire
 * node) and repeats the last frame when no new one comes in time, so a
 * reader sees a steady rate however slow the engine is. */
#ifndef SC_OUTPUT_VCAM_H
#define SC_OUTPUT_VCAM_H

#include "app/output/output.h"
#include "app/vcam/sink.h"
#include "common/status.h"

struct sc_output_vcam_opts {
    const char *spec;               /* a device path, "auto" (the first v4l2loopback
                                       device, else PipeWire) or "pipewire" (copied) */
    enum sc_vcam_format format;     /* what a loopback device is sent */
    double fps;                     /* the rate readers expect (the stream's nominal
                                       rate); <= 0: 30 */
};

extern const struct sc_output_driver sc_output_vcam;

/* Any thread: the instance to attach; its thread starts here and opens the
 * sink at the first frame's size (a failure then is said once, logged and
 * in close's sentence, and frame() asks to be closed). */
enum sc_status sc_output_vcam_new(void **priv, const struct sc_output_vcam_opts *o,
                                  struct sc_error *err);

#endif

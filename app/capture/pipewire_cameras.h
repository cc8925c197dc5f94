/* Camera discovery for the PipeWire source (sc_source_pipewire in source.h):
 * nodes of media.class Video/Source, such as the MIPI cameras that reach
 * PipeWire through libcamera (no V4L2 capture node of their own). Builds
 * without libpipewire have these too (source_pipewire_none.c): they find
 * nothing and say why. */
#ifndef SC_PIPEWIRE_CAMERAS_H
#define SC_PIPEWIRE_CAMERAS_H

#include <stddef.h>
#include <stdio.h>

#include "common/status.h"

/* The node name of stylecam's own virtual camera, never taken as a camera. */
#define SC_PIPEWIRE_VCAM_NODE "stylecam"

/* 1 if spec names the PipeWire source: "pipewire" or "pipewire:NAME". */
int sc_pipewire_is_spec(const char *spec);

/* Prints a "PipeWire cameras:" section: each camera's node name, description
 * and the formats, sizes and rates it offers (or why there is none: no
 * daemon, no support in this build). Gives up after a short wait when the
 * daemon does not answer. Returns the number of cameras. */
int sc_pipewire_list_cameras(FILE *out);

/* Writes "pipewire:NAME" of the first PipeWire camera into buf. Returns
 * SC_OK, or SC_ERR_NOT_FOUND with a sentence (no daemon, no camera, no
 * support in this build). */
enum sc_status sc_pipewire_default_camera(char *buf, size_t n, struct sc_error *err);

#endif

/* PipeWire cameras in a build without libpipewire (meson found no
 * libpipewire-0.3, or -Dpipewire=disabled): the same functions as
 * source_pipewire.c, each saying in one sentence that there is no support. */
#include <stdio.h>
#include <string.h>

#include "app/capture/pipewire_cameras.h"
#include "app/capture/source.h"

#define NO_SUPPORT "This stylecam was built without PipeWire support, so it cannot use " \
                   "PipeWire cameras: rebuild it with libpipewire-0.3-dev installed " \
                   "(scripts/deps.sh), or use a V4L2 camera from --list-devices."

int sc_pipewire_is_spec(const char *spec)
{
    return spec && strncmp(spec, "pipewire", 8) == 0 && (spec[8] == '\0' || spec[8] == ':');
}

int sc_pipewire_list_cameras(FILE *out)
{
    fprintf(out, "PipeWire cameras: none (this build has no PipeWire support)\n");
    return 0;
}

enum sc_status sc_pipewire_default_camera(char *buf, size_t n, struct sc_error *err)
{
    (void)buf;
    (void)n;
    return sc_error_set(err, SC_ERR_NOT_FOUND, NO_SUPPORT);
}

static enum sc_status none_open(void **priv, const struct sc_source_request *req,
                                struct sc_source_info *info, struct sc_error *err)
{
    return sc_error_set(err, SC_ERR_ARG, NO_SUPPORT);
}

static enum sc_status none_read(void *priv, struct sc_frame *dst, int timeout_ms,
                                struct sc_error *err)
{
    return sc_error_set(err, SC_ERR_IO, NO_SUPPORT);
}

static void none_close(void *priv)
{
}

const struct sc_source_driver sc_source_pipewire = {
    .name = "pipewire",
    .open = none_open,
    .read = none_read,
    .close = none_close,
};

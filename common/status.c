#include "common/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *sc_strerror(enum sc_status st)
{
    switch (st) {
    case SC_OK: return "success";
    case SC_ERR_IO: return "input/output error";
    case SC_ERR_FORMAT: return "malformed file";
    case SC_ERR_NOMEM: return "out of memory";
    case SC_ERR_ARG: return "invalid argument";
    case SC_ERR_NOT_FOUND: return "not found";
    case SC_ERR_CL_DRIVER: return "no OpenCL driver";
    case SC_ERR_CL_DEVICE: return "OpenCL device error";
    case SC_ERR_CL_BUILD: return "OpenCL kernel build failed";
    case SC_ERR_TOO_LARGE: return "too large for the device";
    case SC_ERR_DEVICE_LOST: return "device lost";
    case SC_ERR_BUSY: return "device busy";
    case SC_ERR_FULL: return "disk full";
    case SC_AGAIN: return "try again";
    case SC_EOF: return "end of stream";
    case SC_ERR_EXISTS: return "file exists";
    }
    return "unknown error";
}

enum sc_status sc_error_set(struct sc_error *err, enum sc_status st,
                            const char *fmt, ...)
{
    if (!err)
        return st;
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return st;
}

void sc_error_clear(struct sc_error *err)
{
    if (!err)
        return;
    err->status = SC_OK;
    err->msg[0] = '\0';
}

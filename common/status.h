/* Status codes and the one-sentence error every failing call leaves behind. */
#ifndef SC_STATUS_H
#define SC_STATUS_H

#include <stddef.h>

enum sc_status {
    SC_OK = 0,
    SC_ERR_IO,          /* a file could not be opened, read or written */
    SC_ERR_FORMAT,      /* a file's contents are malformed */
    SC_ERR_NOMEM,       /* host memory ran out */
    SC_ERR_ARG,         /* a caller passed something out of range */
    SC_ERR_NOT_FOUND,   /* a named thing (style, device) does not exist */
    SC_ERR_CL_DRIVER,   /* no OpenCL platform or no driver behind the loader */
    SC_ERR_CL_DEVICE,   /* the device refused or failed an operation */
    SC_ERR_CL_BUILD,    /* a kernel failed to compile */
    SC_ERR_TOO_LARGE,   /* a frame or image exceeds what the device can hold */
    SC_ERR_DEVICE_LOST, /* a camera went away (unplug) */
    SC_ERR_BUSY,        /* a device is in use by another program */
    SC_ERR_FULL,        /* the disk is full */
    SC_AGAIN,           /* nothing ready yet (a timeout); try again */
    SC_EOF,             /* a source has no more frames */
    SC_ERR_EXISTS,      /* a file that must not be overwritten is there */
};

/* A short generic description of a status ("file format error"). */
const char *sc_strerror(enum sc_status st);

/* The sentence a failing call writes for the user: what failed, on which
 * file or device, and what to do. Fixed size so error paths never allocate. */
struct sc_error {
    enum sc_status status;
    char msg[1024];
};

/* Sets err (may be NULL) to a printf-formatted sentence; returns st, so
 * callers can write `return sc_error_set(err, SC_ERR_IO, "...")`. */
enum sc_status sc_error_set(struct sc_error *err, enum sc_status st,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err to SC_OK with an empty message. */
void sc_error_clear(struct sc_error *err);

#endif

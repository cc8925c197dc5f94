/* Shared by pipewire_cameras.c (the connection, its registry, the listing)
 * and source_pipewire.c (the source driver); not a public API. Builds with
 * libpipewire only. */
#ifndef SC_PIPEWIRE_PRIV_H
#define SC_PIPEWIRE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <libavutil/pixfmt.h>
#include <pipewire/pipewire.h>

#include "common/status.h"

#define SC_PW_PREFIX "pipewire"
#define SC_PW_MAX_CAMS 16
/* The size of sc_pw_formats: a constant, so callers can size arrays by it. */
#define SC_PW_NFORMATS 12

struct pw_cam {
    uint32_t id;
    char name[128];             /* node.name */
    char desc[128];             /* node.description (may be empty) */
    char serial[32];            /* object.serial: what the stream targets */
    /* --list-devices only: */
    struct pw_proxy *proxy;
    struct spa_hook listener;
    char formats[1024];         /* one "    FMT WxH @ R fps" line per format */
};

struct pw_session {
    struct pw_thread_loop *loop;
    struct pw_context *ctx;
    struct pw_core *core;
    struct spa_hook core_listener;
    struct pw_registry *registry;
    struct spa_hook registry_listener;
    int sync_seq, synced;       /* loop */
    int dead;                   /* loop: the connection to the daemon broke */
    struct pw_cam cams[SC_PW_MAX_CAMS];     /* loop */
    int ncams;                  /* loop */
    uint32_t watch_id;          /* loop: the camera in use (SPA_ID_INVALID: none) */
    int watch_gone;             /* loop: its node was removed */
};

/* What stylecam converts. */
struct sc_pw_format {
    uint32_t spa;
    enum AVPixelFormat av;
    int bpp;                    /* bytes per pixel of a packed format; 0 = planar */
};
extern const struct sc_pw_format sc_pw_formats[];

/* The index of spa in sc_pw_formats, or -1. */
int sc_pw_find_format(uint32_t spa);

/* A SPA video format's short name ("YUY2"), or "?". */
const char *sc_pw_fmt_name(uint32_t f);

/* Connects and reads the registry once; on SC_OK the loop is running and
 * LOCKED (the caller unlocks). On failure everything is released. */
enum sc_status sc_pw_session_open(struct pw_session *s, struct sc_error *err);

/* Stops the loop and releases everything; s may be partly opened. */
void sc_pw_session_close(struct pw_session *s);

/* The camera the spec names ("pipewire" = the first), or NULL. */
struct pw_cam *sc_pw_find_cam(struct pw_session *s, const char *name);

/* "testcam (Test Camera), other" into buf: the cameras for a message. */
void sc_pw_cam_list(const struct pw_session *s, char *buf, size_t n);

#endif

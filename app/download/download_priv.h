/* The download stage's private parts: the pins and digests (pins.c), one
 * file's transfer (fetch.c), one style's staging, verification and rename
 * (install.c), the object, its thread and notes (download.c), the byte
 * count, rate and the progress line (progress.c). */
#ifndef SC_DOWNLOAD_PRIV_H
#define SC_DOWNLOAD_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "app/download/download.h"

#define SC_PINS_MAX_FILES 64

struct sc_pin_style {
    char name[64];
    enum sc_download_family family;
    char file[64];              /* johnson: the .onnx file's name; arbitrary: the predictor */
    char sum[65];               /* ml5: the folder's digest; else the file's SHA-256 */
    char file2[64], sum2[65];   /* arbitrary: the transformer .tflite and its SHA-256 */
    int64_t bytes;              /* 0 when the pins do not say */
};

struct sc_pins {
    char repo[128], commit[64], folder[128];
    char files[SC_PINS_MAX_FILES][32];
    int nfiles;
    char license_sum[65];
    char onnx_repo[128], onnx_commit[64], onnx_folder[128];
    char tfl_repo[128], tfl_commit[64], tfl_folder[128];
    struct sc_pin_style style[SC_DOWNLOAD_MAX_STYLES];
    int nstyles;
};

/* pins.c: parses text (pins.txt's format); the built-in copy, parsed once. */
enum sc_status sc_pins_parse(const char *text, struct sc_pins *p, struct sc_error *err);
const struct sc_pins *sc_pins_builtin(void);
int sc_pins_find(const struct sc_pins *p, const char *name);
/* SHA-256 of a file, or of a style folder (pins.txt's digest); 0 or -1. */
int sc_sha256_file(const char *path, char hex[65]);
int sc_style_digest(const struct sc_pins *p, const char *dir, char hex[65]);
/* The names of a family, space separated. */
void sc_pins_names(const struct sc_pins *p, int family, char *out, size_t n);

/* fetch.c: one file from a URL, or from a local path, into path (resumed
 * from its size when it exists). */
enum fetch_fail { FETCH_OK, FETCH_UNREACHABLE, FETCH_HTTP, FETCH_CUT, FETCH_FULL,
                  FETCH_IO, FETCH_MISSING, FETCH_CANCELLED };
struct fetch;
struct fetch *sc_fetch_new(struct sc_download *d, int timeout_s, int retries);
void sc_fetch_free(struct fetch *f);
enum fetch_fail sc_fetch_url(struct fetch *f, const char *url, const char *path,
                             char *why, size_t n);
enum fetch_fail sc_fetch_copy(struct fetch *f, const char *src, const char *path,
                              char *why, size_t n);

struct note {
    char line[1024];
    int error;
};

struct sc_download {
    pthread_t thread;
    struct sc_pins pins;
    char dest[PATH_MAX], from[PATH_MAX];
    char base[1024], license_url[1024], onnx_base[1024], host[256], onnx_host[256];
    char tfl_base[1024], tfl_host[256];
    int timeout_s, retries;
    int want[SC_DOWNLOAD_MAX_STYLES];   /* pin indexes, in order */
    int nwant;
    atomic_int cancel;

    pthread_mutex_t lock;               /* guards the fields below */
    struct sc_download_progress prog;
    char inst_name[SC_DOWNLOAD_MAX_STYLES][64];
    char inst_dir[SC_DOWNLOAD_MAX_STYLES][PATH_MAX];
    struct note *notes;
    int nnotes, cap_notes;
    double rate_t0;                     /* rate: bytes and time at the last sample */
    int64_t rate_b0;
};

/* install.c: the thread's note and progress updates. */
void sc_download_add_note(struct sc_download *d, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sc_download_add_bytes(struct sc_download *d, int64_t n);

/* install.c: one style fetched, verified and moved into place (k of the
 * run's n). Returns what ended it; FETCH_OK also for a failed verification
 * or a missing file (said, counted in *failed), which do not stop the run. */
enum fetch_fail sc_install_style(struct sc_download *d, struct fetch *f, int pin, int k,
                                 int *failed);
enum fetch_fail sc_install_license(struct sc_download *d, struct fetch *f, int *failed);
/* The staging folder DEST/.partial, and removing a tree (rm -rf). */
void sc_staging_path(const struct sc_download *d, const char *name, char *out, size_t n);
void sc_remove_tree(const char *path);
void sc_download_record(struct sc_download *d, const char *name, const char *dir);

#endif

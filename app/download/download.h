/* Downloading the pretrained styles on a thread of its own: each file
 * fetched (libcurl, resumed with HTTP Range) or copied from a local mirror,
 * verified against the pins built into the program (models/pins.txt), and
 * only then moved into place, one whole style folder at a time. Used by
 * `stylecam download` and by the window's D. */
#ifndef SC_DOWNLOAD_H
#define SC_DOWNLOAD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/status.h"

#define SC_DOWNLOAD_MAX_STYLES 32

enum sc_download_family { SC_DL_ML5, SC_DL_JOHNSON, SC_DL_ARBITRARY };
#define SC_DL_FAMILIES 3

/* Exit statuses, as models/download.sh's were. */
enum { SC_DL_EXIT_OK, SC_DL_EXIT_FAILED, SC_DL_EXIT_USAGE, SC_DL_EXIT_UNREACHABLE };

struct sc_download_opts {
    const char *dest;           /* the models folder the styles go to (created) */
    const char *from;           /* a local mirror laid out as upstream; NULL: download */
    const struct sc_env *env;   /* STYLECAM_MODELS_URL, _LICENSE_URL, _DOWNLOAD_TIMEOUT,
                                   _DOWNLOAD_RETRIES */
    const char *const *styles;  /* names, "johnson" or "all"; none: the ml5 styles */
    int nstyles;
};

struct sc_download_progress {
    int64_t bytes_done, bytes_total;  /* the whole run (the pins give sizes) */
    double rate;                /* bytes per second, recent; 0 = not measured yet */
    double eta_s;               /* seconds left; < 0 = unknown */
    char current[64];           /* the style being fetched ("" between styles) */
    int styles_done, styles_total;  /* done: installed, skipped or failed */
    int installed;              /* styles moved into place (sc_download_installed) */
    int finished, failed;       /* the thread is done; styles that failed */
    int exit_status;            /* when finished: SC_DL_EXIT_* */
    char message[1024];         /* the last failure's one sentence ("" = none) */
};

struct sc_download_entry {
    char name[64];
    enum sc_download_family family;
    int64_t bytes;
    int installed;              /* present (and, for ml5, verified) in dest */
};

struct sc_download;

/* Checks the names (SC_ERR_ARG: one sentence with the list), --from and
 * dest (SC_ERR_NOT_FOUND, SC_ERR_IO), then starts the thread. */
enum sc_status sc_download_start(struct sc_download **out, const struct sc_download_opts *o,
                                 struct sc_error *err);
/* Any thread: a snapshot of the progress. */
void sc_download_get(struct sc_download *d, struct sc_download_progress *p);
/* Any thread: the i-th style installed (0 .. installed - 1), its name and
 * folder; 0, or -1 when there is none yet. */
int sc_download_installed(struct sc_download *d, int i, char name[64], char dir[PATH_MAX]);
/* Any thread: the i-th line for the user (a family's licence before its
 * first file, a style fetched, installed or skipped, a failure's sentence
 * with *is_error = 1, the summary); 0, or -1 when there is none yet. */
int sc_download_note(struct sc_download *d, int i, char line[1024], int *is_error);
/* Any thread: asks the thread to stop soon (a transfer is cut). */
void sc_download_cancel(struct sc_download *d);
/* Cancels if running, joins, frees (NULL: no-op). A style is installed
 * whole or not at all; a cut file stays in DEST/.partial to be resumed. */
void sc_download_free(struct sc_download **d);

/* The downloadable styles (ml5, then johnson), marked when dest holds them;
 * returns how many (<= max). */
int sc_download_catalog(const char *dest, struct sc_download_entry *out, int max);
const char *sc_download_licence(enum sc_download_family f);
/* "[2/9] mathura [####------] 3.1/60.4 MB  1.2 MB/s  0:43 left" (bar
 * characters of bar; 0: none). */
void sc_download_format(const struct sc_download_progress *p, int bar, char *out, size_t n);
/* $XDG_DATA_HOME/stylecam/models. */
void sc_download_default_dest(const struct sc_env *env, char out[PATH_MAX]);

#endif

/* stylecam download [--list] [--from DIR] [--dest DIR] [STYLE...|johnson|arbitrary|all]:
 * the download library (app/download) on its thread, a progress bar on the
 * terminal, its notes as lines, and download.sh's exit statuses. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/cmd/commands.h"
#include "app/download/download.h"
#include "common/config.h"
#include "common/log.h"

static const char usage[] =
    "usage: stylecam download [--list] [--from DIR] [--dest DIR]\n"
    "                         [STYLE...|johnson|arbitrary|all]\n"
    "\n"
    "Downloads the painting styles (none named: the nine ml5 styles; johnson: Johnson's\n"
    "four ONNX networks, imported; arbitrary: the two networks that make a style of any\n"
    "picture, converted; all: every one), verifies every file against the pins built\n"
    "into stylecam, and moves each verified style into DEST (default\n"
    "$XDG_DATA_HOME/stylecam/models). An interrupted download resumes on the next run.\n"
    "\n"
    "  --list      list the styles, marking those installed in DEST\n"
    "  --from DIR  copy from a local mirror (DIR/STYLE/FILE, DIR/LICENSE, DIR/NAME.onnx,\n"
    "              DIR/NAME.tflite)\n"
    "  --dest DIR  install there\n"
    "\n"
    "Exit status: 0 all verified and installed; 1 some failed; 2 bad usage;\n"
    "3 the host could not be reached.\n"
    "Environment: STYLECAM_MODELS_URL (base URL: BASE/STYLE/FILE, BASE/LICENSE,\n"
    "BASE/NAME.onnx, BASE/NAME.tflite), STYLECAM_LICENSE_URL, STYLECAM_DOWNLOAD_TIMEOUT (seconds to connect\n"
    "or to wait on a stalled transfer, 20), STYLECAM_DOWNLOAD_RETRIES (3).\n";

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

struct args {
    int list;
    const char *from, *dest;
    const char *names[64];
    int n;
};

static int parse(int argc, char **argv, struct args *a)
{
    int dashdash = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (dashdash || s[0] != '-') {
            if (a->n == 64) {
                sc_err("download: too many style names (at most 64).");
                return 2;
            }
            a->names[a->n++] = s;
        } else if (!strcmp(s, "--")) {
            dashdash = 1;
        } else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(s, "--list")) {
            a->list = 1;
        } else if (!strcmp(s, "--from") || !strcmp(s, "--dest")) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                sc_err("download: %s needs a folder.", s);
                return 2;
            }
            *(s[2] == 'f' ? &a->from : &a->dest) = argv[++i];
        } else if (!strncmp(s, "--from=", 7) || !strncmp(s, "--dest=", 7)) {
            *(s[2] == 'f' ? &a->from : &a->dest) = s + 7;
        } else {
            sc_err("download: Unknown option '%s'; see stylecam download --help.", s);
            return 2;
        }
    }
    return -1;
}

static int list(const char *dest)
{
    struct sc_download_entry e[SC_DOWNLOAD_MAX_STYLES];
    int n = sc_download_catalog(dest, e, SC_DOWNLOAD_MAX_STYLES), fam = -1;
    for (int i = 0; i < n; i++) {
        if ((int)e[i].family != fam) {
            fam = (int)e[i].family;
            printf("%s%s\n", i ? "\n" : "", fam == SC_DL_ML5
                   ? "Painting styles (stylecam download):" : fam == SC_DL_JOHNSON
                   ? "Johnson's networks, on request (stylecam download johnson):"
                   : "Any picture as a style, on request (stylecam download arbitrary):");
            printf("  %s\n", sc_download_licence(e[i].family));
        }
        printf("  %-16s %5.1f MB  %s\n", e[i].name, (double)e[i].bytes / 1e6,
               e[i].installed ? "installed" : "-");
    }
    printf("\nInstalled in: %s\n", dest);
    return 0;
}

/* Prints the notes not printed yet, clearing the bar's line first. */
static void print_notes(struct sc_download *d, int *next, int *bar_shown)
{
    char line[1024];
    int is_error;
    while (sc_download_note(d, *next, line, &is_error) == 0) {
        if (*bar_shown) {
            fputs("\r\033[K", stderr);
            fflush(stderr);
            *bar_shown = 0;
        }
        if (is_error) {
            sc_err("%s", line);
        } else {
            printf("%s\n", line);
            fflush(stdout);
        }
        ++*next;
    }
}

static int run(struct sc_download *d)
{
    int tty = isatty(STDERR_FILENO), next = 0, bar_shown = 0, cancelled = 0;
    struct sc_download_progress p;
    for (;;) {
        if (interrupted && !cancelled) {
            sc_download_cancel(d);
            cancelled = 1;
        }
        sc_download_get(d, &p);
        print_notes(d, &next, &bar_shown);
        if (p.finished)
            break;
        if (tty && p.current[0]) {
            char line[256];
            sc_download_format(&p, 24, line, sizeof line);
            fprintf(stderr, "\r%s\033[K", line);
            fflush(stderr);
            bar_shown = 1;
        }
        nanosleep(&(struct timespec){0, 100 * 1000000}, NULL);
    }
    print_notes(d, &next, &bar_shown);
    if (bar_shown)
        fputs("\r\033[K", stderr);
    return interrupted ? 128 + interrupted : p.exit_status;
}

int sc_cmd_download(int argc, char **argv)
{
    struct args a = {0};
    int rc = parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    struct sc_env env;
    struct sc_error err;
    if (sc_env_read(&env, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 2;
    }
    char dest[PATH_MAX];
    if (a.dest)
        snprintf(dest, sizeof dest, "%s", a.dest);
    else
        sc_download_default_dest(&env, dest);
    if (a.list)
        return list(dest);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    struct sc_download_opts o = {.dest = dest, .from = a.from, .env = &env,
                                 .styles = a.names, .nstyles = a.n};
    struct sc_download *d;
    if (sc_download_start(&d, &o, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 2;
    }
    rc = run(d);
    sc_download_free(&d);
    return rc;
}

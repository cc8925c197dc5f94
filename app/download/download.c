/* The download as an object: started on a thread of its own, read through
 * snapshots (progress, notes, styles installed), cancelled and joined by
 * sc_download_free. */
#include "app/download/download_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const licences[] = {
    [SC_DL_ML5] = "The painting styles are Logan Engstrom's fast-style-transfer networks as "
                  "published by ml5.js, under the MIT licence (installed beside them as "
                  "LICENSE).",
    [SC_DL_JOHNSON] = "Johnson's networks: licence 'free for personal or research use' "
                      "(Justin Johnson), not MIT; do not use them commercially.",
    [SC_DL_ARBITRARY] = "Arbitrary style transfer: Magenta's networks (Ghiasi et al. 2017) "
                        "under the Apache License 2.0.",
};

void sc_download_add_note(struct sc_download *d, int error, const char *fmt, ...)
{
    struct note nt = {.error = error};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(nt.line, sizeof nt.line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&d->lock);
    if (d->nnotes == d->cap_notes) {
        int cap = d->cap_notes ? 2 * d->cap_notes : 16;
        struct note *n = realloc(d->notes, (size_t)cap * sizeof *n);
        if (n) {
            d->notes = n;
            d->cap_notes = cap;
        }
    }
    if (d->nnotes < d->cap_notes)
        d->notes[d->nnotes++] = nt;
    if (error)
        snprintf(d->prog.message, sizeof d->prog.message, "%s", nt.line);
    pthread_mutex_unlock(&d->lock);
}

void sc_download_record(struct sc_download *d, const char *name, const char *dir)
{
    pthread_mutex_lock(&d->lock);
    int i = d->prog.installed;
    if (i < SC_DOWNLOAD_MAX_STYLES) {
        snprintf(d->inst_name[i], sizeof d->inst_name[i], "%s", name);
        snprintf(d->inst_dir[i], sizeof d->inst_dir[i], "%s", dir);
        d->prog.installed++;
    }
    pthread_mutex_unlock(&d->lock);
}

/* Takes the run's lock file in DEST/.partial: one download per folder. */
static int take_lock(struct sc_download *d)
{
    char path[PATH_MAX + 32];
    sc_staging_path(d, ".lock", path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

static int rm_empty(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    if (flag == FTW_DP)
        rmdir(path);                /* fails, as it should, when not empty */
    else if (flag == FTW_F && (sb->st_size == 0 || !strcmp(path + ftw->base, ".lock")))
        unlink(path);
    return 0;
}

/* Removes DEST/.partial, or with keep (a transfer cut short) all but the
 * bytes worth resuming. */
static void tidy(struct sc_download *d, int keep)
{
    char path[PATH_MAX + 32];
    sc_staging_path(d, "", path, sizeof path);
    if (keep)
        nftw(path, rm_empty, 16, FTW_DEPTH | FTW_PHYS);
    else
        sc_remove_tree(path);
}

static void *run(void *arg)
{
    struct sc_download *d = arg;
    struct fetch *f = sc_fetch_new(d, d->timeout_s, d->retries);
    int failed = 0, lic_failed = 0, exit_status = SC_DL_EXIT_OK, lock = -1, broken = 0;
    enum fetch_fail stop = FETCH_OK;
    char staging[PATH_MAX + 16];
    sc_staging_path(d, "", staging, sizeof staging);
    if (!f) {
        sc_download_add_note(d, 1, "Out of memory starting the download.");
        broken = 1;
    } else if (mkdir(staging, 0755) && errno != EEXIST) {
        sc_download_add_note(d, 1, "Cannot create the folder %s (%s); check free space and "
                             "the permissions of %s.", staging, strerror(errno), d->dest);
        broken = 1;
    } else if ((lock = take_lock(d)) < 0) {
        sc_download_add_note(d, 1, "Another stylecam download is installing into %s; wait "
                             "for it to end, then run this one again.", d->dest);
        broken = 1;
    }
    int said[SC_DL_FAMILIES] = {0}, installed0 = 0;
    char names[512] = "";
    for (int k = 0; !broken && k < d->nwant && stop == FETCH_OK; k++) {
        const struct sc_pin_style *s = &d->pins.style[d->want[k]];
        if (!said[s->family]) {
            said[s->family] = 1;
            sc_download_add_note(d, 0, "%s", licences[s->family]);
            if (s->family == SC_DL_ML5)
                stop = sc_install_license(d, f, &lic_failed);
            if (stop != FETCH_OK)
                break;
        }
        int before = failed;
        stop = sc_install_style(d, f, d->want[k], k + 1, &failed);
        if (failed > before && strlen(names) + strlen(s->name) + 3 < sizeof names)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? " " : "", s->name);
        pthread_mutex_lock(&d->lock);
        d->prog.styles_done = k + 1;
        d->prog.failed = failed;
        d->prog.current[0] = '\0';
        pthread_mutex_unlock(&d->lock);
    }
    sc_fetch_free(f);
    pthread_mutex_lock(&d->lock);
    int installed = d->prog.installed - installed0, done = d->prog.styles_done;
    pthread_mutex_unlock(&d->lock);
    if (stop == FETCH_UNREACHABLE)
        exit_status = SC_DL_EXIT_UNREACHABLE;
    else if (broken || failed || lic_failed || stop != FETCH_OK)
        exit_status = SC_DL_EXIT_FAILED;
    if (lock >= 0) {
        /* A transfer cut short keeps its part to resume; anything else goes. */
        tidy(d, stop == FETCH_CUT || stop == FETCH_CANCELLED || stop == FETCH_UNREACHABLE);
        close(lock);
    }
    sc_download_add_note(d, 0, "Done: %d installed, %d already present, %d failed%s%s%s%s.",
                         installed, done - installed - failed, failed + (d->nwant - done),
                         d->nwant > done ? " or not attempted" : "", names[0] ? " (" : "",
                         names, names[0] ? ")" : "");
    pthread_mutex_lock(&d->lock);
    d->prog.failed = failed + (d->nwant - done);
    d->prog.exit_status = exit_status;
    d->prog.finished = 1;
    d->prog.current[0] = '\0';
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

static int mkdirs(const char *path)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static void host_of(const char *url, char *out, size_t n)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    snprintf(out, n, "%.*s", (int)strcspn(h, "/"), h);
}

/* Adds pin i to the run once. */
static void want(struct sc_download *d, int i)
{
    for (int k = 0; k < d->nwant; k++)
        if (d->want[k] == i)
            return;
    d->want[d->nwant++] = i;
    d->prog.bytes_total += d->pins.style[i].bytes;
}

static enum sc_status pick(struct sc_download *d, const struct sc_download_opts *o,
                           struct sc_error *err)
{
    const struct sc_pins *p = &d->pins;
    for (int i = 0; i < o->nstyles; i++) {
        const char *n = o->styles[i];
        int all = !strcmp(n, "all"), johnson = !strcmp(n, "johnson"), k = sc_pins_find(p, n);
        if (k >= 0) {
            want(d, k);
            continue;
        }
        if (!all && !johnson) {
            char ml5[512], onnx[512], tfl[128];
            sc_pins_names(p, SC_DL_ML5, ml5, sizeof ml5);
            sc_pins_names(p, SC_DL_JOHNSON, onnx, sizeof onnx);
            sc_pins_names(p, SC_DL_ARBITRARY, tfl, sizeof tfl);
            return sc_error_set(err, SC_ERR_ARG, "Unknown style '%s'; the styles are: %s "
                                "(give none to get them all), and on request johnson or %s, "
                                "%s (any picture as a style), or all for every one.", n, ml5,
                                onnx, tfl);
        }
        for (int j = 0; j < p->nstyles; j++)
            if (all || p->style[j].family == SC_DL_JOHNSON)
                want(d, j);
    }
    for (int j = 0; !o->nstyles && j < p->nstyles; j++)
        if (p->style[j].family == SC_DL_ML5)
            want(d, j);
    return SC_OK;
}

static void urls(struct sc_download *d, const struct sc_env *env)
{
    const struct sc_pins *p = &d->pins;
    const char *mirror = env ? env->models_url : "";
    if (mirror[0]) {
        snprintf(d->base, sizeof d->base, "%s", mirror);
        size_t n = strlen(d->base);
        while (n > 1 && d->base[n - 1] == '/')
            d->base[--n] = '\0';
        snprintf(d->onnx_base, sizeof d->onnx_base, "%s", d->base);
        snprintf(d->tfl_base, sizeof d->tfl_base, "%s", d->base);
        snprintf(d->license_url, sizeof d->license_url, "%.1000s/LICENSE", d->base);
    } else {
        snprintf(d->base, sizeof d->base, "https://raw.githubusercontent.com/%s/%s/%s",
                 p->repo, p->commit, p->folder);
        snprintf(d->onnx_base, sizeof d->onnx_base, "https://raw.githubusercontent.com/%s/%s/%s",
                 p->onnx_repo, p->onnx_commit, p->onnx_folder);
        snprintf(d->tfl_base, sizeof d->tfl_base, "https://raw.githubusercontent.com/%s/%s/%s",
                 p->tfl_repo, p->tfl_commit, p->tfl_folder);
        snprintf(d->license_url, sizeof d->license_url,
                 "https://raw.githubusercontent.com/%s/%s/LICENSE", p->repo, p->commit);
    }
    if (env && env->license_url[0])
        snprintf(d->license_url, sizeof d->license_url, "%s", env->license_url);
    host_of(d->base, d->host, sizeof d->host);
    host_of(d->onnx_base, d->onnx_host, sizeof d->onnx_host);
    host_of(d->tfl_base, d->tfl_host, sizeof d->tfl_host);
}

enum sc_status sc_download_start(struct sc_download **out, const struct sc_download_opts *o,
                                 struct sc_error *err)
{
    *out = NULL;
    const struct sc_pins *pins = sc_pins_builtin();
    if (!pins)
        return sc_error_set(err, SC_ERR_FORMAT, "The pins built into stylecam are malformed; "
                            "rebuild it from an intact source tree.");
    struct sc_download *d = calloc(1, sizeof *d);
    if (!d)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory starting the download.");
    d->pins = *pins;
    d->timeout_s = o->env ? o->env->download_timeout : 20;
    d->retries = o->env ? o->env->download_retries : 3;
    enum sc_status st = pick(d, o, err);
    struct stat sb;
    if (!st && o->from && (stat(o->from, &sb) || !S_ISDIR(sb.st_mode)))
        st = sc_error_set(err, SC_ERR_NOT_FOUND, "The mirror folder '%s' given with --from "
                          "does not exist; give a folder that holds one sub-folder per style "
                          "(and LICENSE).", o->from);
    if (!st && (!o->dest || !o->dest[0] || strlen(o->dest) >= PATH_MAX - 200 ||
                mkdirs(o->dest) || access(o->dest, W_OK)))
        st = sc_error_set(err, SC_ERR_IO, "Cannot write to the destination folder '%s'; "
                          "choose another with --dest DIR or fix its permissions.",
                          o->dest ? o->dest : "");
    if (st) {
        free(d);
        return st;
    }
    if (!realpath(o->dest, d->dest))
        snprintf(d->dest, sizeof d->dest, "%s", o->dest);
    if (o->from && !realpath(o->from, d->from))
        snprintf(d->from, sizeof d->from, "%s", o->from);
    urls(d, o->env);
    d->prog.styles_total = d->nwant;
    d->prog.eta_s = -1;
    pthread_mutex_init(&d->lock, NULL);
    if (pthread_create(&d->thread, NULL, run, d)) {
        pthread_mutex_destroy(&d->lock);
        free(d);
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot start the download thread: the "
                            "system is out of resources.");
    }
    *out = d;
    return SC_OK;
}

void sc_download_get(struct sc_download *d, struct sc_download_progress *p)
{
    pthread_mutex_lock(&d->lock);
    *p = d->prog;
    pthread_mutex_unlock(&d->lock);
}

int sc_download_installed(struct sc_download *d, int i, char name[64], char dir[PATH_MAX])
{
    int r = -1;
    pthread_mutex_lock(&d->lock);
    if (i >= 0 && i < d->prog.installed) {
        snprintf(name, 64, "%s", d->inst_name[i]);
        snprintf(dir, PATH_MAX, "%s", d->inst_dir[i]);
        r = 0;
    }
    pthread_mutex_unlock(&d->lock);
    return r;
}

int sc_download_note(struct sc_download *d, int i, char line[1024], int *is_error)
{
    int r = -1;
    pthread_mutex_lock(&d->lock);
    if (i >= 0 && i < d->nnotes) {
        snprintf(line, 1024, "%s", d->notes[i].line);
        *is_error = d->notes[i].error;
        r = 0;
    }
    pthread_mutex_unlock(&d->lock);
    return r;
}

void sc_download_cancel(struct sc_download *d)
{
    atomic_store(&d->cancel, 1);
}

void sc_download_free(struct sc_download **pd)
{
    struct sc_download *d = *pd;
    *pd = NULL;
    if (!d)
        return;
    sc_download_cancel(d);
    pthread_join(d->thread, NULL);
    pthread_mutex_destroy(&d->lock);
    free(d->notes);
    free(d);
}

int sc_download_catalog(const char *dest, struct sc_download_entry *out, int max)
{
    const struct sc_pins *p = sc_pins_builtin();
    int n = 0;
    for (int i = 0; p && i < p->nstyles && n < max; i++, n++) {
        const struct sc_pin_style *s = &p->style[i];
        char dir[PATH_MAX + 80], got[65];
        snprintf(out[n].name, sizeof out[n].name, "%s", s->name);
        out[n].family = s->family;
        out[n].bytes = s->bytes;
        snprintf(dir, sizeof dir, "%s/%s%s", dest, s->name,
                 s->family == SC_DL_JOHNSON ? "/manifest.json"
                 : s->family == SC_DL_ARBITRARY ? "/transfer/manifest.json" : "");
        out[n].installed = s->family != SC_DL_ML5
                               ? access(dir, F_OK) == 0
                               : sc_style_digest(p, dir, got) == 0 && !strcmp(got, s->sum);
    }
    return n;
}

const char *sc_download_licence(enum sc_download_family f)
{
    return (unsigned)f < SC_DL_FAMILIES ? licences[f] : "";
}

void sc_download_default_dest(const struct sc_env *env, char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%.*s/stylecam/models", PATH_MAX - 20, env->data_home);
}

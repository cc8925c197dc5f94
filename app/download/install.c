/* One style at a time: its files go into DEST/.partial/STYLE (each as
 * FILE.part until complete, so that a run cut short resumes where it
 * stopped), the folder's digest is checked against the pin, and only then
 * is it renamed into place in one step (an old damaged copy is swapped out
 * atomically). Johnson's ONNX files are verified the same way, then
 * imported in-process (import/), which writes the style atomically. */
#include "app/download/download_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import/import.h"

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    remove(path);       /* what cannot go stays; the walk goes on */
    return 0;
}

void sc_remove_tree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void sc_staging_path(const struct sc_download *d, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/.partial%s%s", d->dest, name[0] ? "/" : "", name);
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Says why a fetch failed, as one sentence naming the style. */
static void say_failure(struct sc_download *d, const char *name, const char *extra,
                        enum fetch_fail r, const char *why)
{
    switch (r) {
    case FETCH_UNREACHABLE:
        sc_download_add_note(d, 1, "Could not reach %s to download the styles (no network? "
                             "%s); connect and run stylecam download again, or use --from "
                             "DIR with a local copy.", d->host, why);
        break;
    case FETCH_HTTP:
        sc_download_add_note(d, 1, "Style '%s' was not installed: the server at %s refused "
                             "it (%s); check STYLECAM_MODELS_URL, or run stylecam download "
                             "%s again later.", name, d->host, why, name);
        break;
    case FETCH_CUT:
        sc_download_add_note(d, 1, "Style '%s' was not installed: the transfer from %s "
                             "stalled or was cut (%s); run stylecam download %s again to "
                             "resume it.", name, d->host, why, name);
        break;
    case FETCH_FULL:
        sc_download_add_note(d, 1, "The disk holding %s is full (%s); free some space and "
                             "run stylecam download %s again.", d->dest, why, name);
        break;
    case FETCH_MISSING:
        sc_download_add_note(d, 1, "Style '%s' was not installed: the mirror lacks %s; use "
                             "a complete copy with --from, or download without --from.",
                             name, extra);
        break;
    case FETCH_CANCELLED:
        sc_download_add_note(d, 1, "The download was interrupted before '%s' was complete; "
                             "run stylecam download again to resume it.", name);
        break;
    default:
        sc_download_add_note(d, 1, "Style '%s' was not installed: %s; check the folder %s "
                             "and run stylecam download %s again.", name, why, d->dest, name);
    }
}

/* Fetches url (or copies src) into dir/file, through dir/file.part; a
 * complete file from an earlier run is kept. */
static enum fetch_fail get_file(struct sc_download *d, struct fetch *f, const char *url,
                                const char *src, const char *dir, const char *file,
                                char *why, size_t n)
{
    char done[PATH_MAX + 64], part[PATH_MAX + 80];
    snprintf(done, sizeof done, "%s/%s", dir, file);
    snprintf(part, sizeof part, "%s.part", done);
    struct stat sb;
    if (stat(done, &sb) == 0) {
        sc_download_add_bytes(d, (int64_t)sb.st_size);
        return FETCH_OK;
    }
    enum fetch_fail r = src ? sc_fetch_copy(f, src, part, why, n)
                            : sc_fetch_url(f, url, part, why, n);
    if (r == FETCH_OK && rename(part, done))
        r = FETCH_IO, snprintf(why, n, "renaming %.900s failed: %s", part, strerror(errno));
    if (r == FETCH_MISSING || r == FETCH_HTTP || r == FETCH_FULL)
        unlink(part);   /* nothing worth resuming */
    return r;
}

/* Whether a failure ends the whole run (the rest would fail the same way). */
static int stops_run(enum fetch_fail r)
{
    return r == FETCH_UNREACHABLE || r == FETCH_CUT || r == FETCH_FULL ||
           r == FETCH_CANCELLED || r == FETCH_IO;
}

/* Moves the verified folder stage to final: a rename, or an atomic swap with
 * an old copy that is then removed. */
static int move_into_place(const char *stage, const char *final)
{
    sync_dir(stage);
    if (rename(stage, final) == 0)
        return 0;
    if (errno != EEXIST && errno != ENOTEMPTY)
        return -1;
    if (renameat2(AT_FDCWD, stage, AT_FDCWD, final, RENAME_EXCHANGE))
        return -1;
    sc_remove_tree(stage);      /* now the old copy */
    return 0;
}

static enum fetch_fail install_ml5(struct sc_download *d, struct fetch *f,
                                   const struct sc_pin_style *s, const char *tag, int *failed)
{
    char final[PATH_MAX + 64], stage[PATH_MAX + 80], got[65], why[1024];
    snprintf(final, sizeof final, "%s/%s", d->dest, s->name);
    if (is_dir(final)) {
        if (sc_style_digest(&d->pins, final, got) == 0 && !strcmp(got, s->sum)) {
            sc_download_add_bytes(d, s->bytes);
            sc_download_add_note(d, 0, "%s: already present and verified, skipped", tag);
            return FETCH_OK;
        }
        sc_download_add_note(d, 0, "%s: %s is incomplete or changed; fetching a fresh copy",
                             tag, final);
    }
    sc_staging_path(d, s->name, stage, sizeof stage);
    if (mkdir(stage, 0755) && errno != EEXIST) {
        snprintf(why, sizeof why, "cannot create %.900s: %s", stage, strerror(errno));
        enum fetch_fail r = errno == ENOSPC ? FETCH_FULL : FETCH_IO;
        say_failure(d, s->name, "", r, why);
        ++*failed;
        return r;
    }
    sc_download_add_note(d, 0, "%s: %s %d files from %s", tag,
                         d->from[0] ? "copying" : "downloading", d->pins.nfiles,
                         d->from[0] ? d->from : d->host);
    for (int i = 0; i < d->pins.nfiles; i++) {
        const char *file = d->pins.files[i];
        char url[2400], src[PATH_MAX + 200];
        snprintf(url, sizeof url, "%s/%s/%s", d->base, s->name, file);
        snprintf(src, sizeof src, "%s/%s/%s", d->from, s->name, file);
        enum fetch_fail r = get_file(d, f, url, d->from[0] ? src : NULL, stage, file,
                                     why, sizeof why);
        if (r != FETCH_OK) {
            if (!stops_run(r) || r == FETCH_FULL)
                sc_remove_tree(stage);
            say_failure(d, s->name, src, r, why);
            ++*failed;
            return stops_run(r) ? r : FETCH_OK;
        }
    }
    if (sc_style_digest(&d->pins, stage, got) || strcmp(got, s->sum)) {
        sc_remove_tree(stage);
        sc_download_add_note(d, 1, "Style '%s' failed verification (its files hash to %s, "
                             "the pin is %s), so it was not installed; run stylecam download "
                             "%s again, and if it fails again the source is damaged: use "
                             "another copy with --from DIR.", s->name, got, s->sum, s->name);
        ++*failed;
        return FETCH_OK;
    }
    chmod(stage, 0755);
    if (move_into_place(stage, final)) {
        snprintf(why, sizeof why, "it verified but could not be moved to %.900s (%s)", final,
                 strerror(errno));
        sc_remove_tree(stage);
        say_failure(d, s->name, "", FETCH_IO, why);
        ++*failed;
        return FETCH_IO;
    }
    sync_dir(d->dest);
    sc_download_record(d, s->name, final);
    sc_download_add_note(d, 0, "%s: verified, installed in %s", tag, final);
    return FETCH_OK;
}

/* One pinned file of a style fetched from base (or copied from --from) into
 * the staging folder and checked against its SHA-256; path is where it lies.
 * FETCH_OK with *ok 0: it failed verification (said, counted). */
static enum fetch_fail fetch_pinned(struct sc_download *d, struct fetch *f, const char *base,
                                    const char *host, const char *name, const char *file,
                                    const char *sum, const char *tag, char *path, size_t n,
                                    int *ok, int *failed)
{
    char stage[PATH_MAX + 80], url[2400], src[PATH_MAX + 100], why[1024], got[65] = "";
    *ok = 0;
    sc_staging_path(d, "", stage, sizeof stage);
    snprintf(url, sizeof url, "%s/%s", base, file);
    snprintf(src, sizeof src, "%s/%s", d->from, file);
    sc_download_add_note(d, 0, "%s: %s %s from %s", tag, d->from[0] ? "copying" : "downloading",
                         file, d->from[0] ? d->from : host);
    enum fetch_fail r = get_file(d, f, url, d->from[0] ? src : NULL, stage, file,
                                 why, sizeof why);
    if (r != FETCH_OK) {
        say_failure(d, name, src, r, why);
        ++*failed;
        return stops_run(r) ? r : FETCH_OK;
    }
    snprintf(path, n, "%s/%s", stage, file);
    if (sc_sha256_file(path, got) || strcmp(got, sum)) {
        unlink(path);
        sc_download_add_note(d, 1, "Style '%s' failed verification (%s hashes to %s, the pin "
                             "is %s), so it was not installed; run stylecam download %s "
                             "again, or use another copy with --from DIR.", name, file,
                             got, sum, name);
        ++*failed;
        return FETCH_OK;
    }
    *ok = 1;
    return FETCH_OK;
}

static enum fetch_fail install_onnx(struct sc_download *d, struct fetch *f,
                                    const struct sc_pin_style *s, const char *tag, int *failed)
{
    char final[PATH_MAX + 64], path[PATH_MAX + 160];
    snprintf(final, sizeof final, "%.4000s/%s/manifest.json", d->dest, s->name);
    if (access(final, F_OK) == 0) {
        sc_download_add_bytes(d, s->bytes);
        sc_download_add_note(d, 0, "%s: already present (imported earlier), skipped; remove "
                             "%s/%s to fetch it again", tag, d->dest, s->name);
        return FETCH_OK;
    }
    int ok;
    enum fetch_fail r = fetch_pinned(d, f, d->onnx_base, d->onnx_host, s->name, s->file,
                                     s->sum, tag, path, sizeof path, &ok, failed);
    if (r != FETCH_OK || !ok)
        return r;
    struct sc_import_opts io = {-1, 0, 0};
    struct sc_net *net = NULL;
    struct sc_error err;
    enum sc_status st = sc_import_onnx(path, s->name, &io, &net, &err);
    if (!st)
        st = sc_import_save(net, d->dest, s->name, 1, &err);
    sc_net_free(&net);
    unlink(path);
    if (st) {
        sc_download_add_note(d, 1, "Style '%s' verified but could not be imported: %s",
                             s->name, err.msg);
        ++*failed;
        return st == SC_ERR_FULL ? FETCH_FULL : FETCH_OK;
    }
    snprintf(final, sizeof final, "%s/%s", d->dest, s->name);
    sc_download_record(d, s->name, final);
    sc_download_add_note(d, 0, "%s: verified, imported into %s", tag, final);
    return FETCH_OK;
}

/* Arbitrary style transfer: both networks fetched and verified, then
 * converted together into DEST/NAME (predict/, transfer/). */
static enum fetch_fail install_tflite(struct sc_download *d, struct fetch *f,
                                      const struct sc_pin_style *s, const char *tag,
                                      int *failed)
{
    char final[PATH_MAX + 64], pred[PATH_MAX + 160], tran[PATH_MAX + 160];
    snprintf(final, sizeof final, "%.4000s/%s/transfer/manifest.json", d->dest, s->name);
    char pfinal[PATH_MAX + 64];
    snprintf(pfinal, sizeof pfinal, "%.4000s/%s/predict/manifest.json", d->dest, s->name);
    if (access(final, F_OK) == 0 && access(pfinal, F_OK) == 0) {
        sc_download_add_bytes(d, s->bytes);
        sc_download_add_note(d, 0, "%s: already present (converted earlier), skipped; remove "
                             "%s/%s to fetch it again", tag, d->dest, s->name);
        return FETCH_OK;
    }
    int ok1 = 0, ok2 = 0;
    enum fetch_fail r = fetch_pinned(d, f, d->tfl_base, d->tfl_host, s->name, s->file, s->sum,
                                     tag, pred, sizeof pred, &ok1, failed);
    if (r == FETCH_OK && ok1)
        r = fetch_pinned(d, f, d->tfl_base, d->tfl_host, s->name, s->file2, s->sum2, tag,
                         tran, sizeof tran, &ok2, failed);
    if (r != FETCH_OK || !ok1 || !ok2)
        return r;
    struct sc_error err;
    enum sc_status st = sc_import_arbitrary(pred, tran, d->dest, &err);
    unlink(pred);
    unlink(tran);
    if (st) {
        sc_download_add_note(d, 1, "'%s' verified but could not be converted: %s", s->name,
                             err.msg);
        ++*failed;
        return st == SC_ERR_FULL ? FETCH_FULL : FETCH_OK;
    }
    snprintf(final, sizeof final, "%s/%s", d->dest, s->name);
    sc_download_record(d, s->name, final);
    sc_download_add_note(d, 0, "%s: verified, converted into %s", tag, final);
    return FETCH_OK;
}

enum fetch_fail sc_install_style(struct sc_download *d, struct fetch *f, int pin, int k,
                                 int *failed)
{
    const struct sc_pin_style *s = &d->pins.style[pin];
    char tag[96];
    snprintf(tag, sizeof tag, "[%d/%d] %s", k, d->nwant, s->name);
    pthread_mutex_lock(&d->lock);
    snprintf(d->prog.current, sizeof d->prog.current, "%s", s->name);
    pthread_mutex_unlock(&d->lock);
    switch (s->family) {
    case SC_DL_JOHNSON:
        return install_onnx(d, f, s, tag, failed);
    case SC_DL_ARBITRARY:
        return install_tflite(d, f, s, tag, failed);
    default:
        return install_ml5(d, f, s, tag, failed);
    }
}

enum fetch_fail sc_install_license(struct sc_download *d, struct fetch *f, int *failed)
{
    char final[PATH_MAX + 16], stage[PATH_MAX + 16], path[PATH_MAX + 32], got[65] = "";
    char src[PATH_MAX + 16], why[1024];
    snprintf(final, sizeof final, "%s/LICENSE", d->dest);
    if (sc_sha256_file(final, got) == 0 && !strcmp(got, d->pins.license_sum))
        return FETCH_OK;
    sc_staging_path(d, "", stage, sizeof stage);
    snprintf(src, sizeof src, "%s/LICENSE", d->from);
    enum fetch_fail r = get_file(d, f, d->license_url, d->from[0] ? src : NULL, stage,
                                 "LICENSE", why, sizeof why);
    if (r == FETCH_MISSING) {
        sc_download_add_note(d, 1, "The mirror '%s' has no LICENSE file; copy the MIT LICENSE "
                             "of %s there, or download without --from.", d->from, d->pins.repo);
    } else if (r != FETCH_OK) {
        say_failure(d, "LICENSE", src, r, why);
    }
    if (r != FETCH_OK) {
        ++*failed;
        return stops_run(r) ? r : FETCH_OK;
    }
    snprintf(path, sizeof path, "%s/LICENSE", stage);
    if (sc_sha256_file(path, got) || strcmp(got, d->pins.license_sum)) {
        unlink(path);
        sc_download_add_note(d, 1, "The downloaded LICENSE does not match its pin (got %s, "
                             "expected %s), so it was not installed; run stylecam download "
                             "again, or use --from DIR with a verified copy.", got,
                             d->pins.license_sum);
        ++*failed;
        return FETCH_OK;
    }
    chmod(path, 0644);
    if (rename(path, final)) {
        unlink(path);
        snprintf(why, sizeof why, "moving it to %.900s failed: %s", final, strerror(errno));
        say_failure(d, "LICENSE", "", FETCH_IO, why);
        ++*failed;
        return FETCH_IO;
    }
    sc_download_add_note(d, 0, "LICENSE: verified, installed in %s", final);
    return FETCH_OK;
}

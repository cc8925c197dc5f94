/* One file at a time, with libcurl (one easy handle per run, so the
 * connection is kept between files) or from a local mirror. A file that
 * already has bytes is resumed with an HTTP Range request; a server that
 * ignores the range gets the file again from its start. Transient failures
 * (a stall, a cut connection, a 5xx) are retried, resuming each time. */
#include "app/download/download_priv.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct fetch {
    struct sc_download *d;
    CURL *curl;
    int timeout_s, retries;
    FILE *out;
    int64_t start;          /* the bytes the file had when this attempt began */
    int first;              /* no body byte seen yet in this attempt */
    int write_errno;        /* a failed write's errno (0: none) */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

struct fetch *sc_fetch_new(struct sc_download *d, int timeout_s, int retries)
{
    struct fetch *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->d = d;
    f->timeout_s = timeout_s > 0 ? timeout_s : 1;
    f->retries = retries;
    return f;
}

void sc_fetch_free(struct fetch *f)
{
    if (!f)
        return;
    if (f->curl)
        curl_easy_cleanup(f->curl);
    free(f);
}

/* Empties the file being written (the server sends it from the start). */
static int restart_file(struct fetch *f)
{
    sc_download_add_bytes(f->d, -f->start);
    f->start = 0;
    return fflush(f->out) || ftruncate(fileno(f->out), 0) || fseeko(f->out, 0, SEEK_SET)
           ? -1 : 0;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct fetch *f = arg;
    size_t n = size * nmemb;
    if (f->first) {
        f->first = 0;
        long code = 0;
        curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
        if (f->start > 0 && code == 200 && restart_file(f)) {
            f->write_errno = errno ? errno : EIO;
            return 0;
        }
    }
    if (fwrite(data, 1, n, f->out) != n) {
        f->write_errno = errno ? errno : EIO;
        return 0;
    }
    sc_download_add_bytes(f->d, (int64_t)n);
    return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    struct fetch *f = arg;
    sc_download_add_bytes(f->d, 0);     /* the rate falls while stalled */
    return atomic_load(&f->d->cancel) != 0;
}

static int setup(struct fetch *f)
{
    pthread_once(&curl_once, curl_init_once);
    if (!f->curl && !(f->curl = curl_easy_init()))
        return -1;
    CURL *c = f->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)f->timeout_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)f->timeout_s);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "stylecam");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
    return 0;
}

/* Closes the file, its bytes on the disk first; 0 or an errno. */
static int close_out(struct fetch *f)
{
    int e = 0;
    if (fflush(f->out) || fsync(fileno(f->out)))
        e = errno;
    if (fclose(f->out) && !e)
        e = errno;
    f->out = NULL;
    return e;
}

static enum fetch_fail write_fail(int e, const char *path, char *why, size_t n)
{
    snprintf(why, n, "writing %s failed: %s", path, strerror(e));
    return e == ENOSPC || e == EDQUOT ? FETCH_FULL : FETCH_IO;
}

/* Sleeps s seconds unless cancelled meanwhile; returns 1 when cancelled. */
static int pause_s(struct fetch *f, int s)
{
    for (int i = 0; i < s * 10; i++) {
        if (atomic_load(&f->d->cancel))
            return 1;
        nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    return atomic_load(&f->d->cancel) != 0;
}

/* One attempt; *again = 1 when it is worth retrying. */
static enum fetch_fail attempt(struct fetch *f, const char *url, const char *path, int *again,
                               char *why, size_t n)
{
    char ebuf[CURL_ERROR_SIZE] = "";
    *again = 0;
    if (!(f->out = fopen(path, "ab")))
        return write_fail(errno, path, why, n);
    struct stat sb;
    f->start = fstat(fileno(f->out), &sb) == 0 ? (int64_t)sb.st_size : 0;
    f->first = 1;
    f->write_errno = 0;
    if (setup(f)) {
        fclose(f->out);
        snprintf(why, n, "libcurl could not start (out of memory?)");
        return FETCH_IO;
    }
    curl_easy_setopt(f->curl, CURLOPT_URL, url);
    curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(f->curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)f->start);
    CURLcode rc = curl_easy_perform(f->curl);
    long code = 0;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, NULL);
    int ce = close_out(f);
    if (rc == CURLE_OK && ce)
        return write_fail(ce, path, why, n);
    if (rc == CURLE_OK)
        return FETCH_OK;
    const char *detail = ebuf[0] ? ebuf : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_ABORTED_BY_CALLBACK:
        snprintf(why, n, "cancelled");
        return FETCH_CANCELLED;
    case CURLE_WRITE_ERROR:
        return write_fail(f->write_errno ? f->write_errno : EIO, path, why, n);
    case CURLE_HTTP_RETURNED_ERROR:
        if (code == 416 && f->start > 0)
            return FETCH_OK;    /* nothing after the kept part: it was complete (the
                                   digest that follows tells if it was not) */
        *again = code >= 500 || code == 408 || code == 429;
        snprintf(why, n, "HTTP %ld for %s", code, url);
        return FETCH_HTTP;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        snprintf(why, n, "%s", detail);
        return FETCH_UNREACHABLE;
    case CURLE_OPERATION_TIMEDOUT:
        if (code == 0 && f->first) {   /* no answer at all: the connection never came */
            snprintf(why, n, "%s", detail);
            return FETCH_UNREACHABLE;
        }
        *again = 1;
        snprintf(why, n, "the server sent nothing for %d s (%s)", f->timeout_s, url);
        return FETCH_CUT;
    case CURLE_FILE_COULDNT_READ_FILE:
    case CURLE_REMOTE_FILE_NOT_FOUND:
        snprintf(why, n, "%s", detail);
        return FETCH_HTTP;
    default:
        *again = 1;
        snprintf(why, n, "the transfer of %s was cut (%s)", url, detail);
        return FETCH_CUT;
    }
}

enum fetch_fail sc_fetch_url(struct fetch *f, const char *url, const char *path,
                             char *why, size_t n)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && sb.st_size > 0)
        sc_download_add_bytes(f->d, (int64_t)sb.st_size);   /* kept from before: resumed */
    enum fetch_fail r = FETCH_OK;
    for (int i = 0; i <= f->retries; i++) {
        int again;
        r = attempt(f, url, path, &again, why, n);
        if (r == FETCH_OK || !again || i == f->retries)
            break;
        if (pause_s(f, i + 1)) {
            snprintf(why, n, "cancelled");
            return FETCH_CANCELLED;
        }
    }
    return r;
}

enum fetch_fail sc_fetch_copy(struct fetch *f, const char *src, const char *path,
                              char *why, size_t n)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        snprintf(why, n, "%s: %s", src, strerror(errno));
        return errno == ENOENT ? FETCH_MISSING : FETCH_IO;
    }
    if (!(f->out = fopen(path, "wb"))) {
        close(in);
        return write_fail(errno, path, why, n);
    }
    static __thread char buf[1 << 16];
    ssize_t r;
    int e = 0;
    while (!e && (r = read(in, buf, sizeof buf)) != 0) {
        if (r < 0) {
            snprintf(why, n, "reading %s failed: %s", src, strerror(errno));
            close(in);
            close_out(f);
            return FETCH_IO;
        }
        if (fwrite(buf, 1, (size_t)r, f->out) != (size_t)r)
            e = errno ? errno : EIO;
        else
            sc_download_add_bytes(f->d, r);
        if (atomic_load(&f->d->cancel)) {
            close(in);
            close_out(f);
            snprintf(why, n, "cancelled");
            return FETCH_CANCELLED;
        }
    }
    close(in);
    int ce = close_out(f);
    return e || ce ? write_fail(e ? e : ce, path, why, n) : FETCH_OK;
}

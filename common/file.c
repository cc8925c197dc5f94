#include "common/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_TRIES 100

struct sc_file_out {
    int fd;
    int error;              /* errno of the first failed write */
    char tmp[PATH_MAX + 64];
};

static atomic_uint tmp_counter;

void sc_file_put(struct sc_file_out *out, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0 && !out->error) {
        ssize_t w = write(out->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            out->error = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        n -= (size_t)w;
    }
}

void sc_file_put_stb(void *out, void *data, int size)
{
    if (size > 0)
        sc_file_put(out, data, (size_t)size);
}

static enum sc_status say(const char *path, int e, struct sc_error *err)
{
    if (e == ENOSPC || e == EDQUOT || e == EFBIG)
        return sc_error_set(err, SC_ERR_FULL, "Cannot write %s: the disk is full; free "
                            "some space or choose another folder.", path);
    if (e == ENOENT)
        return sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot write %s: its folder does not "
                            "exist; create it or choose another folder.", path);
    if (e == ENOMEM)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot write %s: out of memory.", path);
    return sc_error_set(err, SC_ERR_IO, "Cannot write %s: %s; choose a folder you can "
                        "write to.", path, strerror(e));
}

/* A new file .NAME.PID-N.tmp beside path (same folder: the rename stays on
 * one file system). Returns 0 or an errno value. */
static int open_tmp(struct sc_file_out *o, const char *path)
{
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    for (int i = 0; i < MAX_TRIES; i++) {
        unsigned n = atomic_fetch_add(&tmp_counter, 1);
        int len = snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.%ld-%u.tmp", dirlen, path,
                           path + dirlen, (long)getpid(), n);
        if (len < 0 || (size_t)len >= sizeof o->tmp)
            return ENAMETOOLONG;
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (o->fd >= 0)
            return 0;
        if (errno != EEXIST)
            return errno;
    }
    return EEXIST;
}

/* Gives tmp the name path; returns 0 or an errno value (EEXIST: taken). */
static int place(const char *tmp, const char *path, enum sc_file_mode mode)
{
    if (mode == SC_FILE_REPLACE)
        return rename(tmp, path) == 0 ? 0 : errno;
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return errno;
    /* No RENAME_NOREPLACE on this file system: link() refuses a taken name too. */
    if (link(tmp, path) != 0)
        return errno;
    unlink(tmp);
    return 0;
}

/* The folder's entry reaches the disk too (best effort). */
static void sync_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

enum sc_status sc_file_write_atomic(const char *path, enum sc_file_mode mode,
                                    sc_file_fill_fn fill, void *ctx,
                                    struct sc_error *err)
{
    struct sc_file_out o = {.fd = -1};
    int e = open_tmp(&o, path);
    if (e)
        return say(path, e, err);
    e = fill(&o, ctx);
    if (!e)
        e = o.error;
    /* fsync catches what the disk refuses only at write-back (delayed allocation). */
    if (!e && fsync(o.fd) != 0)
        e = errno;
    if (close(o.fd) != 0 && !e)
        e = errno;
    if (!e)
        e = place(o.tmp, path, mode);
    if (e) {
        unlink(o.tmp);
        if (e == EEXIST && mode == SC_FILE_NO_OVERWRITE)
            return sc_error_set(err, SC_ERR_EXISTS, "Not writing %s: a file of that name "
                                "exists and stylecam never overwrites one.", path);
        return say(path, e, err);
    }
    sync_dir(path);
    return SC_OK;
}

struct buffer {
    const void *data;
    size_t n;
};

static int fill_buffer(struct sc_file_out *out, void *ctx)
{
    const struct buffer *b = ctx;
    sc_file_put(out, b->data, b->n);
    return 0;
}

enum sc_status sc_file_write_buffer(const char *path, enum sc_file_mode mode,
                                    const void *data, size_t n, struct sc_error *err)
{
    struct buffer b = {data, n};
    return sc_file_write_atomic(path, mode, fill_buffer, &b, err);
}

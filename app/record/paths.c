#include "app/record/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libstb.so carries the implementation: only the declarations here. */
#include <stb_image_write.h>

#define MAX_SUFFIX 1000

static enum sc_status mkdir_p(const char *dir, struct sc_error *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
        return sc_error_set(err, SC_ERR_ARG, "The folder name %s is too long.", dir);
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return sc_error_set(err, SC_ERR_IO, "Cannot create the folder %s for "
                                "recordings: %s; choose another folder.", tmp,
                                strerror(errno));
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return sc_error_set(err, SC_ERR_IO, "%s is not a folder; choose another folder "
                            "for recordings.", dir);
    return SC_OK;
}

enum sc_status sc_record_dir_default(char *buf, size_t n, const char *dir,
                                     const char *xdg_videos_dir, const char *home,
                                     struct sc_error *err)
{
    int len;
    if (dir && dir[0])
        len = snprintf(buf, n, "%s", dir);
    else if (xdg_videos_dir && xdg_videos_dir[0])
        len = snprintf(buf, n, "%s", xdg_videos_dir);
    else if (home && home[0])
        len = snprintf(buf, n, "%s/Videos", home);
    else
        return sc_error_set(err, SC_ERR_NOT_FOUND, "No folder for recordings: HOME is "
                            "not set; pass a folder with --record-dir.");
    if (len < 0 || (size_t)len >= n)
        return sc_error_set(err, SC_ERR_ARG, "The folder name for recordings is too long.");
    return mkdir_p(buf, err);
}

int sc_record_path_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

int sc_record_file_create(const char *dir, const char *ext, time_t when,
                          char *buf, size_t n, struct sc_error *err)
{
    struct tm tm;
    char stamp[64];
    localtime_r(&when, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d_%H-%M-%S", &tm);
    for (int k = 0; k < MAX_SUFFIX; k++) {
        int len = k ? snprintf(buf, n, "%s/stylecam-%s-%d.%s", dir, stamp, k, ext)
                    : snprintf(buf, n, "%s/stylecam-%s.%s", dir, stamp, ext);
        if (len < 0 || (size_t)len >= n) {
            sc_error_set(err, SC_ERR_ARG, "The folder name %s is too long.", dir);
            return -1;
        }
        int fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0)
            return fd;
        if (errno == EEXIST)
            continue;
        if (errno == ENOSPC || errno == EDQUOT)
            sc_error_set(err, SC_ERR_FULL, "Cannot create %s: the disk is full; free "
                         "some space or choose another folder.", buf);
        else
            sc_error_set(err, SC_ERR_IO, "Cannot create %s: %s; choose a folder you "
                         "can write to.", buf, strerror(errno));
        return -1;
    }
    sc_error_set(err, SC_ERR_IO, "Cannot find a free file name in %s: stylecam-%s-1 to "
                 "-%d are all taken.", dir, stamp, MAX_SUFFIX - 1);
    return -1;
}

enum sc_status sc_record_path_new(const char *dir, const char *ext, char *buf,
                                  size_t n, struct sc_error *err)
{
    int fd = sc_record_file_create(dir, ext, time(NULL), buf, n, err);
    if (fd < 0)
        return err ? err->status : SC_ERR_IO;
    close(fd);
    return SC_OK;
}

struct png_sink {
    int fd;
    int error;   /* errno of the first failed write */
};

static void png_write(void *ctx, void *data, int size)
{
    struct png_sink *s = ctx;
    const char *p = data;
    while (size > 0 && !s->error) {
        ssize_t w = write(s->fd, p, (size_t)size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->error = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        size -= (int)w;
    }
}

enum sc_status sc_snapshot_save(const char *dir, const struct sc_frame *f,
                                char *path_out, size_t n, struct sc_error *err)
{
    if (!dir || !f || !f->rgb || f->w <= 0 || f->h <= 0)
        return sc_error_set(err, SC_ERR_ARG, "Cannot save a snapshot: no picture yet.");
    struct png_sink s = {.fd = -1, .error = 0};
    s.fd = sc_record_file_create(dir, "png", time(NULL), path_out, n, err);
    if (s.fd < 0)
        return err ? err->status : SC_ERR_IO;
    int ok = stbi_write_png_to_func(png_write, &s, f->w, f->h, 3, f->rgb, f->w * 3);
    if (close(s.fd) != 0 && !s.error)
        s.error = errno;
    if (ok && !s.error)
        return SC_OK;
    unlink(path_out);
    if (s.error == ENOSPC || s.error == EDQUOT || s.error == EFBIG)
        return sc_error_set(err, SC_ERR_FULL, "Snapshot not saved: the disk holding %s "
                            "is full.", dir);
    return sc_error_set(err, s.error ? SC_ERR_IO : SC_ERR_NOMEM, "Snapshot not saved to "
                        "%s: %s.", path_out, s.error ? strerror(s.error) : "out of memory");
}

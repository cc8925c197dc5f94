#include "app/record/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/image_io.h"

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

static void time_stamp(time_t when, char *stamp, size_t n)
{
    struct tm tm;
    localtime_r(&when, &tm);
    strftime(stamp, n, "%Y-%m-%d_%H-%M-%S", &tm);
}

/* dir/stylecam-STAMP.ext, or -K before the extension for K > 0. */
static int make_name(char *buf, size_t n, const char *dir, const char *stamp, int k,
                     const char *ext)
{
    int len = k ? snprintf(buf, n, "%s/stylecam-%s-%d.%s", dir, stamp, k, ext)
                : snprintf(buf, n, "%s/stylecam-%s.%s", dir, stamp, ext);
    return len >= 0 && (size_t)len < n ? 0 : -1;
}

int sc_record_file_create(const char *dir, const char *ext, time_t when,
                          char *buf, size_t n, struct sc_error *err)
{
    char stamp[64];
    time_stamp(when, stamp, sizeof stamp);
    for (int k = 0; k < MAX_SUFFIX; k++) {
        if (make_name(buf, n, dir, stamp, k, ext) != 0) {
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

enum sc_status sc_snapshot_save(const char *dir, const struct sc_frame *f,
                                char *path_out, size_t n, struct sc_error *err)
{
    if (!dir || !f || !f->rgb || f->w <= 0 || f->h <= 0)
        return sc_error_set(err, SC_ERR_ARG, "Cannot save a snapshot: no picture yet.");
    char stamp[64];
    time_stamp(time(NULL), stamp, sizeof stamp);
    for (int k = 0; k < MAX_SUFFIX; k++) {
        if (make_name(path_out, n, dir, stamp, k, "png") != 0)
            return sc_error_set(err, SC_ERR_ARG, "The folder name %s is too long.", dir);
        if (sc_record_path_exists(path_out))
            continue;
        /* No-overwrite: a file made meanwhile under this name is kept. */
        enum sc_status st = sc_image_save(path_out, f->rgb, f->w, f->h,
                                          SC_FILE_NO_OVERWRITE, err);
        if (st == SC_ERR_FULL)
            return sc_error_set(err, SC_ERR_FULL, "Snapshot not saved: the disk holding "
                                "%s is full; free some space.", dir);
        if (st != SC_ERR_EXISTS)
            return st;
    }
    return sc_error_set(err, SC_ERR_IO, "Cannot find a free file name in %s: stylecam-%s-1 "
                        "to -%d are all taken.", dir, stamp, MAX_SUFFIX - 1);
}

/* fakeloop: an emulated v4l2loopback OUTPUT device for tests, loaded with
 * LD_PRELOAD (alone, or beside libfakecam.so: each passes on what is not
 * its own). It follows the V4L2 spec as the v4l2loopback driver answers a
 * writer: QUERYCAP (driver "v4l2 loopback"), ENUM_FMT / G_FMT / TRY_FMT /
 * S_FMT on the OUTPUT buffer type (YUYV, YU12 = I420, RGB24; sizeimage and
 * bytesperline by the spec), G/S_PARM, ENUM_FRAMESIZES, the one output, and
 * write() of exactly sizeimage bytes (anything else: EINVAL). What arrives
 * is recorded: each frame appended to $FAKELOOP_DUMP, the negotiated format
 * and the events in $FAKELOOP_LOG. See README.md for the variables.
 *
 * Interposed libc calls: open/open64/openat/openat64, close, ioctl, write,
 * read, stat/stat64/lstat/lstat64/fstat/fstat64/access (the node exists),
 * and opendir/readdir/readdir64/closedir on /dev (the node is listed).
 * A device fd is a real eventfd, so the program's fd bookkeeping holds. */
#undef _FILE_OFFSET_BITS
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/videodev2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define FL_PUBLIC __attribute__((visibility("default")))
#define MAX_FDS 8
#define MAX_DIRS 4
#define MAX_SIDE 8192

/* ---- configuration: written once by the constructor, then read-only ---- */
static struct {
    char path[PATH_MAX];    /* FAKELOOP_DEVICE (default /dev/video10) */
    char card[32];          /* FAKELOOP_CARD (default "stylecam") */
    int minor;              /* N of /dev/videoN, else 10 */
    int capture;            /* FAKELOOP_CAPTURE=1: exclusive_caps=0, CAPTURE too */
    int absent;             /* FAKELOOP_ABSENT=1: no node */
    long vanish_after;      /* FAKELOOP_VANISH_AFTER=N frames; 0 = never */
    long eagain_every;      /* FAKELOOP_EAGAIN_EVERY=K: every Kth write, EAGAIN */
    char dump[PATH_MAX];    /* FAKELOOP_DUMP: raw frames appended ("" = none) */
    char log[PATH_MAX];     /* FAKELOOP_LOG: events, one a line ("" = none) */
    int debug;              /* FAKELOOP_DEBUG=1: events on stderr too */
} cfg;

struct flfd {
    int used;
    int fd;                 /* the eventfd handed to the program */
    int nonblock;
    long writes;            /* write() calls on it */
    long frames;            /* frames it wrote */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct flfd fds[MAX_FDS];        /* lock */
static struct v4l2_pix_format pix;      /* lock: the device's format (one per device) */
static struct v4l2_fract tpf;           /* lock: time per frame */
static long frames_total;               /* lock */
static int vanished;                    /* lock: the device went away */
static int dump_fd = -1, log_fd = -1;   /* lock */

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_read)(int, void *, size_t);
static int (*real_stat)(const char *, struct stat *);
static int (*real_lstat)(const char *, struct stat *);
static int (*real_fstat)(int, struct stat *);
static int (*real_access)(const char *, int);
static DIR *(*real_opendir)(const char *);
static struct dirent *(*real_readdir)(DIR *);
static int (*real_closedir)(DIR *);

static void resolve(void)
{
    if (real_write)
        return;
    real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    real_stat = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "stat");
    real_lstat = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "lstat");
    real_fstat = (int (*)(int, struct stat *))dlsym(RTLD_NEXT, "fstat");
    real_access = (int (*)(const char *, int))dlsym(RTLD_NEXT, "access");
    real_opendir = (DIR *(*)(const char *))dlsym(RTLD_NEXT, "opendir");
    real_readdir = (struct dirent *(*)(DIR *))dlsym(RTLD_NEXT, "readdir");
    real_closedir = (int (*)(DIR *))dlsym(RTLD_NEXT, "closedir");
    real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
}

/* One line into the log (and stderr with FAKELOOP_DEBUG). Under the lock. */
static void note_locked(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (log_fd < 0 && cfg.log[0])
        log_fd = real_open(cfg.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd >= 0 && real_write(log_fd, line, (size_t)n) < 0)
        return;
    if (cfg.debug && real_write(2, line, (size_t)n) < 0)
        return;
}

static long env_long(const char *name, long def)
{
    const char *s = getenv(name);
    return s && *s ? strtol(s, NULL, 10) : def;
}

static void fill_pix(struct v4l2_pix_format *p, uint32_t pf, uint32_t w, uint32_t h);

__attribute__((constructor)) static void init(void)
{
    resolve();
    const char *s = getenv("FAKELOOP_DEVICE");
    snprintf(cfg.path, sizeof cfg.path, "%s", s && *s ? s : "/dev/video10");
    s = getenv("FAKELOOP_CARD");
    snprintf(cfg.card, sizeof cfg.card, "%s", s && *s ? s : "stylecam");
    const char *base = strrchr(cfg.path, '/');
    base = base ? base + 1 : cfg.path;
    cfg.minor = strncmp(base, "video", 5) == 0 ? atoi(base + 5) : 10;
    cfg.capture = env_long("FAKELOOP_CAPTURE", 0) > 0;
    cfg.absent = env_long("FAKELOOP_ABSENT", 0) > 0;
    cfg.vanish_after = env_long("FAKELOOP_VANISH_AFTER", 0);
    cfg.eagain_every = env_long("FAKELOOP_EAGAIN_EVERY", 0);
    s = getenv("FAKELOOP_DUMP");
    snprintf(cfg.dump, sizeof cfg.dump, "%s", s ? s : "");
    s = getenv("FAKELOOP_LOG");
    snprintf(cfg.log, sizeof cfg.log, "%s", s ? s : "");
    cfg.debug = env_long("FAKELOOP_DEBUG", 0) > 0;
    /* As v4l2loopback starts: 640x480 YUYV at 30 fps until a writer sets it. */
    fill_pix(&pix, V4L2_PIX_FMT_YUYV, 640, 480);
    tpf = (struct v4l2_fract){1, 30};
}

static int is_node(const char *path)
{
    return path && strcmp(path, cfg.path) == 0;
}

static int present_locked(void)
{
    return !cfg.absent && !vanished;
}

static int present(void)
{
    pthread_mutex_lock(&lock);
    int p = present_locked();
    pthread_mutex_unlock(&lock);
    return p;
}

static struct flfd *find_locked(int fd)
{
    if (fd < 0)
        return NULL;
    for (int i = 0; i < MAX_FDS; i++)
        if (fds[i].used && fds[i].fd == fd)
            return &fds[i];
    return NULL;
}

/* ---- formats ---- */

static const struct {
    uint32_t pf;
    const char *desc;
} formats[] = {
    {V4L2_PIX_FMT_YUYV, "YUYV 4:2:2"},
    {V4L2_PIX_FMT_YUV420, "Planar YUV 4:2:0"},
    {V4L2_PIX_FMT_RGB24, "24-bit RGB 8-8-8"},
};
#define NFORMATS (int)(sizeof formats / sizeof formats[0])

static int known(uint32_t pf)
{
    for (int i = 0; i < NFORMATS; i++)
        if (formats[i].pf == pf)
            return 1;
    return 0;
}

static uint32_t clampu(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The format the driver settles on for what was asked: a known pixel
 * format (else YUYV), sizes in range (even for the YUV formats), no
 * interlacing, bytesperline and sizeimage as the spec defines them. */
static void fill_pix(struct v4l2_pix_format *p, uint32_t pf, uint32_t w, uint32_t h)
{
    uint32_t cs = p->colorspace;
    if (!known(pf))
        pf = V4L2_PIX_FMT_YUYV;
    w = clampu(w, 2, MAX_SIDE);
    h = clampu(h, 2, MAX_SIDE);
    if (pf == V4L2_PIX_FMT_YUYV || pf == V4L2_PIX_FMT_YUV420)
        w &= ~1u;
    if (pf == V4L2_PIX_FMT_YUV420)
        h &= ~1u;
    memset(p, 0, sizeof *p);
    p->width = w;
    p->height = h;
    p->pixelformat = pf;
    p->field = V4L2_FIELD_NONE;
    switch (pf) {
    case V4L2_PIX_FMT_YUV420:
        p->bytesperline = w;
        p->sizeimage = w * h * 3 / 2;
        break;
    case V4L2_PIX_FMT_RGB24:
        p->bytesperline = w * 3;
        p->sizeimage = w * h * 3;
        break;
    default:
        p->bytesperline = w * 2;
        p->sizeimage = w * h * 2;
        break;
    }
    p->colorspace = cs ? cs : pf == V4L2_PIX_FMT_RGB24 ? V4L2_COLORSPACE_SRGB
                                                       : V4L2_COLORSPACE_SMPTE170M;
}

static int our_type(uint32_t type)
{
    return type == V4L2_BUF_TYPE_VIDEO_OUTPUT ||
           (cfg.capture && type == V4L2_BUF_TYPE_VIDEO_CAPTURE);
}

/* A format change while a writer that has written frames is open: EBUSY,
 * as v4l2loopback keeps the format of a running stream. */
static int format_locked_by_writer(const struct flfd *f)
{
    for (int i = 0; i < MAX_FDS; i++)
        if (fds[i].used && &fds[i] != f && fds[i].frames)
            return 1;
    return f->frames > 0;
}

static char *fourcc(uint32_t pf, char out[5])
{
    for (int i = 0; i < 4; i++)
        out[i] = (char)((pf >> (8 * i)) & 0xff);
    out[4] = '\0';
    return out;
}

static int do_ioctl_locked(struct flfd *f, unsigned long req, void *arg)
{
    if (!present_locked())
        return -ENODEV;
    switch (req) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *c = arg;
        memset(c, 0, sizeof *c);
        snprintf((char *)c->driver, sizeof c->driver, "v4l2 loopback");
        snprintf((char *)c->card, sizeof c->card, "%s", cfg.card);
        snprintf((char *)c->bus_info, sizeof c->bus_info, "platform:v4l2loopback-%03d",
                 cfg.minor);
        c->version = 0x00060100;
        c->device_caps = V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_READWRITE |
                         (cfg.capture ? V4L2_CAP_VIDEO_CAPTURE : 0);
        c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *d = arg;
        if (!our_type(d->type) || d->index >= (uint32_t)NFORMATS)
            return -EINVAL;
        uint32_t idx = d->index, type = d->type;
        memset(d, 0, sizeof *d);
        d->index = idx;
        d->type = type;
        d->pixelformat = formats[idx].pf;
        snprintf((char *)d->description, sizeof d->description, "%s", formats[idx].desc);
        return 0;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *s = arg;
        if (s->index != 0 || !known(s->pixel_format))
            return -EINVAL;
        s->type = V4L2_FRMSIZE_TYPE_CONTINUOUS;
        s->stepwise = (struct v4l2_frmsize_stepwise){2, MAX_SIDE, 1, 2, MAX_SIDE, 1};
        return 0;
    }
    case VIDIOC_G_FMT: {
        struct v4l2_format *fm = arg;
        if (!our_type(fm->type))
            return -EINVAL;
        fm->fmt.pix = pix;
        return 0;
    }
    case VIDIOC_TRY_FMT:
    case VIDIOC_S_FMT: {
        struct v4l2_format *fm = arg;
        if (!our_type(fm->type))
            return -EINVAL;
        struct v4l2_pix_format p = {.colorspace = fm->fmt.pix.colorspace};
        fill_pix(&p, fm->fmt.pix.pixelformat, fm->fmt.pix.width, fm->fmt.pix.height);
        if (req == VIDIOC_S_FMT) {
            if (format_locked_by_writer(f) &&
                (p.width != pix.width || p.height != pix.height ||
                 p.pixelformat != pix.pixelformat))
                return -EBUSY;
            pix = p;
            char fc[5];
            note_locked("fmt %ux%u %s bytesperline %u sizeimage %u colorspace %u", p.width,
                        p.height, fourcc(p.pixelformat, fc), p.bytesperline, p.sizeimage,
                        p.colorspace);
        }
        fm->fmt.pix = p;
        return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *sp = arg;
        if (!our_type(sp->type))
            return -EINVAL;
        if (req == VIDIOC_S_PARM) {
            struct v4l2_fract t = sp->type == V4L2_BUF_TYPE_VIDEO_OUTPUT
                                      ? sp->parm.output.timeperframe
                                      : sp->parm.capture.timeperframe;
            if (t.numerator && t.denominator)
                tpf = t;
            note_locked("parm %u/%u", tpf.numerator, tpf.denominator);
        }
        uint32_t type = sp->type;
        memset(sp, 0, sizeof *sp);
        sp->type = type;
        if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
            sp->parm.output.capability = V4L2_CAP_TIMEPERFRAME;
            sp->parm.output.timeperframe = tpf;
        } else {
            sp->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
            sp->parm.capture.timeperframe = tpf;
        }
        return 0;
    }
    case VIDIOC_ENUMOUTPUT: {
        struct v4l2_output *o = arg;
        if (o->index != 0)
            return -EINVAL;
        memset(o, 0, sizeof *o);
        snprintf((char *)o->name, sizeof o->name, "loopback in");
        o->type = V4L2_OUTPUT_TYPE_ANALOG;
        return 0;
    }
    case VIDIOC_G_OUTPUT:
        *(int *)arg = 0;
        return 0;
    case VIDIOC_S_OUTPUT:
        return *(int *)arg == 0 ? 0 : -EINVAL;
    default:
        return -ENOTTY;     /* as the kernel answers an ioctl it does not know */
    }
}

/* ---- the entry points ---- */

static int fl_open(int flags)
{
    if (!present()) {
        errno = ENOENT;
        return -1;
    }
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0)
        return -1;
    pthread_mutex_lock(&lock);
    struct flfd *f = NULL;
    for (int i = 0; i < MAX_FDS && !f; i++)
        if (!fds[i].used)
            f = &fds[i];
    if (!f) {
        pthread_mutex_unlock(&lock);
        real_close(efd);
        errno = EMFILE;
        return -1;
    }
    *f = (struct flfd){.used = 1, .fd = efd, .nonblock = (flags & O_NONBLOCK) != 0};
    note_locked("open %d", efd);
    pthread_mutex_unlock(&lock);
    return efd;
}

static int fl_close(int fd)
{
    pthread_mutex_lock(&lock);
    struct flfd *f = find_locked(fd);
    if (f) {
        note_locked("close %d after %ld frames", fd, f->frames);
        f->used = 0;
        f->fd = -1;
    }
    pthread_mutex_unlock(&lock);
    if (f)
        real_close(fd);
    return f != NULL;
}

static ssize_t fl_write(struct flfd *f, const void *buf, size_t n)
{
    if (!present_locked())
        return -ENODEV;
    f->writes++;
    if (n != pix.sizeimage)
        return -EINVAL;     /* a frame is written whole */
    if (cfg.eagain_every > 0 && f->nonblock && f->writes % cfg.eagain_every == 0) {
        note_locked("eagain");
        return -EAGAIN;     /* the reader is slow: no buffer free */
    }
    if (dump_fd < 0 && cfg.dump[0])
        dump_fd = real_open(cfg.dump, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (dump_fd >= 0 && real_write(dump_fd, buf, n) != (ssize_t)n)
        return -EIO;
    f->frames++;
    frames_total++;
    note_locked("frame %ld", frames_total);
    if (cfg.vanish_after > 0 && frames_total >= cfg.vanish_after) {
        vanished = 1;
        note_locked("vanished");
    }
    return (ssize_t)n;
}

FL_PUBLIC int open(const char *path, int flags, ...)
{
    resolve();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (is_node(path))
        return fl_open(flags);
    return real_open(path, flags, mode);
}

FL_PUBLIC int open64(const char *path, int flags, ...) __attribute__((alias("open")));

FL_PUBLIC int openat(int dirfd, const char *path, int flags, ...)
{
    resolve();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (is_node(path))
        return fl_open(flags);
    return real_openat(dirfd, path, flags, mode);
}

FL_PUBLIC int openat64(int dirfd, const char *path, int flags, ...)
    __attribute__((alias("openat")));

FL_PUBLIC int close(int fd)
{
    resolve();
    if (fl_close(fd))
        return 0;
    return real_close(fd);
}

FL_PUBLIC int ioctl(int fd, unsigned long req, ...)
{
    resolve();
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    pthread_mutex_lock(&lock);
    struct flfd *f = find_locked(fd);
    int r = f ? do_ioctl_locked(f, (unsigned int)req, arg) : 0;
    pthread_mutex_unlock(&lock);
    if (!f)
        return real_ioctl(fd, req, arg);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return 0;
}

FL_PUBLIC ssize_t write(int fd, const void *buf, size_t n)
{
    resolve();
    pthread_mutex_lock(&lock);
    struct flfd *f = find_locked(fd);
    ssize_t r = f ? fl_write(f, buf, n) : 0;
    pthread_mutex_unlock(&lock);
    if (!f)
        return real_write(fd, buf, n);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

FL_PUBLIC ssize_t read(int fd, void *buf, size_t n)
{
    resolve();
    pthread_mutex_lock(&lock);
    struct flfd *f = find_locked(fd);
    int gone = !present_locked();
    pthread_mutex_unlock(&lock);
    if (!f)
        return real_read(fd, buf, n);
    errno = gone ? ENODEV : EINVAL;     /* an output: nothing to read */
    return -1;
}

static void fake_stat(struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFCHR | 0660;
    st->st_rdev = makedev(81, (unsigned)cfg.minor);
    st->st_nlink = 1;
}

FL_PUBLIC int stat(const char *path, struct stat *st)
{
    resolve();
    if (!is_node(path))
        return real_stat(path, st);
    if (!present()) {
        errno = ENOENT;
        return -1;
    }
    fake_stat(st);
    return 0;
}

FL_PUBLIC int stat64(const char *path, struct stat64 *st)
{
    return stat(path, (struct stat *)st);   /* same layout on 64-bit */
}

FL_PUBLIC int lstat(const char *path, struct stat *st)
{
    resolve();
    if (!is_node(path))
        return real_lstat(path, st);
    return stat(path, st);
}

FL_PUBLIC int lstat64(const char *path, struct stat64 *st)
{
    return lstat(path, (struct stat *)st);
}

FL_PUBLIC int fstat(int fd, struct stat *st)
{
    resolve();
    pthread_mutex_lock(&lock);
    int ours = find_locked(fd) != NULL;
    pthread_mutex_unlock(&lock);
    if (!ours)
        return real_fstat(fd, st);
    fake_stat(st);
    return 0;
}

FL_PUBLIC int fstat64(int fd, struct stat64 *st)
{
    return fstat(fd, (struct stat *)st);
}

FL_PUBLIC int access(const char *path, int mode)
{
    resolve();
    if (!is_node(path))
        return real_access(path, mode);
    if (!present()) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

/* /dev as listed by readdir: the real entries, then the node (when it is
 * in /dev). A tagged heap object stands for the DIR. */
struct fl_dir {
    DIR *inner;
    int listed;             /* the node was given */
    struct dirent de;
};
static struct fl_dir *dirs[MAX_DIRS];  /* lock */

static struct fl_dir *our_dir(DIR *d)
{
    pthread_mutex_lock(&lock);
    struct fl_dir *r = NULL;
    for (int i = 0; i < MAX_DIRS; i++)
        if (dirs[i] && (DIR *)dirs[i] == d)
            r = dirs[i];
    pthread_mutex_unlock(&lock);
    return r;
}

static int node_in_dev(void)
{
    return strncmp(cfg.path, "/dev/", 5) == 0 && !strchr(cfg.path + 5, '/');
}

FL_PUBLIC DIR *opendir(const char *path)
{
    resolve();
    DIR *inner = real_opendir(path);
    if (!inner || strcmp(path, "/dev") != 0 || !node_in_dev())
        return inner;
    struct fl_dir *d = calloc(1, sizeof *d);
    if (!d)
        return inner;
    d->inner = inner;
    pthread_mutex_lock(&lock);
    int ok = 0;
    for (int i = 0; i < MAX_DIRS && !ok; i++)
        if (!dirs[i]) {
            dirs[i] = d;
            ok = 1;
        }
    pthread_mutex_unlock(&lock);
    if (!ok) {
        free(d);
        return inner;
    }
    return (DIR *)d;
}

FL_PUBLIC struct dirent *readdir(DIR *dir)
{
    resolve();
    struct fl_dir *d = our_dir(dir);
    if (!d)
        return real_readdir(dir);
    struct dirent *e = real_readdir(d->inner);
    if (e || d->listed || !present())
        return e;
    d->listed = 1;
    memset(&d->de, 0, sizeof d->de);
    snprintf(d->de.d_name, sizeof d->de.d_name, "%.200s", cfg.path + 5);
    d->de.d_type = DT_CHR;
    return &d->de;
}

FL_PUBLIC struct dirent64 *readdir64(DIR *dir)
{
    return (struct dirent64 *)readdir(dir);
}

FL_PUBLIC int closedir(DIR *dir)
{
    resolve();
    struct fl_dir *d = our_dir(dir);
    if (!d)
        return real_closedir(dir);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_DIRS; i++)
        if (dirs[i] == d)
            dirs[i] = NULL;
    pthread_mutex_unlock(&lock);
    int r = real_closedir(d->inner);
    free(d);
    return r;
}

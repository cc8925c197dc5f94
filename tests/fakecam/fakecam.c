/* fakecam: an emulated UVC-like webcam for tests, loaded with LD_PRELOAD.
 *
 * It emulates the KERNEL side: the real libv4l2 and libv4lconvert run on top
 * of it and do the real YUYV/MJPEG -> RGB24 conversion. libv4l2 (v4l-utils
 * 1.22) reaches the kernel through glibc's syscall() (SYS_openat, SYS_ioctl,
 * SYS_mmap, SYS_munmap, SYS_close), so we interpose syscall(); plain libc
 * open/openat/close/ioctl/poll/stat/access/realpath/readlink/opendir are
 * interposed too, for programs that enumerate devices without libv4l2.
 *
 * A device fd is a real eventfd: the program's own poll() works on it and
 * turns readable when a filled buffer is ready to dequeue. Frames are made by
 * a timer thread per streaming fd. Settings come from FAKECAM_* environment
 * variables read once at load (see README.md). */
/* We define open, open64, mmap, mmap64... ourselves: keep glibc from
 * renaming them (meson builds with _FILE_OFFSET_BITS=64). */
#undef _FILE_OFFSET_BITS
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-function"
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#define FC_PUBLIC __attribute__((visibility("default")))

#define DEV_PATH "/dev/video0"
#define BYID_DIR "/dev/v4l/by-id"
#define BYID_NAME "usb-Fake_Camera-video-index0"
#define BYID_PATH BYID_DIR "/" BYID_NAME
#define MAX_FDS 8
#define MAX_BUFS 8

/* ---- configuration, written once by the constructor, then read-only ---- */
static struct {
    int busy_open;      /* FAKECAM_BUSY=1|open: EBUSY on open */
    int busy_fmt;       /* FAKECAM_BUSY=fmt: EBUSY on S_FMT/REQBUFS/STREAMON */
    int absent;         /* FAKECAM_ABSENT=1: no node at all */
    int nocapture;      /* FAKECAM_NOCAPTURE=1: node is a metadata node */
    long unplug_after;  /* FAKECAM_UNPLUG_AFTER=N frames; 0 = never */
    long replug_ms;     /* FAKECAM_REPLUG_MS=M; <0 = never */
    double fps;         /* FAKECAM_FPS: actual delivery rate; 0 = negotiated */
    int corrupt;        /* FAKECAM_CORRUPT=K bad frames at each stream start */
    int yuyv, mjpeg;    /* FAKECAM_FORMATS=yuyv,mjpeg */
    int debug;          /* FAKECAM_DEBUG=1: log ioctls to stderr */
} cfg;

struct fsize { unsigned w, h; };
static const struct fsize sizes[] = { {160, 120}, {320, 240}, {640, 480}, {1280, 720} };
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])

enum bstate { B_IDLE, B_QUEUED, B_FILLING, B_DONE };

struct fbuf {
    enum bstate state;
    uint32_t bytesused, flags, sequence;
    struct timeval ts;
    uint8_t *map;       /* our own mapping of the buffer (producer side) */
};

struct fcfd {
    int used;
    int fd;                 /* the eventfd handed to the program */
    int nonblock;
    int gone;               /* device unplugged under this fd */
    struct v4l2_pix_format pix;
    struct v4l2_fract tpf;  /* time per frame */
    int nbufs;
    size_t bufstride;       /* page-aligned size of one buffer */
    int memfd;
    struct fbuf bufs[MAX_BUFS];
    int streaming;
    int stop;               /* tells the timer thread to finish */
    int filling;            /* a buffer is being filled outside the lock */
    pthread_t thread;
    uint32_t sequence;      /* frames produced this stream (incl. dropped) */
    uint8_t *rgb;           /* scratch picture for the generator */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;              /* on CLOCK_MONOTONIC */
static struct fcfd fds[MAX_FDS];    /* lock */
static long frames_total;           /* lock: frames generated, all fds */
static int unplugged;               /* lock: unplug happened */
static int64_t unplug_at_ms;        /* lock */

static long (*real_syscall)(long, ...);
static int (*real_fstat)(int, struct stat *);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static int (*real_stat)(const char *, struct stat *);
static int (*real_lstat)(const char *, struct stat *);
static int (*real_access)(const char *, int);
static char *(*real_realpath)(const char *, char *);
static ssize_t (*real_readlink)(const char *, char *, size_t);
static DIR *(*real_opendir)(const char *);
static struct dirent *(*real_readdir)(DIR *);
static int (*real_closedir)(DIR *);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void dbg(const char *fmt, ...)
{
    if (!cfg.debug)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fakecam: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static long env_long(const char *name, long def)
{
    const char *s = getenv(name);
    return s && *s ? strtol(s, NULL, 10) : def;
}

/* Resolves the next definitions of what we wrap. Also called from every
 * wrapper: a sanitizer runtime may call open/stat before our constructor. */
static void resolve(void)
{
    if (real_syscall)
        return;
    real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    real_poll = (int (*)(struct pollfd *, nfds_t, int))dlsym(RTLD_NEXT, "poll");
    real_stat = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "stat");
    real_lstat = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "lstat");
    real_access = (int (*)(const char *, int))dlsym(RTLD_NEXT, "access");
    real_realpath = (char *(*)(const char *, char *))dlsym(RTLD_NEXT, "realpath");
    real_readlink = (ssize_t (*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
    real_opendir = (DIR *(*)(const char *))dlsym(RTLD_NEXT, "opendir");
    real_readdir = (struct dirent *(*)(DIR *))dlsym(RTLD_NEXT, "readdir");
    real_closedir = (int (*)(DIR *))dlsym(RTLD_NEXT, "closedir");
    real_fstat = (int (*)(int, struct stat *))dlsym(RTLD_NEXT, "fstat");
}

/* A sysfs entry for the camera as a USB 2.0 device, so libv4lconvert learns
 * the bus bandwidth and, like on a real webcam, picks MJPEG where YUYV would
 * not fit (e.g. 1280x720 at 30 fps). libv4lcontrol reads
 * $LIBV4LCONTROL_SYSFS_PREFIX/sys/class/video4linux/videoN/{dev,device/...}. */
static char sysfs_root[64];
static pid_t sysfs_owner;    /* forked children must not remove it */

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static void make_sysfs(void)
{
    if (getenv("LIBV4LCONTROL_SYSFS_PREFIX"))
        return;
    snprintf(sysfs_root, sizeof sysfs_root, "/tmp/fakecam-sysfs-XXXXXX");
    if (!mkdtemp(sysfs_root)) {
        sysfs_root[0] = '\0';
        return;
    }
    char dir[256];
    const char *parts[] = { "/sys", "/sys/class", "/sys/class/video4linux",
                            "/sys/class/video4linux/video0",
                            "/sys/class/video4linux/video0/device" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        snprintf(dir, sizeof dir, "%s%s", sysfs_root, parts[i]);
        mkdir(dir, 0700);
    }
    snprintf(dir, sizeof dir, "%s/sys/class/video4linux/video0", sysfs_root);
    write_file(dir, "dev", "81:0\n");
    write_file(dir, "device/idVendor", "fca0\n");
    write_file(dir, "device/idProduct", "0001\n");
    write_file(dir, "device/speed", "480\n");
    sysfs_owner = getpid();
    setenv("LIBV4LCONTROL_SYSFS_PREFIX", sysfs_root, 0);
}

static void remove_sysfs(void)
{
    static const char *rm[] = {
        "/sys/class/video4linux/video0/device/speed", "/sys/class/video4linux/video0/device/idProduct",
        "/sys/class/video4linux/video0/device/idVendor", "/sys/class/video4linux/video0/dev",
        "/sys/class/video4linux/video0/device", "/sys/class/video4linux/video0",
        "/sys/class/video4linux", "/sys/class", "/sys", "",
    };
    char path[256];
    if (!sysfs_root[0] || getpid() != sysfs_owner)
        return;
    for (size_t i = 0; i < sizeof rm / sizeof rm[0]; i++) {
        snprintf(path, sizeof path, "%s%s", sysfs_root, rm[i]);
        if (unlink(path) < 0)
            rmdir(path);
    }
}

__attribute__((destructor)) static void fc_fini(void)
{
    remove_sysfs();
}

__attribute__((constructor)) static void fc_init(void)
{
    resolve();

    const char *busy = getenv("FAKECAM_BUSY");
    if (busy && *busy && strcmp(busy, "0") != 0) {
        if (strcmp(busy, "fmt") == 0)
            cfg.busy_fmt = 1;
        else
            cfg.busy_open = 1;
    }
    cfg.absent = env_long("FAKECAM_ABSENT", 0) != 0;
    cfg.nocapture = env_long("FAKECAM_NOCAPTURE", 0) != 0;
    cfg.unplug_after = env_long("FAKECAM_UNPLUG_AFTER", 0);
    cfg.replug_ms = env_long("FAKECAM_REPLUG_MS", -1);
    const char *fps = getenv("FAKECAM_FPS");
    cfg.fps = fps ? atof(fps) : 0;
    cfg.corrupt = (int)env_long("FAKECAM_CORRUPT", 0);
    const char *f = getenv("FAKECAM_FORMATS");
    cfg.yuyv = !f || strstr(f, "yuyv") != NULL;
    cfg.mjpeg = !f || strstr(f, "mjpeg") != NULL;
    if (!cfg.yuyv && !cfg.mjpeg)
        cfg.yuyv = 1;
    cfg.debug = env_long("FAKECAM_DEBUG", 0) != 0;
    if (env_long("FAKECAM_NO_SYSFS", 0) == 0)
        make_sysfs();
    for (int i = 0; i < MAX_FDS; i++)
        fds[i].fd = -1;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cond, &ca);
    pthread_condattr_destroy(&ca);
}

/* ---- the device node: present, gone (unplugged) or back (replugged) ---- */

static int node_present_locked(void)
{
    if (cfg.absent)
        return 0;
    if (!unplugged)
        return 1;
    return cfg.replug_ms >= 0 && now_ms() - unplug_at_ms >= cfg.replug_ms;
}

static int node_present(void)
{
    pthread_mutex_lock(&lock);
    int p = node_present_locked();
    pthread_mutex_unlock(&lock);
    return p;
}

/* 1 for /dev/video0, 2 for the by-id alias, 0 for anything else. */
static int is_node(const char *path)
{
    if (!path)
        return 0;
    if (strcmp(path, DEV_PATH) == 0)
        return 1;
    if (strcmp(path, BYID_PATH) == 0)
        return 2;
    return 0;
}

static struct fcfd *find_fd_locked(int fd)
{
    if (fd < 0)
        return NULL;
    for (int i = 0; i < MAX_FDS; i++)
        if (fds[i].used && fds[i].fd == fd)
            return &fds[i];
    return NULL;
}

/* ---- formats ---- */

static int fmt_enabled(uint32_t pf)
{
    return (pf == V4L2_PIX_FMT_YUYV && cfg.yuyv) || (pf == V4L2_PIX_FMT_MJPEG && cfg.mjpeg);
}

static uint32_t fmt_by_index(unsigned idx)
{
    uint32_t all[2] = { V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG };
    unsigned n = 0;
    for (int i = 0; i < 2; i++)
        if (fmt_enabled(all[i]) && n++ == idx)
            return all[i];
    return 0;
}

/* Frame intervals offered for a format and size: YUYV at 1280x720 is slow,
 * as on real USB 2 webcams. */
static int intervals(uint32_t pf, unsigned w, struct v4l2_fract out[2])
{
    if (pf == V4L2_PIX_FMT_YUYV && w >= 1280) {
        out[0] = (struct v4l2_fract){ 1, 10 };
        out[1] = (struct v4l2_fract){ 1, 5 };
    } else {
        out[0] = (struct v4l2_fract){ 1, 30 };
        out[1] = (struct v4l2_fract){ 1, 15 };
    }
    return 2;
}

static void fill_pix(struct v4l2_pix_format *p, uint32_t pf, unsigned w, unsigned h)
{
    int best = 0;
    long bestd = -1;
    for (int i = 0; i < NSIZES; i++) {
        long d = labs((long)sizes[i].w - (long)w) + labs((long)sizes[i].h - (long)h);
        if (bestd < 0 || d < bestd) { bestd = d; best = i; }
    }
    if (!fmt_enabled(pf))
        pf = fmt_by_index(0);
    memset(p, 0, sizeof *p);
    p->width = sizes[best].w;
    p->height = sizes[best].h;
    p->pixelformat = pf;
    p->field = V4L2_FIELD_NONE;
    p->bytesperline = pf == V4L2_PIX_FMT_YUYV ? p->width * 2 : 0;
    p->sizeimage = p->width * p->height * 2;
    p->colorspace = V4L2_COLORSPACE_SRGB;
}

static struct v4l2_fract nearest_interval(const struct v4l2_pix_format *p, struct v4l2_fract want)
{
    struct v4l2_fract iv[2];
    int n = intervals(p->pixelformat, p->width, iv);
    double w = want.denominator ? (double)want.numerator / want.denominator : 0;
    int best = 0;
    for (int i = 1; i < n; i++) {
        double a = (double)iv[i].numerator / iv[i].denominator - w;
        double b = (double)iv[best].numerator / iv[best].denominator - w;
        if (a * a < b * b)
            best = i;
    }
    return iv[best];
}

/* ---- the picture: 8 colour bars over the top two thirds, a white box
 * moving 4 pixels a frame along a black band below (see README.md) ---- */

static const uint8_t bar_rgb[8][3] = {
    {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
    {255, 0, 255}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0},
};

static void draw_rgb(uint8_t *rgb, unsigned w, unsigned h, uint32_t seq)
{
    unsigned top = h * 2 / 3, bw = w / 8, bh = (h - top) / 2;
    unsigned bx = (seq * 4) % (w - bw), by = top + (h - top) / 4;
    for (unsigned y = 0; y < h; y++) {
        uint8_t *row = rgb + (size_t)y * w * 3;
        for (unsigned x = 0; x < w; x++) {
            const uint8_t *c = bar_rgb[7];
            if (y < top)
                c = bar_rgb[x * 8 / w];
            else if (y >= by && y < by + bh && x >= bx && x < bx + bw)
                c = bar_rgb[0];
            memcpy(row + x * 3, c, 3);
        }
    }
}

static uint8_t clamp8(int v) { return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v; }

/* BT.601 full range (JFIF), the inverse of what libv4lconvert applies, so
 * the pattern comes back within a few levels. */
static void rgb_to_yuyv(const uint8_t *rgb, uint8_t *out, unsigned w, unsigned h)
{
    for (size_t i = 0; i < (size_t)w * h; i += 2) {
        const uint8_t *p = rgb + i * 3, *q = p + 3;
        int y0 = (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
        int y1 = (77 * q[0] + 150 * q[1] + 29 * q[2] + 128) >> 8;
        int r = (p[0] + q[0]) / 2, g = (p[1] + q[1]) / 2, b = (p[2] + q[2]) / 2;
        int u = ((-43 * r - 85 * g + 128 * b + 128) >> 8) + 128;
        int v = ((128 * r - 107 * g - 21 * b + 128) >> 8) + 128;
        out[i * 2 + 0] = clamp8(y0);
        out[i * 2 + 1] = clamp8(u);
        out[i * 2 + 2] = clamp8(y1);
        out[i * 2 + 3] = clamp8(v);
    }
}

struct jpg_sink { uint8_t *dst; size_t cap, len; };

static void jpg_write(void *ctx, void *data, int size)
{
    struct jpg_sink *s = ctx;
    size_t n = (size_t)size;
    if (s->len + n > s->cap)
        n = s->cap - s->len;    /* truncated: the decoder will say so */
    memcpy(s->dst + s->len, data, n);
    s->len += n;
}

/* Fills one buffer outside the lock; returns bytesused. The format and the
 * buffers cannot change while streaming, so reading them here is safe. */
static uint32_t fill_buffer(struct fcfd *f, struct fbuf *b, uint32_t seq, int corrupt)
{
    const struct v4l2_pix_format *p = &f->pix;
    if (corrupt) {
        /* A short frame of noise, as cameras send while syncing. */
        uint32_t n = p->sizeimage / 3;
        for (uint32_t i = 0; i < n; i++)
            b->map[i] = (uint8_t)(i * 37 + seq);
        if (p->pixelformat == V4L2_PIX_FMT_MJPEG)
            n = 200;
        return n;
    }
    draw_rgb(f->rgb, p->width, p->height, seq);
    if (p->pixelformat == V4L2_PIX_FMT_YUYV) {
        rgb_to_yuyv(f->rgb, b->map, p->width, p->height);
        return p->sizeimage;
    }
    struct jpg_sink s = { b->map, p->sizeimage, 0 };
    stbi_write_jpg_to_func(jpg_write, &s, (int)p->width, (int)p->height, 3, f->rgb, 85);
    return (uint32_t)s.len;
}

static void signal_fd(int fd)
{
    uint64_t one = 1;
    if (write(fd, &one, sizeof one) < 0)
        dbg("eventfd write: %s", strerror(errno));
}

static void drain_fd(int fd)
{
    uint64_t v;
    if (read(fd, &v, sizeof v) < 0 && errno != EAGAIN)
        dbg("eventfd read: %s", strerror(errno));
}

static void unplug_locked(void)
{
    dbg("unplug after %ld frames", frames_total);
    unplugged = 1;
    unplug_at_ms = now_ms();
    for (int i = 0; i < MAX_FDS; i++) {
        if (fds[i].used) {
            fds[i].gone = 1;
            signal_fd(fds[i].fd);
        }
    }
    pthread_cond_broadcast(&cond);
}

static struct fbuf *oldest(struct fcfd *f, enum bstate st, uint64_t *orders)
{
    struct fbuf *best = NULL;
    uint64_t bo = 0;
    for (int i = 0; i < f->nbufs; i++) {
        if (f->bufs[i].state == st && (!best || orders[i] < bo)) {
            best = &f->bufs[i];
            bo = orders[i];
        }
    }
    return best;
}

/* Order stamps for FIFO queues (lock). */
static uint64_t qorder[MAX_FDS][MAX_BUFS], dorder[MAX_FDS][MAX_BUFS], order_clock;

static void *stream_thread(void *arg)
{
    struct fcfd *f = arg;
    int slot = (int)(f - fds);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&lock);
    while (!f->stop && !f->gone) {
        double fps = cfg.fps > 0 ? cfg.fps : (double)f->tpf.denominator / f->tpf.numerator;
        long period = (long)(1e9 / fps);
        next.tv_nsec += period;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        while (!f->stop && pthread_cond_timedwait(&cond, &lock, &next) != ETIMEDOUT)
            ;
        if (f->stop || f->gone)
            break;
        uint32_t seq = f->sequence++;
        if (cfg.unplug_after > 0 && !unplugged && frames_total >= cfg.unplug_after) {
            unplug_locked();
            break;
        }
        frames_total++;
        struct fbuf *b = oldest(f, B_QUEUED, qorder[slot]);
        if (!b) {
            dbg("no buffer queued: frame %u dropped", seq);
            continue;
        }
        b->state = B_FILLING;
        f->filling = 1;
        int corrupt = (int)seq < cfg.corrupt;
        pthread_mutex_unlock(&lock);
        uint32_t used = fill_buffer(f, b, seq, corrupt);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        pthread_mutex_lock(&lock);
        f->filling = 0;
        b->state = B_DONE;
        b->bytesused = used;
        b->sequence = seq;
        b->ts.tv_sec = ts.tv_sec;
        b->ts.tv_usec = ts.tv_nsec / 1000;
        b->flags = corrupt && f->pix.pixelformat == V4L2_PIX_FMT_MJPEG ? V4L2_BUF_FLAG_ERROR : 0;
        dorder[slot][b - f->bufs] = ++order_clock;
        signal_fd(f->fd);
        pthread_cond_broadcast(&cond);
    }
    f->filling = 0;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* ---- buffers ---- */

static void free_buffers_locked(struct fcfd *f)
{
    if (f->nbufs) {
        munmap(f->bufs[0].map, f->bufstride * (size_t)f->nbufs);
        real_close(f->memfd);
    }
    free(f->rgb);
    f->rgb = NULL;
    memset(f->bufs, 0, sizeof f->bufs);
    f->nbufs = 0;
    f->memfd = -1;
}

static int alloc_buffers_locked(struct fcfd *f, unsigned count)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t stride = ((size_t)f->pix.sizeimage + (size_t)page - 1) / (size_t)page * (size_t)page;
    int mfd = memfd_create("fakecam", MFD_CLOEXEC);
    if (mfd < 0)
        return -1;
    if (ftruncate(mfd, (off_t)(stride * count)) < 0) {
        real_close(mfd);
        return -1;
    }
    /* Not mmap(): that is our own wrapper, which takes the lock we hold. */
    uint8_t *base = (uint8_t *)real_syscall(SYS_mmap, NULL, stride * count,
                                            PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    uint8_t *rgb = malloc((size_t)f->pix.width * f->pix.height * 3);
    if (base == MAP_FAILED || !rgb) {
        if (base != MAP_FAILED)
            munmap(base, stride * count);
        free(rgb);
        real_close(mfd);
        errno = ENOMEM;
        return -1;
    }
    f->memfd = mfd;
    f->bufstride = stride;
    f->nbufs = (int)count;
    f->rgb = rgb;
    for (unsigned i = 0; i < count; i++) {
        f->bufs[i].state = B_IDLE;
        f->bufs[i].map = base + stride * i;
    }
    return 0;
}

static void stop_stream_locked(struct fcfd *f)
{
    if (!f->streaming)
        return;
    f->stop = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    pthread_join(f->thread, NULL);
    pthread_mutex_lock(&lock);
    f->stop = 0;
    f->streaming = 0;
    for (int i = 0; i < f->nbufs; i++)
        f->bufs[i].state = B_IDLE;
    drain_fd(f->fd);
    pthread_cond_broadcast(&cond);     /* a blocked DQBUF now gets EINVAL */
}

static void fill_v4l2_buffer(struct fcfd *f, int i, struct v4l2_buffer *vb)
{
    struct fbuf *b = &f->bufs[i];
    memset(vb, 0, sizeof *vb);
    vb->index = (uint32_t)i;
    vb->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    vb->memory = V4L2_MEMORY_MMAP;
    vb->length = f->pix.sizeimage;
    vb->m.offset = (uint32_t)(f->bufstride * (size_t)i);
    vb->field = V4L2_FIELD_NONE;
    vb->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE | V4L2_BUF_FLAG_MAPPED;
    if (b->state == B_QUEUED || b->state == B_FILLING)
        vb->flags |= V4L2_BUF_FLAG_QUEUED;
    if (b->state == B_DONE)
        vb->flags |= V4L2_BUF_FLAG_DONE;
}

/* ---- ioctls, all under lock; 0 or -errno ---- */

static int do_querycap(struct v4l2_capability *c)
{
    memset(c, 0, sizeof *c);
    snprintf((char *)c->driver, sizeof c->driver, "fakecam");
    snprintf((char *)c->card, sizeof c->card, "Fake Camera");
    snprintf((char *)c->bus_info, sizeof c->bus_info, "usb-0000:00:14.0-1");
    c->version = (6 << 16) | (1 << 8);
    c->device_caps = cfg.nocapture ? V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING
                                   : V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
    c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
    return 0;
}

static int do_enum_fmt(struct v4l2_fmtdesc *d)
{
    if (d->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || cfg.nocapture)
        return -EINVAL;
    uint32_t pf = fmt_by_index(d->index);
    if (!pf)
        return -EINVAL;
    uint32_t idx = d->index, type = d->type;
    memset(d, 0, sizeof *d);
    d->index = idx;
    d->type = type;
    d->pixelformat = pf;
    if (pf == V4L2_PIX_FMT_MJPEG) {
        d->flags = V4L2_FMT_FLAG_COMPRESSED;
        snprintf((char *)d->description, sizeof d->description, "Motion-JPEG");
    } else {
        snprintf((char *)d->description, sizeof d->description, "YUYV 4:2:2");
    }
    return 0;
}

static int do_enum_framesizes(struct v4l2_frmsizeenum *s)
{
    if (!fmt_enabled(s->pixel_format) || s->index >= (uint32_t)NSIZES)
        return -EINVAL;
    s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
    s->discrete.width = sizes[s->index].w;
    s->discrete.height = sizes[s->index].h;
    memset(s->reserved, 0, sizeof s->reserved);
    return 0;
}

static int do_enum_frameintervals(struct v4l2_frmivalenum *e)
{
    if (!fmt_enabled(e->pixel_format))
        return -EINVAL;
    int found = 0;
    for (int i = 0; i < NSIZES; i++)
        found |= sizes[i].w == e->width && sizes[i].h == e->height;
    struct v4l2_fract iv[2];
    int n = intervals(e->pixel_format, e->width, iv);
    if (!found || e->index >= (uint32_t)n)
        return -EINVAL;
    e->type = V4L2_FRMIVAL_TYPE_DISCRETE;
    e->discrete = iv[e->index];
    memset(e->reserved, 0, sizeof e->reserved);
    return 0;
}

static int do_fmt(struct fcfd *f, unsigned long req, struct v4l2_format *fm)
{
    if (fm->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || cfg.nocapture)
        return -EINVAL;
    if (req == VIDIOC_G_FMT) {
        fm->fmt.pix = f->pix;
        return 0;
    }
    struct v4l2_pix_format p;
    fill_pix(&p, fm->fmt.pix.pixelformat, fm->fmt.pix.width, fm->fmt.pix.height);
    if (req == VIDIOC_S_FMT) {
        if (cfg.busy_fmt || f->nbufs)
            return -EBUSY;
        f->pix = p;
        f->tpf = nearest_interval(&p, f->tpf);
    }
    fm->fmt.pix = p;
    return 0;
}

static int do_parm(struct fcfd *f, unsigned long req, struct v4l2_streamparm *sp)
{
    if (sp->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || cfg.nocapture)
        return -EINVAL;
    if (req == VIDIOC_S_PARM) {
        if (f->streaming)
            return -EBUSY;
        f->tpf = nearest_interval(&f->pix, sp->parm.capture.timeperframe);
    }
    memset(&sp->parm, 0, sizeof sp->parm);
    sp->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
    sp->parm.capture.timeperframe = f->tpf;
    return 0;
}

static int do_reqbufs(struct fcfd *f, struct v4l2_requestbuffers *rb)
{
    if (rb->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || rb->memory != V4L2_MEMORY_MMAP)
        return -EINVAL;
    if (f->streaming || (cfg.busy_fmt && rb->count))
        return -EBUSY;
    free_buffers_locked(f);
    unsigned count = rb->count;
    memset(rb->reserved, 0, sizeof rb->reserved);
    rb->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
    if (count == 0)
        return 0;
    if (count < 2)
        count = 2;
    if (count > MAX_BUFS)
        count = MAX_BUFS;
    if (alloc_buffers_locked(f, count) < 0)
        return -errno;
    rb->count = count;
    return 0;
}

static int check_index(struct fcfd *f, struct v4l2_buffer *vb)
{
    if (vb->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || vb->memory != V4L2_MEMORY_MMAP ||
        vb->index >= (uint32_t)f->nbufs)
        return -EINVAL;
    return 0;
}

static int do_dqbuf(struct fcfd *f, struct v4l2_buffer *vb)
{
    if (vb->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || vb->memory != V4L2_MEMORY_MMAP)
        return -EINVAL;
    int slot = (int)(f - fds);
    struct fbuf *b;
    for (;;) {
        if (f->gone)
            return -ENODEV;
        if (!f->streaming)
            return -EINVAL;
        if ((b = oldest(f, B_DONE, dorder[slot])))
            break;
        if (f->nonblock)
            return -EAGAIN;
        pthread_cond_wait(&cond, &lock);
    }
    int i = (int)(b - f->bufs);
    b->state = B_IDLE;
    fill_v4l2_buffer(f, i, vb);
    vb->bytesused = b->bytesused;
    vb->flags |= b->flags;
    vb->sequence = b->sequence;
    vb->timestamp = b->ts;
    if (!oldest(f, B_DONE, dorder[slot]))
        drain_fd(f->fd);
    return 0;
}

static int do_ioctl_locked(struct fcfd *f, unsigned long req, void *arg)
{
    if (f->gone)
        return -ENODEV;
    switch (req) {
    case VIDIOC_QUERYCAP: return do_querycap(arg);
    case VIDIOC_ENUM_FMT: return do_enum_fmt(arg);
    case VIDIOC_ENUM_FRAMESIZES: return do_enum_framesizes(arg);
    case VIDIOC_ENUM_FRAMEINTERVALS: return do_enum_frameintervals(arg);
    case VIDIOC_G_FMT:
    case VIDIOC_S_FMT:
    case VIDIOC_TRY_FMT: return do_fmt(f, req, arg);
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: return do_parm(f, req, arg);
    case VIDIOC_REQBUFS: return do_reqbufs(f, arg);
    case VIDIOC_QUERYBUF: {
        struct v4l2_buffer *vb = arg;
        int r = check_index(f, vb);
        if (r == 0) {
            int i = (int)vb->index;
            fill_v4l2_buffer(f, i, vb);
            vb->bytesused = f->bufs[i].bytesused;
        }
        return r;
    }
    case VIDIOC_QBUF: {
        struct v4l2_buffer *vb = arg;
        int r = check_index(f, vb);
        if (r == 0 && f->bufs[vb->index].state != B_IDLE)
            r = -EINVAL;
        if (r == 0) {
            f->bufs[vb->index].state = B_QUEUED;
            qorder[f - fds][vb->index] = ++order_clock;
            vb->flags = (vb->flags | V4L2_BUF_FLAG_QUEUED) & ~V4L2_BUF_FLAG_DONE;
        }
        return r;
    }
    case VIDIOC_DQBUF: return do_dqbuf(f, arg);
    case VIDIOC_STREAMON:
        if (*(int *)arg != V4L2_BUF_TYPE_VIDEO_CAPTURE || !f->nbufs)
            return -EINVAL;
        if (f->streaming)
            return 0;
        f->sequence = 0;
        f->streaming = 1;
        if (pthread_create(&f->thread, NULL, stream_thread, f) != 0) {
            f->streaming = 0;
            return -ENOMEM;
        }
        return 0;
    case VIDIOC_STREAMOFF:
        if (*(int *)arg != V4L2_BUF_TYPE_VIDEO_CAPTURE)
            return -EINVAL;
        stop_stream_locked(f);
        return 0;
    case VIDIOC_G_INPUT:
        *(int *)arg = 0;
        return 0;
    case VIDIOC_S_INPUT:
        return *(int *)arg == 0 ? 0 : -EINVAL;
    case VIDIOC_ENUMINPUT: {
        struct v4l2_input *in = arg;
        if (in->index != 0)
            return -EINVAL;
        memset(in, 0, sizeof *in);
        snprintf((char *)in->name, sizeof in->name, "Camera 1");
        in->type = V4L2_INPUT_TYPE_CAMERA;
        return 0;
    }
    default:
        return -ENOTTY;     /* what the kernel says for an unknown ioctl */
    }
}

/* ---- the entry points shared by syscall() and the libc wrappers ---- */

static int fc_open(const char *path, int flags)
{
    pthread_mutex_lock(&lock);
    int present = node_present_locked();
    pthread_mutex_unlock(&lock);
    dbg("open %s flags %#x", path, flags);
    if (!present) {
        errno = ENOENT;
        return -1;
    }
    if (cfg.busy_open) {
        errno = EBUSY;
        return -1;
    }
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0)
        return -1;
    pthread_mutex_lock(&lock);
    struct fcfd *f = NULL;
    for (int i = 0; i < MAX_FDS && !f; i++)
        if (!fds[i].used)
            f = &fds[i];
    if (!f) {
        pthread_mutex_unlock(&lock);
        real_close(efd);
        errno = EMFILE;
        return -1;
    }
    memset(f, 0, sizeof *f);
    f->used = 1;
    f->fd = efd;
    f->memfd = -1;
    f->nonblock = (flags & O_NONBLOCK) != 0;
    fill_pix(&f->pix, fmt_by_index(0), 640, 480);
    f->tpf = (struct v4l2_fract){ 1, 30 };
    pthread_mutex_unlock(&lock);
    return efd;
}

/* 1 if fd was ours (and is now closed), 0 if not ours. */
static int fc_close(int fd)
{
    pthread_mutex_lock(&lock);
    struct fcfd *f = find_fd_locked(fd);
    if (!f) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    dbg("close %d", fd);
    stop_stream_locked(f);
    free_buffers_locked(f);
    f->used = 0;
    f->fd = -1;
    pthread_mutex_unlock(&lock);
    real_close(fd);
    return 1;
}

static int is_fake_fd(int fd)
{
    pthread_mutex_lock(&lock);
    int r = find_fd_locked(fd) != NULL;
    pthread_mutex_unlock(&lock);
    return r;
}

static int fc_ioctl(int fd, unsigned long req, void *arg)
{
    pthread_mutex_lock(&lock);
    struct fcfd *f = find_fd_locked(fd);
    int r = f ? do_ioctl_locked(f, (unsigned int)req, arg) : -EBADF;
    pthread_mutex_unlock(&lock);
    dbg("ioctl %d nr %lu -> %d", fd, req & 0xff, r);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return 0;
}

static void *fc_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    pthread_mutex_lock(&lock);
    struct fcfd *f = find_fd_locked(fd);
    int err = 0, mfd = -1;
    if (!f)
        err = EBADF;
    else if (f->gone)
        err = ENODEV;
    else if (!f->nbufs || off < 0 || (size_t)off % f->bufstride ||
             (size_t)off / f->bufstride >= (size_t)f->nbufs || len > f->bufstride ||
             !(flags & MAP_SHARED))
        err = EINVAL;
    else
        mfd = f->memfd;
    void *p = MAP_FAILED;
    if (!err)
        p = (void *)real_syscall(SYS_mmap, addr, len, prot, flags, mfd, off);
    pthread_mutex_unlock(&lock);
    if (err)
        errno = err;
    return p;
}

FC_PUBLIC long syscall(long n, ...)
{
    resolve();
    va_list ap;
    long a[6];
    va_start(ap, n);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    switch (n) {
    case SYS_open:
        if (is_node((const char *)a[0]))
            return fc_open((const char *)a[0], (int)a[1]);
        break;
    case SYS_openat:
        if (is_node((const char *)a[1]))
            return fc_open((const char *)a[1], (int)a[2]);
        break;
    case SYS_close:
        if (fc_close((int)a[0]))
            return 0;
        break;
    case SYS_ioctl:
        if (is_fake_fd((int)a[0]))
            return fc_ioctl((int)a[0], (unsigned long)a[1], (void *)a[2]);
        break;
    case SYS_mmap:
        if (is_fake_fd((int)a[4]))
            return (long)fc_mmap((void *)a[0], (size_t)a[1], (int)a[2], (int)a[3],
                                 (int)a[4], (off_t)a[5]);
        break;
    case SYS_read:
        if (is_fake_fd((int)a[0])) {
            errno = EINVAL;     /* no V4L2_CAP_READWRITE */
            return -1;
        }
        break;
    }
    return real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

FC_PUBLIC int open(const char *path, int flags, ...)
{
    resolve();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (is_node(path))
        return fc_open(path, flags);
    return real_open(path, flags, mode);
}

FC_PUBLIC int open64(const char *path, int flags, ...) __attribute__((alias("open")));

FC_PUBLIC int openat(int dirfd, const char *path, int flags, ...)
{
    resolve();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (is_node(path))
        return fc_open(path, flags);
    return real_openat(dirfd, path, flags, mode);
}

FC_PUBLIC int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

FC_PUBLIC int close(int fd)
{
    resolve();
    if (fc_close(fd))
        return 0;
    return real_close(fd);
}

FC_PUBLIC int ioctl(int fd, unsigned long req, ...)
{
    resolve();
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (is_fake_fd(fd))
        return fc_ioctl(fd, req, arg);
    return real_ioctl(fd, req, arg);
}

FC_PUBLIC void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    resolve();
    if (is_fake_fd(fd))
        return fc_mmap(addr, len, prot, flags, fd, off);
    return (void *)real_syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

FC_PUBLIC void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
    __attribute__((alias("mmap")));

/* An unplugged device reports POLLERR|POLLHUP, like the kernel's v4l2 core. */
static int poll_gone(struct pollfd *p, nfds_t n)
{
    int hits = 0;
    pthread_mutex_lock(&lock);
    for (nfds_t i = 0; i < n; i++) {
        struct fcfd *f = find_fd_locked(p[i].fd);
        if (f && f->gone) {
            p[i].revents = POLLERR | POLLHUP | POLLPRI;
            hits++;
        }
    }
    pthread_mutex_unlock(&lock);
    return hits;
}

FC_PUBLIC int poll(struct pollfd *p, nfds_t n, int timeout)
{
    resolve();
    int gone = poll_gone(p, n);
    if (gone) {
        for (nfds_t i = 0; i < n; i++)
            if (!(p[i].revents & POLLERR))
                p[i].revents = 0;
        return gone;
    }
    int r = real_poll(p, n, timeout);
    if (r >= 0 && poll_gone(p, n)) {
        int c = 0;
        for (nfds_t i = 0; i < n; i++)
            c += p[i].revents != 0;
        r = c;
    }
    return r;
}

static void fake_stat(int which, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = which == 2 ? S_IFLNK | 0777 : S_IFCHR | 0660;
    st->st_rdev = makedev(81, 0);
    st->st_nlink = 1;
}

FC_PUBLIC int stat(const char *path, struct stat *st)
{
    resolve();
    if (!is_node(path))
        return real_stat(path, st);
    if (!node_present()) {
        errno = ENOENT;
        return -1;
    }
    fake_stat(1, st);
    return 0;
}

FC_PUBLIC int stat64(const char *path, struct stat64 *st)
{
    resolve();
    return stat(path, (struct stat *)st);   /* same layout on 64-bit */
}

FC_PUBLIC int lstat(const char *path, struct stat *st)
{
    resolve();
    int w = is_node(path);
    if (!w)
        return real_lstat(path, st);
    if (!node_present()) {
        errno = ENOENT;
        return -1;
    }
    fake_stat(w, st);
    return 0;
}

FC_PUBLIC int lstat64(const char *path, struct stat64 *st)
{
    resolve();
    return lstat(path, (struct stat *)st);
}

/* libv4lconvert fstat()s the device fd to find it in sysfs. */
FC_PUBLIC int fstat(int fd, struct stat *st)
{
    resolve();
    if (!is_fake_fd(fd))
        return real_fstat(fd, st);
    fake_stat(1, st);
    return 0;
}

FC_PUBLIC int fstat64(int fd, struct stat64 *st)
{
    resolve();
    return fstat(fd, (struct stat *)st);
}

FC_PUBLIC int access(const char *path, int mode)
{
    resolve();
    if (!is_node(path))
        return real_access(path, mode);
    if (!node_present()) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

FC_PUBLIC char *realpath(const char *path, char *resolved)
{
    resolve();
    if (!is_node(path))
        return real_realpath(path, resolved);
    if (!node_present()) {
        errno = ENOENT;
        return NULL;
    }
    if (!resolved && !(resolved = malloc(PATH_MAX)))
        return NULL;
    snprintf(resolved, PATH_MAX, "%s", DEV_PATH);
    return resolved;
}

FC_PUBLIC ssize_t readlink(const char *path, char *buf, size_t n)
{
    resolve();
    if (is_node(path) != 2)
        return real_readlink(path, buf, n);
    if (!node_present()) {
        errno = ENOENT;
        return -1;
    }
    const char *target = "../../video0";
    size_t len = strlen(target) < n ? strlen(target) : n;
    memcpy(buf, target, len);
    return (ssize_t)len;
}

/* /dev/v4l/by-id as a directory of our own: a tagged heap object. */
struct fc_dir { uint64_t magic; int pos; struct dirent de; };
#define DIR_MAGIC 0xfa4ecafe12345678ull
static struct fc_dir *live_dirs[4];     /* lock */

static struct fc_dir *our_dir(DIR *d)
{
    pthread_mutex_lock(&lock);
    struct fc_dir *r = NULL;
    for (int i = 0; i < 4; i++)
        if (live_dirs[i] && (DIR *)live_dirs[i] == d)
            r = live_dirs[i];
    pthread_mutex_unlock(&lock);
    return r;
}

FC_PUBLIC DIR *opendir(const char *path)
{
    resolve();
    if (strcmp(path, BYID_DIR) != 0 || cfg.absent)
        return real_opendir(path);
    struct fc_dir *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->magic = DIR_MAGIC;
    pthread_mutex_lock(&lock);
    int ok = 0;
    for (int i = 0; i < 4 && !ok; i++)
        if (!live_dirs[i]) {
            live_dirs[i] = d;
            ok = 1;
        }
    pthread_mutex_unlock(&lock);
    if (!ok) {
        free(d);
        errno = EMFILE;
        return NULL;
    }
    return (DIR *)d;
}

FC_PUBLIC struct dirent *readdir(DIR *dir)
{
    resolve();
    struct fc_dir *d = our_dir(dir);
    if (!d)
        return real_readdir(dir);
    static const char *names[] = { ".", "..", BYID_NAME };
    int n = node_present() ? 3 : 2;
    if (d->pos >= n)
        return NULL;
    memset(&d->de, 0, sizeof d->de);
    snprintf(d->de.d_name, sizeof d->de.d_name, "%s", names[d->pos]);
    d->de.d_type = d->pos < 2 ? DT_DIR : DT_LNK;
    d->pos++;
    return &d->de;
}

FC_PUBLIC struct dirent64 *readdir64(DIR *dir)
{
    resolve();
    return (struct dirent64 *)readdir(dir);
}

FC_PUBLIC int closedir(DIR *dir)
{
    resolve();
    struct fc_dir *d = our_dir(dir);
    if (!d)
        return real_closedir(dir);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < 4; i++)
        if (live_dirs[i] == d)
            live_dirs[i] = NULL;
    pthread_mutex_unlock(&lock);
    free(d);
    return 0;
}

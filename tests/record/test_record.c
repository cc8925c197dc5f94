/* The recorder, file naming, snapshots and the video-file source, checked
 * with ffprobe/ffmpeg reading the real files. argv[1]: the record_child
 * program (for the SIGKILL/SIGTERM tests). Nothing here measures speed: a
 * child is signalled when it says it got somewhere, and pacing is checked
 * as cause and effect (never before its time, never held back once due). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stb_image.h>

#include "app/capture/source.h"
#include "common/clock.h"
#include "common/frame.h"
#include "app/record/paths.h"
#include "app/record/recorder.h"
#include "rec_util.h"
#include "tests/util/sc_test.h"

static char out[1 << 16];

/* Irregular capture intervals (ms), with one duplicate time at frame 10. */
static int64_t gap_ms(int i)
{
    return i == 10 ? 0 : 20 + (i * 37) % 41;
}

/* Records n frames of w x h with irregular times; returns the expected clip
 * length (last - first + last interval) in seconds. */
static double record_clip(const char *path, int w, int h, int n,
                          struct sc_recorder_stats *stats)
{
    uint8_t *rgb = malloc((size_t)w * h * 3);
    ck_assert_ptr_nonnull(rgb);
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = w, .h = h, .fps = 30, .blocking = 1};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    int64_t t = 5000000, last_gap = 33;
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            last_gap = gap_ms(i) ? gap_ms(i) : last_gap;
            t += gap_ms(i) * 1000;
        }
        rt_paint(rgb, w, h, i);
        struct sc_frame f = {.rgb = rgb, .w = w, .h = h, .pts_us = t, .seq = (uint64_t)i};
        sc_recorder_push(rec, &f);
    }
    ck_assert_int_eq(sc_recorder_free(&rec, stats), SC_OK);
    free(rgb);
    return (t - 5000000) / 1e6 + last_gap / 1e3;
}

static void check_clip(const char *path, int w, int h, int n)
{
    struct sc_recorder_stats s;
    double want = record_clip(path, w, h, n, &s);
    ck_assert_uint_eq(s.frames_written, (uint64_t)n);
    ck_assert_uint_eq(s.frames_dropped, 0);
    struct rt_probe p;
    ck_assert_int_eq(rt_probe(path, &p), 0);
    ck_assert_str_eq(p.codec, "h264");
    ck_assert_int_eq(p.w, w);
    ck_assert_int_eq(p.h, h);
    ck_assert_int_eq(p.frames, (long)s.frames_written);
    ck_assert_msg(fabs(p.duration - want) <= 0.061, "duration %.3f, timestamps say %.3f",
                  p.duration, want);
    ck_assert_msg(fabs(s.duration_s - want) <= 0.061, "stats %.3f vs %.3f", s.duration_s, want);
    ck_assert_msg(rt_decode_clean(path, out, sizeof out) == 0, "ffmpeg: %s", out);
}

/* 60 frames of 320x240 with irregular times into a fresh folder's name. */
static void irregular(const char *name)
{
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, name);
    check_clip(path, 320, 240, 60);
    sc_test_rmtree(dir);
}

START_TEST(test_mkv_irregular)
{
    irregular("clip.mkv");
}
END_TEST

START_TEST(test_mp4_irregular)
{
    irregular("clip.mp4");
}
END_TEST

START_TEST(test_fallback_encoder)
{
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, "clip.mkv");
    rt_record_small(path, "mpeg4", 20);
    struct rt_probe p;
    ck_assert_int_eq(rt_probe(path, &p), 0);
    ck_assert_str_eq(p.codec, "mpeg4");
    ck_assert_int_eq(p.frames, 20);
    ck_assert_msg(rt_decode_clean(path, out, sizeof out) == 0, "ffmpeg: %s", out);

    snprintf(path, sizeof path, "%s/none.mkv", dir);
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = 64, .h = 48, .encoder = "no-such-encoder"};
    ck_assert_int_eq(sc_recorder_init(&rec, &o, &err), SC_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "no-such-encoder"));
    ck_assert_int_eq(sc_record_path_exists(path), 0); /* nothing left behind */
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_odd_size_and_drops)
{
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, "odd.mkv");
    enum { W = 161, H = 121, N = 200 };
    uint8_t *rgb = malloc(W * H * 3);
    rt_paint(rgb, W, H, 0);
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = W, .h = H, .slots = 2};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < N; i++) { /* far faster than the encoder: some are dropped */
        struct sc_frame f = {.rgb = rgb, .w = W, .h = H, .pts_us = i * 33333};
        sc_recorder_push(rec, &f);
    }
    struct sc_frame wrong = {.rgb = rgb, .w = 10, .h = 10, .pts_us = N * 33333};
    sc_recorder_push(rec, &wrong);
    struct sc_recorder_stats s;
    ck_assert_int_eq(sc_recorder_free(&rec, &s), SC_OK);
    ck_assert_uint_eq(s.frames_written + s.frames_dropped, N + 1);
    ck_assert_uint_gt(s.frames_written, 0);
    struct rt_probe p;
    ck_assert_int_eq(rt_probe(path, &p), 0);
    ck_assert_int_eq(p.w, W - 1);
    ck_assert_int_eq(p.h, H - 1);
    ck_assert_int_eq(p.frames, (long)s.frames_written);
    ck_assert_msg(rt_decode_clean(path, out, sizeof out) == 0, "ffmpeg: %s", out);
    free(rgb);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_no_overwrite)
{
    char dir[256], p1[512], p2[512], p3[512];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    struct sc_error err;
    time_t when = 1795000000; /* fixed: the same second three times */
    int fd1 = sc_record_file_create(dir, "mkv", when, p1, sizeof p1, &err);
    int fd2 = sc_record_file_create(dir, "mkv", when, p2, sizeof p2, &err);
    int fd3 = sc_record_file_create(dir, "mkv", when, p3, sizeof p3, &err);
    ck_assert(fd1 >= 0 && fd2 >= 0 && fd3 >= 0);
    close(fd1);
    close(fd2);
    close(fd3);
    struct tm tm;
    char want[512], stamp[64];
    localtime_r(&when, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d_%H-%M-%S", &tm);
    snprintf(want, sizeof want, "%s/stylecam-%s.mkv", dir, stamp);
    ck_assert_str_eq(p1, want);
    snprintf(want, sizeof want, "%s/stylecam-%s-1.mkv", dir, stamp);
    ck_assert_str_eq(p2, want);
    snprintf(want, sizeof want, "%s/stylecam-%s-2.mkv", dir, stamp);
    ck_assert_str_eq(p3, want);
    ck_assert_int_eq(sc_record_path_exists(p1), 1);

    /* The recorder refuses a file with contents, and leaves it untouched. */
    char keep[512];
    snprintf(keep, sizeof keep, "%s/precious.mkv", dir);
    FILE *f = fopen(keep, "w");
    fputs("do not touch", f);
    fclose(f);
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = keep, .w = 64, .h = 48};
    ck_assert_int_eq(sc_recorder_init(&rec, &o, &err), SC_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
    struct stat sb;
    ck_assert_int_eq(stat(keep, &sb), 0);
    ck_assert_int_eq(sb.st_size, 12);

    /* A reserved (empty) name is taken over. */
    char fresh[512];
    ck_assert_int_eq(sc_record_path_new(dir, "mkv", fresh, sizeof fresh, &err), SC_OK);
    o.path = fresh;
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(sc_recorder_free(&rec, NULL), SC_OK);
    ck_assert_int_eq(stat(fresh, &sb), 0);
    ck_assert_int_gt(sb.st_size, 0);

    /* A folder that does not exist: a sentence, no crash. */
    char nodir[600];
    snprintf(nodir, sizeof nodir, "%s/missing/clip.mkv", dir);
    o.path = nodir;
    ck_assert_int_eq(sc_recorder_init(&rec, &o, &err), SC_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, nodir));
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_dir_default)
{
    char dir[256], buf[600], want[600];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    struct sc_error err;
    snprintf(want, sizeof want, "%s/a/b/c", dir);
    ck_assert_int_eq(sc_record_dir_default(buf, sizeof buf, want, "/nonexistent-xdg",
                                           dir, &err), SC_OK);
    ck_assert_str_eq(buf, want);
    struct stat sb;
    ck_assert_int_eq(stat(want, &sb), 0);
    snprintf(want, sizeof want, "%s/xdg", dir);
    ck_assert_int_eq(sc_record_dir_default(buf, sizeof buf, NULL, want, dir, &err), SC_OK);
    ck_assert_str_eq(buf, want);
    snprintf(want, sizeof want, "%s/Videos", dir);
    ck_assert_int_eq(sc_record_dir_default(buf, sizeof buf, "", "", dir, &err), SC_OK);
    ck_assert_str_eq(buf, want);
    ck_assert_int_eq(stat(want, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));
    ck_assert_int_eq(sc_record_dir_default(buf, sizeof buf, NULL, NULL, NULL, &err),
                     SC_ERR_NOT_FOUND);
    ck_assert_int_gt(strlen(err.msg), 10);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_snapshot)
{
    char dir[256], p1[512], p2[512];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    enum { W = 37, H = 23 };
    uint8_t rgb[W * H * 3];
    rt_paint(rgb, W, H, 4);
    struct sc_frame f = {.rgb = rgb, .w = W, .h = H};
    struct sc_error err;
    ck_assert_msg(sc_snapshot_save(dir, &f, p1, sizeof p1, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_snapshot_save(dir, &f, p2, sizeof p2, &err) == SC_OK, "%s", err.msg);
    ck_assert_str_ne(p1, p2);
    ck_assert_ptr_nonnull(strstr(p1, "/stylecam-"));
    ck_assert_ptr_nonnull(strstr(p1, ".png"));
    int w, h, c;
    uint8_t *back = stbi_load(p1, &w, &h, &c, 3);
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(w, W);
    ck_assert_int_eq(h, H);
    ck_assert_int_eq(memcmp(back, rgb, sizeof rgb), 0);
    stbi_image_free(back);
    sc_test_rmtree(dir);
}
END_TEST

/* Starts record_child writing path (extra: NULL or "hold"); returns its pid
 * and its stdout, read until the capture time of its first frame. */
static pid_t start_child(const char *path, int max, const char *extra, FILE **pipe_out,
                         int64_t *start_us)
{
    const char *bin = sc_test_arg(1) ? sc_test_arg(1) : "./record_child";
    char maxs[16];
    snprintf(maxs, sizeof maxs, "%d", max);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(bin, bin, path, "320", "240", maxs, extra, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    *pipe_out = fdopen(fds[0], "r");
    long long s = 0;
    ck_assert_msg(fscanf(*pipe_out, "start %lld ", &s) == 1, "record_child did not start");
    *start_us = s;
    return pid;
}

/* Reads the child's lines until one starts with word; returns it (static). */
static const char *child_line(FILE *p, const char *word)
{
    static char line[256];
    while (fgets(line, sizeof line, p))
        if (strncmp(line, word, strlen(word)) == 0)
            return line;
    ck_abort_msg("record_child ended without a '%s' line", word);
    return NULL;
}

/* SIGKILL once the encoder has taken all 90 frames (3 s) of a recording:
 * the file must decode cleanly and hold all but the cluster or fragment
 * still in memory (cut every 0.5 s) and the encoder's few frames of delay;
 * never more than was pushed. */
static void check_killed(const char *name)
{
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, name);
    FILE *p;
    int64_t start;
    pid_t pid = start_child(path, 90, "hold", &p, &start);
    int n = 0;
    long long first = 0, last = 0;
    ck_assert_int_eq(sscanf(child_line(p, "held"), "held %d %lld %lld", &n, &first, &last), 3);
    kill(pid, SIGKILL);
    int ws;
    waitpid(pid, &ws, 0);
    fclose(p);
    ck_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    ck_assert_int_eq(n, 90);
    double pushed = (last - first) / 1e6;

    ck_assert_msg(rt_decode_clean(path, out, sizeof out) == 0, "ffmpeg on the killed "
                  "%s: %s", name, out);
    struct rt_probe pr;
    ck_assert_int_eq(rt_probe(path, &pr), 0);
    ck_assert_str_eq(pr.codec, "h264");
    ck_assert_int_gt(pr.frames, 0);
    fprintf(stderr, "%s killed holding %.3f s of frames: the file holds %.3f s, %ld frames\n",
            name, pushed, pr.last_end, pr.frames);
    ck_assert_msg(pr.last_end >= pushed - 1.0 && pr.last_end <= pushed + 0.1,
                  "%.3f s of frames pushed, the killed file holds %.3f s", pushed, pr.last_end);
    ck_assert_int_le(pr.frames, n);
    sc_test_rmtree(dir);
}

START_TEST(test_sigkill_mkv)
{
    check_killed("killed.mkv");
}
END_TEST

START_TEST(test_sigkill_mp4)
{
    check_killed("killed.mp4");
}
END_TEST

/* SIGTERM once 45 frames were pushed: a clean stop, every frame pushed
 * either written or counted as dropped, and the file says the same. */
START_TEST(test_sigterm_mp4)
{
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, "term.mp4");
    FILE *p;
    int64_t start;
    pid_t pid = start_child(path, 100000, NULL, &p, &start);
    int pushed = 0;
    while (pushed < 45)
        ck_assert_int_eq(sscanf(child_line(p, "pushed"), "pushed %d", &pushed), 1);
    kill(pid, SIGTERM);
    unsigned long long written = 0, dropped = 0;
    double dur = 0;
    ck_assert_int_eq(sscanf(child_line(p, "written"), "written %llu %lf dropped %llu pushed %d",
                            &written, &dur, &dropped, &pushed), 4);
    int ws;
    waitpid(pid, &ws, 0);
    fclose(p);
    ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    ck_assert_int_ge(pushed, 45);
    ck_assert_uint_eq(written + dropped, (unsigned long long)pushed);
    ck_assert_uint_gt(written, 0);
    struct rt_probe pr;
    ck_assert_int_eq(rt_probe(path, &pr), 0);
    ck_assert_str_eq(pr.codec, "h264");
    ck_assert_int_eq(pr.frames, (long)written);
    /* Fragmented MP4 stores no total frame count (nb_frames N/A); the
     * frames are all there (counted above) and the duration is known. */
    ck_assert(pr.nb_frames == -1 || pr.nb_frames == (long)written);
    ck_assert_msg(fabs(pr.duration - dur) < 0.05, "ffprobe %.3f s, recorder %.3f s",
                  pr.duration, dur);
    ck_assert_msg(rt_decode_clean(path, out, sizeof out) == 0, "ffmpeg: %s", out);
    sc_test_rmtree(dir);
}
END_TEST

/* Noise-like frames: big packets, so a small disk fills within a second. */
static void paint_noise(uint8_t *rgb, size_t n, unsigned *seed)
{
    for (size_t i = 0; i < n; i++)
        rgb[i] = (uint8_t)(rand_r(seed) >> 7);
}

/* A disk that fills after 1.5 MB: a real small tmpfs when mounting is
 * allowed (want_mount), else a file size limit (write fails with EFBIG). */
static void disk_full(int want_mount, const char *name)
{
    char dir[256], mnt[300], path[400];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    snprintf(mnt, sizeof mnt, "%s/small", dir);
    ck_assert_int_eq(mkdir(mnt, 0755), 0);
    const long limit = 1500 * 1024;
    char opt[64];
    snprintf(opt, sizeof opt, "size=%ld", limit);
    /* In a mount namespace of this test's own (Check forks each test), so
     * the tmpfs goes away with the process even if an assertion fails. */
    int mounted = want_mount && unshare(CLONE_NEWNS) == 0 &&
                  mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                  mount("tmpfs", mnt, "tmpfs", 0, opt) == 0;
    struct rlimit old;
    getrlimit(RLIMIT_FSIZE, &old);
    if (!mounted) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {.rlim_cur = limit, .rlim_max = old.rlim_max};
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    }
    fprintf(stderr, "full disk made with %s%s\n", mounted ? "a 1.5 MB tmpfs" : "RLIMIT_FSIZE",
            want_mount && !mounted ? " (mounting a tmpfs was refused)" : "");
    snprintf(path, sizeof path, "%s/%s", mnt, name);

    enum { W = 320, H = 240 };
    uint8_t *rgb = malloc(W * H * 3);
    unsigned seed = 7;
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = W, .h = H, .fps = 30, .blocking = 1};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    struct sc_recorder_status st = {0};
    int i;
    for (i = 0; i < 1000; i++) {
        paint_noise(rgb, W * H * 3, &seed);
        struct sc_frame f = {.rgb = rgb, .w = W, .h = H, .pts_us = i * 33333};
        sc_recorder_push(rec, &f);
        sc_recorder_get_status(rec, &st);
        if (!st.recording)
            break;
    }
    ck_assert_msg(!st.recording, "1000 noise frames fit on a %ld-byte disk?", limit);
    ck_assert_ptr_nonnull(strstr(st.failure, "Recording stopped"));
    ck_assert_ptr_nonnull(strstr(st.failure, "was kept"));
    ck_assert(!mounted || strstr(st.failure, "is full"));
    for (int k = 0; k < 5; k++) { /* the live view goes on pushing: harmless */
        struct sc_frame f = {.rgb = rgb, .w = W, .h = H, .pts_us = (i + 1 + k) * 33333};
        sc_recorder_push(rec, &f);
    }
    struct sc_recorder_stats s;
    ck_assert_int_eq(sc_recorder_free(&rec, &s), SC_ERR_FULL);
    setrlimit(RLIMIT_FSIZE, &old);
    ck_assert_uint_ge(s.frames_ignored, 5);
    ck_assert_uint_gt(s.frames_written, 0);
    fprintf(stderr, "%s\n", st.failure);

    ck_assert_msg(rt_decode_clean(path, out, sizeof out) == 0, "ffmpeg: %s", out);
    struct rt_probe pr;
    ck_assert_int_eq(rt_probe(path, &pr), 0);
    ck_assert_int_eq(pr.frames, (long)s.frames_written);
    ck_assert_msg(fabs(pr.last_end - s.duration_s) < 0.05, "file %.3f s, kept %.3f s",
                  pr.last_end, s.duration_s);
    free(rgb);
    if (mounted)
        umount(mnt);
    sc_test_rmtree(dir);
}

START_TEST(test_disk_full_tmpfs)
{
    disk_full(1, "full.mkv");
}
END_TEST

START_TEST(test_disk_full_tmpfs_mp4)
{
    disk_full(1, "full.mp4");
}
END_TEST

START_TEST(test_disk_full_fsize)
{
    disk_full(0, "full.mkv");
}
END_TEST

START_TEST(test_video_source_batch)
{
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, "src.mkv");
    enum { W = 160, H = 120, N = 45 };
    struct sc_recorder_stats s;
    record_clip(path, W, H, N, &s);

    struct sc_source_request req = {.spec = path, .paced = 0};
    struct sc_source_info info;
    struct sc_error err;
    void *v = NULL;
    ck_assert_msg(sc_source_video.open(&v, &req, &info, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(info.w, W);
    ck_assert_int_eq(info.h, H);
    uint8_t *rgb = malloc(W * H * 3), *want = malloc(W * H * 3);
    struct sc_frame f = {.rgb = rgb};
    int n = 0;
    int64_t first = 0, t_orig = 0, t_file = 0;
    enum sc_status st;
    while ((st = sc_source_video.read(v, &f, 100, &err)) == SC_OK) {
        ck_assert_int_eq(f.w, W);
        ck_assert_int_eq(f.h, H);
        ck_assert_uint_eq(f.seq, (uint64_t)n);
        if (n == 0)
            first = f.pts_us;
        if (n > 0) { /* the file keeps capture times to the ms, strictly rising */
            t_orig += gap_ms(n) * 1000;
            int64_t q = (t_orig + 500) / 1000 * 1000;
            t_file = q > t_file ? q : t_file + 1000;
        }
        ck_assert_msg(f.pts_us - first == t_file, "frame %d at %lld us, "
                      "recorded at %lld", n, (long long)(f.pts_us - first), (long long)t_file);
        rt_paint(want, W, H, n);
        double diff = 0;
        for (int i = 0; i < W * H * 3; i++)
            diff += abs(rgb[i] - want[i]);
        ck_assert_msg(diff / (W * H * 3) < 20, "frame %d differs by %.1f on average", n,
                      diff / (W * H * 3));
        n++;
    }
    ck_assert_int_eq(st, SC_EOF);
    ck_assert_int_eq(n, N);
    ck_assert_int_eq(sc_source_video.read(v, &f, 100, &err), SC_EOF);
    sc_source_video.close(v);
    free(rgb);
    free(want);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_video_source_paced)
{
    char dir[256], path[512];
    sc_test_tmpfile(dir, sizeof dir, path, sizeof path, "paced.mkv");
    enum { W = 64, H = 48, N = 16 };
    uint8_t rgb[W * H * 3];
    struct sc_error err;
    struct sc_recorder *rec;
    struct sc_recorder_opts o = {.path = path, .w = W, .h = H, .blocking = 1};
    ck_assert_msg(sc_recorder_init(&rec, &o, &err) == SC_OK, "%s", err.msg);
    for (int i = 0; i < N; i++) { /* 15 gaps of 40 ms, then one of 300 ms */
        rt_paint(rgb, W, H, i);
        struct sc_frame f = {.rgb = rgb, .w = W, .h = H,
                             .pts_us = i * 40000 + (i == N - 1 ? 260000 : 0)};
        sc_recorder_push(rec, &f);
    }
    ck_assert_int_eq(sc_recorder_free(&rec, NULL), SC_OK);

    /* Paced: each frame comes at its time on the monotonic clock (its pts),
     * checked as cause and effect rather than by a stopwatch: never before
     * its time; never held back by a read that began once it was due (which
     * a stall after frame 3 makes true of frames 4 to 7, read without
     * waiting: pacing by absolute deadlines, no drift); the pts keep the
     * file's gaps. */
    struct sc_source_request req = {.spec = path, .paced = 1};
    struct sc_source_info info;
    void *v = NULL;
    ck_assert_msg(sc_source_video.open(&v, &req, &info, &err) == SC_OK, "%s", err.msg);
    struct sc_frame f = {.rgb = rgb};
    int n = 0, again = 0, stalled = 0;
    int64_t pts0 = 0, held_back_at = -1;   /* start of the last read that said AGAIN */
    enum sc_status st;
    for (;;) {
        if (n == 4 && !stalled++)
            sc_test_sleep_ms(200);
        int timeout = n >= 4 && n <= 7 ? 0 : 10;
        int64_t before = sc_test_now_us();
        st = sc_source_video.read(v, &f, timeout, &err);
        int64_t after = sc_test_now_us();
        if (st == SC_EOF)
            break;
        if (st == SC_AGAIN) {
            again++;
            held_back_at = before;
            continue;
        }
        ck_assert_msg(st == SC_OK, "%s", err.msg);
        if (n == 0)
            pts0 = f.pts_us;
        int64_t due = (int64_t)(n < N - 1 ? n * 40000 : (N - 2) * 40000 + 300000);
        ck_assert_msg(llabs(f.pts_us - pts0 - due) <= 2500, "frame %d pts off", n);
        ck_assert_msg(f.pts_us <= after, "frame %d came %lld us before its time", n,
                      (long long)(f.pts_us - after));
        ck_assert_msg(held_back_at < f.pts_us, "frame %d was held back by a read that began "
                      "%lld us after its time", n, (long long)(held_back_at - f.pts_us));
        held_back_at = -1;
        n++;
    }
    ck_assert_int_eq(n, N);
    /* The reads wait at most 10 ms and the frames come 40 and 300 ms apart. */
    ck_assert_int_ge(again, 1);
    sc_source_video.close(v);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_video_source_errors)
{
    char dir[256], path[512];
    ck_assert_int_eq(sc_test_tmpdir(dir, sizeof dir), 0);
    struct sc_source_request req = {.spec = path};
    struct sc_source_info info;
    struct sc_error err;
    void *v = NULL;
    snprintf(path, sizeof path, "%s/missing.mkv", dir);
    ck_assert_int_eq(sc_source_video.open(&v, &req, &info, &err), SC_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    snprintf(path, sizeof path, "%s/notes.mkv", dir);
    FILE *f = fopen(path, "w");
    fputs("these are not video frames, just some text in a file\n", f);
    fclose(f);
    ck_assert_int_eq(sc_source_video.open(&v, &req, &info, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    /* A picture is readable by FFmpeg but one frame long: fine, then EOF. */
    uint8_t rgb[8 * 8 * 3] = {0};
    struct sc_frame fr = {.rgb = rgb, .w = 8, .h = 8};
    char png[512];
    ck_assert_int_eq(sc_snapshot_save(dir, &fr, png, sizeof png, &err), SC_OK);
    req.spec = png;
    ck_assert_msg(sc_source_video.open(&v, &req, &info, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(sc_source_video.read(v, &fr, 100, &err), SC_OK);
    ck_assert_int_eq(sc_source_video.read(v, &fr, 100, &err), SC_EOF);
    sc_source_video.close(v);
    sc_test_rmtree(dir);
}
END_TEST

static const struct sc_test_opts opts = {.name = "record", .flags = SC_TEST_FORK, .timeout_s = 120};
SC_TEST_MAIN(&opts, test_mkv_irregular, test_mp4_irregular, test_fallback_encoder,
             test_odd_size_and_drops, test_no_overwrite, test_dir_default, test_snapshot,
             test_disk_full_tmpfs, test_disk_full_tmpfs_mp4, test_disk_full_fsize,
             test_video_source_batch, test_video_source_paced, test_video_source_errors,
             test_sigkill_mkv, test_sigkill_mp4, test_sigterm_mp4)

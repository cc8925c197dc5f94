#include "tests/util/sc_test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int n_args;
static char **args;

void sc_test_set_args(int argc, char **argv)
{
    n_args = argc;
    args = argv;
}

const char *sc_test_arg(int i)
{
    return i >= 0 && i < n_args ? args[i] : NULL;
}

/* Is name in the comma-separated list? */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (end != NULL);
    }
    return 0;
}

int sc_test_main(const struct sc_test_opts *o, const TTest *const *tests)
{
    const char *only = getenv("SC_TEST");
    if (only && !*only)
        only = NULL;
    Suite *s = suite_create(o->name);
    TCase *tc = tcase_create(o->name);
    tcase_set_timeout(tc, o->timeout_s > 0 ? o->timeout_s : 300);
    if (o->setup || o->teardown)
        tcase_add_checked_fixture(tc, o->setup, o->teardown);
    if (o->setup_once || o->teardown_once)
        tcase_add_unchecked_fixture(tc, o->setup_once, o->teardown_once);
    int added = 0;
    for (const TTest *const *t = tests; *t; t++)
        if (!only || listed(only, (*t)->name)) {
            tcase_add_test(tc, *t);
            added++;
        }
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    if (!added) {
        fprintf(stderr, "%s: SC_TEST=%s names none of its tests:", o->name, only);
        for (const TTest *const *t = tests; *t; t++)
            fprintf(stderr, " %s", (*t)->name);
        fprintf(stderr, "\n");
        srunner_free(sr);
        return 1;
    }
    if (getenv("CK_FORK"))
        srunner_set_fork_status(sr, CK_FORK_GETENV);
    else
        srunner_set_fork_status(sr, o->flags & SC_TEST_FORK ? CK_FORK : CK_NOFORK);
    srunner_run_all(sr, CK_ENV);
    int ran = srunner_ntests_run(sr), failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (ran == 0) {
        fprintf(stderr, "%s: no test ran (CK_RUN_CASE or CK_RUN_SUITE excludes them all?)\n",
                o->name);
        return 1;
    }
    return failed ? 1 : 0;
}

const char *sc_test_shared(void)
{
    const char *s = getenv("STYLECAM_SHARED");
    return s && *s ? s : "../shared";
}

const char *sc_test_shared_path(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", sc_test_shared(), rel);
    return buf;
}

#define TMP_NAME "sc-test-"

int sc_test_tmpdir(char *buf, size_t n)
{
    const char *t = getenv("TMPDIR");
    int len = snprintf(buf, n, "%s/" TMP_NAME "XXXXXX", t && *t ? t : "/tmp");
    if (len < 0 || (size_t)len >= n || !mkdtemp(buf)) {
        if (n)
            buf[0] = '\0';
        return -1;
    }
    return 0;
}

void sc_test_tmpfile(char *dir, size_t dn, char *path, size_t pn, const char *name)
{
    ck_assert_msg(sc_test_tmpdir(dir, dn) == 0, "cannot make a scratch folder: %s",
                  strerror(errno));
    int len = snprintf(path, pn, "%s/%s", dir, name);
    ck_assert_msg(len > 0 && (size_t)len < pn, "%s/%s is too long", dir, name);
}

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "could not remove %s: %s\n", path, strerror(errno));
    return 0;
}

void sc_test_rmtree(const char *dir)
{
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    if (strncmp(base, TMP_NAME, strlen(TMP_NAME)) != 0)
        return;
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

float *sc_test_read_floats(const char *path, size_t *n)
{
    size_t len = 0, k = 0;
    char *b = sc_test_read_file(path, &len);
    size_t pl = strlen(path);
    if (!b || pl < 4 || strcmp(path + pl - 4, ".txt") != 0) {
        *n = len / sizeof(float);
        return (float *)b;
    }
    float *v = malloc((len / 2 + 1) * sizeof *v);   /* a value takes 2+ chars */
    char *p = b, *end;
    while (v) {
        float x = strtof(p, &end);
        if (end == p)
            break;
        v[k++] = x;
        p = end;
    }
    while (v && *p && strchr(" \t\r\n", *p))
        p++;
    if (v && *p) {   /* something that is not a number */
        free(v);
        v = NULL;
    }
    free(b);
    *n = k;
    return v;
}

char *sc_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, used = 0, r;
    char *buf = malloc(cap + 1);
    while (buf && (r = fread(buf + used, 1, cap - used, f)) > 0) {
        used += r;
        if (used == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
}

int sc_test_write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int bad = fwrite(data, 1, n, f) != n;
    return fclose(f) != 0 || bad ? -1 : 0;
}

/* Reads all of fd into buf (NUL-terminated, truncated to n-1), drops the rest. */
static void drain(int fd, char *buf, size_t n)
{
    size_t used = 0;
    ssize_t r;
    char tmp[4096];
    lseek(fd, 0, SEEK_SET);
    while ((r = read(fd, tmp, sizeof tmp)) > 0) {
        size_t k = (size_t)r;
        if (buf && used + 1 < n) {
            size_t c = k < n - 1 - used ? k : n - 1 - used;
            memcpy(buf + used, tmp, c);
            used += c;
        }
    }
    if (buf && n)
        buf[used] = '\0';
}

int sc_test_spawn(char *const argv[], char *out, size_t outlen, char *err, size_t errlen)
{
    /* Files, not pipes: a chatty child never blocks on a full pipe. */
    FILE *o = tmpfile(), *e = tmpfile();
    if (!o || !e) {
        if (o)
            fclose(o);
        if (e)
            fclose(e);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fileno(o), 1);
        dup2(fileno(e), 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    drain(fileno(o), out, outlen);
    drain(fileno(e), err, errlen);
    fclose(o);
    fclose(e);
    if (pid < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int sc_test_sh(const char *cmd, char *out, size_t n)
{
    size_t len = strlen(cmd) + 8;
    char *full = malloc(len);
    if (!full)
        return -1;
    snprintf(full, len, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    if (!p)
        return -1;
    size_t got = fread(out, 1, n - 1, p);
    out[got] = '\0';
    char rest[4096];
    while (fread(rest, 1, sizeof rest, p) > 0)   /* the child never blocks on us */
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int64_t sc_test_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sc_test_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int sc_test_wait(int (*done)(void *), void *arg, int poll_ms, int timeout_ms)
{
    int64_t end = sc_test_now_us() + (int64_t)timeout_ms * 1000;
    int v;
    while (!(v = done(arg)) && sc_test_now_us() < end)
        sc_test_sleep_ms(poll_ms);
    return v;
}

char sc_test_thread_state(int tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return 0;
    buf[r] = '\0';
    const char *p = strrchr(buf, ')');   /* the name may hold spaces and ')' */
    return p && p[1] == ' ' ? p[2] : 0;
}

int sc_test_gettid(void)
{
    return (int)syscall(SYS_gettid);
}

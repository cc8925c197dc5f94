/* The C tests' one helper library: the Check runner every test's main() is,
 * and what more than one test folder needs (the shared data, scratch
 * folders, files, child processes, waiting for an event). Helpers that only
 * one folder uses stay in that folder (tests/capture/cap_util.h,
 * tests/record/rec_util.h). */
#ifndef SC_TEST_H
#define SC_TEST_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the runner ---- */

enum {
    SC_TEST_FORK = 1,   /* each test in a child process of its own (Check's fork
                           mode: a crash fails one test, a test may unshare());
                           otherwise in this process (ASan and OpenCL stay sane) */
};

struct sc_test_opts {
    const char *name;             /* the suite */
    unsigned flags;               /* SC_TEST_FORK */
    int timeout_s;                /* Check's time-out for one test (fork mode); 0: 300.
                                     meson's time-out is the guard over the whole run */
    void (*setup)(void);          /* around each test */
    void (*teardown)(void);
    void (*setup_once)(void);     /* around all of them */
    void (*teardown_once)(void);
};

/* Runs the tests (a NULL-terminated list of START_TEST names) and returns
 * main's exit status: 0 when at least one test ran and every one passed,
 * 1 otherwise. SC_TEST=NAME[,NAME...] in the environment runs only those
 * tests, and a name that matches none is a failure (never a pass with
 * nothing run). CK_FORK=no|yes overrides the fork mode (TSan runs use no);
 * CK_VERBOSITY=verbose lists every test. */
int sc_test_main(const struct sc_test_opts *opts, const TTest *const *tests);

/* A test program's main(): opts is a pointer to its struct sc_test_opts,
 * then its tests. */
#define SC_TEST_MAIN(opts, ...)                                              \
    int main(int argc, char **argv)                                           \
    {                                                                         \
        const TTest *sc_tests_[] = {__VA_ARGS__, NULL};                       \
        sc_test_set_args(argc, argv);                                         \
        return sc_test_main(opts, sc_tests_);                                 \
    }

void sc_test_set_args(int argc, char **argv);

/* The test program's argv[i] (meson's args:), or NULL. */
const char *sc_test_arg(int i);

/* ---- data and files ---- */

/* ../shared as the build passes it (STYLECAM_SHARED). */
const char *sc_test_shared(void);

/* STYLECAM_SHARED/rel in buf; returns buf. */
const char *sc_test_shared_path(char *buf, size_t n, const char *rel);

/* A fresh folder ${TMPDIR:-/tmp}/sc-test-XXXXXX in buf; 0 on success. */
int sc_test_tmpdir(char *buf, size_t n);

/* A fresh folder as sc_test_tmpdir makes (in dir) and path = dir/name;
 * fails the test when it cannot. */
void sc_test_tmpfile(char *dir, size_t dn, char *path, size_t pn, const char *name);

/* Removes a folder made by sc_test_tmpdir with everything in it (nothing
 * else: a path not named sc-test-* is left alone). */
void sc_test_rmtree(const char *dir);

/* The whole file in a malloc'd buffer with a NUL after it; *len (may be
 * NULL) its size. NULL when it cannot be read. */
char *sc_test_read_file(const char *path, size_t *len);

/* Floats from path: raw little-endian float32, or text (one value a line,
 * as "%.9g", which round-trips exactly) when the name ends in ".txt".
 * Malloc'd; *n their count; NULL when unreadable or malformed. */
float *sc_test_read_floats(const char *path, size_t *n);

/* Writes n bytes to path (created or truncated); 0 on success. */
int sc_test_write_file(const char *path, const void *data, size_t n);

/* ---- child processes ---- */

/* Runs argv (no shell), waits, captures stdout into out and stderr into
 * err (NUL-terminated; either buffer may be NULL); returns the exit status,
 * 128+signal when killed, -1 when it could not start. */
int sc_test_spawn(char *const argv[], char *out, size_t outlen, char *err, size_t errlen);

/* Runs a shell command with stderr joined to stdout, captured into out;
 * returns its exit status (-1 when it could not run or was killed). */
int sc_test_sh(const char *cmd, char *out, size_t n);

/* ---- time and waiting ---- */

/* CLOCK_MONOTONIC in microseconds (the clock of every frame's pts_us). */
int64_t sc_test_now_us(void);

void sc_test_sleep_ms(int ms);

/* How long to wait for an event before calling it lost: generous, for a
 * loaded 2-core machine under sanitizers; a last guard against a hang, never
 * a measure of speed. */
#define SC_TEST_PATIENCE_MS 60000

/* Calls done(arg) every poll_ms until it returns non-zero or timeout_ms
 * passed; returns its last value (0: the event never came). */
int sc_test_wait(int (*done)(void *), void *arg, int poll_ms, int timeout_ms);

/* The state letter of this process's thread tid in /proc (R, S, D...), or 0. */
char sc_test_thread_state(int tid);

/* This thread's id, for sc_test_thread_state. */
int sc_test_gettid(void);

#endif

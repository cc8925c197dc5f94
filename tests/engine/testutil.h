/* Small helpers shared by the C tests. */
#ifndef SC_TESTUTIL_H
#define SC_TESTUTIL_H

#include <check.h>

/* ../shared as the build passes it (STYLECAM_SHARED). */
const char *sc_test_shared(void);

/* Runs a suite in this process (no fork: ASan and OpenCL stay sane) and
 * returns the exit code. */
int sc_test_run(Suite *s);

/* Runs argv, waits, captures stderr (and stdout) into buf; returns the exit
 * status (128+signal if killed). */
int sc_test_spawn(char *const argv[], char *out, size_t outlen, char *errbuf,
                  size_t errlen);

/* A fresh temporary directory (mkdtemp) and its removal. */
void sc_test_tmpdir(char *buf, size_t n);
void sc_test_rmtree(const char *dir);

#endif

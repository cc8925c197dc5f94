#include "tests/engine/testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *sc_test_shared(void)
{
    const char *s = getenv("STYLECAM_SHARED");
    return s ? s : "../shared";
}

int sc_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

static void drain(int fd, char *buf, size_t n)
{
    size_t used = 0;
    ssize_t r;
    char tmp[4096];
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

int sc_test_spawn(char *const argv[], char *out, size_t outlen, char *errbuf,
                  size_t errlen)
{
    char opath[] = "/tmp/sc-test-outXXXXXX", epath[] = "/tmp/sc-test-errXXXXXX";
    int ofd = mkstemp(opath), efd = mkstemp(epath);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    lseek(ofd, 0, SEEK_SET);
    lseek(efd, 0, SEEK_SET);
    drain(ofd, out, outlen);
    drain(efd, errbuf, errlen);
    close(ofd);
    close(efd);
    unlink(opath);
    unlink(epath);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void sc_test_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/sc-test-XXXXXX");
    if (!mkdtemp(buf))
        buf[0] = '\0';
}

void sc_test_rmtree(const char *dir)
{
    if (!dir[0] || strncmp(dir, "/tmp/sc-test-", 13) != 0)
        return;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

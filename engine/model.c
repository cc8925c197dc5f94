#include "engine/model.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/arch.h"
#include "engine/manifest_priv.h"
#include "engine/ml5_priv.h"
#include "engine/netfile_priv.h"

#include <json-c/json.h>

struct sc_model {
    char name[128];
    float *var[SC_NET_VARS];   /* ml5: sc_arch_var_count(id) floats each */
    struct sc_net *net;        /* or a description read from the folder */
};

enum sc_status sc_model_alloc(const char *name, struct sc_model **out,
                              struct sc_error *err)
{
    struct sc_model *m = calloc(1, sizeof *m);
    if (!m)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading style '%s'.", name);
    snprintf(m->name, sizeof m->name, "%s", name);
    for (int id = 0; id < SC_NET_VARS; id++) {
        m->var[id] = calloc((size_t)sc_arch_var_count(id), sizeof(float));
        if (!m->var[id]) {
            sc_model_free(&m);
            return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading style '%s'.", name);
        }
    }
    *out = m;
    return SC_OK;
}

void sc_model_free(struct sc_model **mp)
{
    struct sc_model *m = *mp;
    *mp = NULL;
    if (!m)
        return;
    for (int id = 0; id < SC_NET_VARS; id++)
        free(m->var[id]);
    sc_net_free(&m->net);
    free(m);
}

const char *sc_model_name(const struct sc_model *m) { return m->name; }

enum sc_status sc_model_net(const struct sc_model *m, struct sc_net **out,
                            struct sc_error *err)
{
    return m->net ? sc_net_copy(m->net, out, err) : sc_ml5_net(m, out, err);
}
const float *sc_model_var(const struct sc_model *m, int id) { return m->var[id]; }
float *sc_model_var_mut(struct sc_model *m, int id) { return m->var[id]; }

/* Reads a whole small file (at most max bytes) into a NUL-terminated buffer. */
static enum sc_status slurp(const char *path, size_t max, char **buf, size_t *len,
                            struct sc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sc_error_set(err, errno == ENOENT ? SC_ERR_NOT_FOUND : SC_ERR_IO,
                            "Cannot open %s (%s); %s.", path, strerror(errno),
                            errno == ENOENT ? "this folder is not a style (download "
                            "the style again)" : "check the file's permissions");
    char *b = malloc(max + 1);
    size_t n = b ? fread(b, 1, max + 1, f) : 0;
    int bad = !b || ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return sc_error_set(err, b ? SC_ERR_IO : SC_ERR_NOMEM, "Cannot read %s.", path);
    }
    if (n > max) {
        free(b);
        return sc_error_set(err, SC_ERR_FORMAT, "%s is larger than %zu bytes, too large "
                            "for a style manifest; download the style again.", path, max);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return SC_OK;
}

static int inside(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    return strncmp(dir, path, n) == 0 && path[n] == '/';
}

static enum sc_status check_finite(const float *v, long n, const char *path,
                                   struct sc_error *err)
{
    for (long i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return sc_error_set(err, SC_ERR_FORMAT, "%s holds a %s value at element "
                                "%ld; the style is damaged (download it again).", path,
                                isnan(v[i]) ? "NaN" : "infinite", i);
    return SC_OK;
}

/* Reads one variable file: inside the folder, a regular file, exact size. */
static enum sc_status read_var(const char *dir, const char *file, int id,
                               float *dst, struct sc_error *err)
{
    char path[PATH_MAX + 512], real[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (!realpath(path, real))
        return sc_error_set(err, SC_ERR_IO, "Cannot open %s (%s); download the style "
                            "again.", path, strerror(errno));
    if (!inside(dir, real))
        return sc_error_set(err, SC_ERR_FORMAT, "%s points outside the style's folder "
                            "(to %s); only files inside the folder are allowed.", path, real);
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return sc_error_set(err, SC_ERR_IO, "Cannot read %s (%s); download the style "
                            "again.", path, fd >= 0 && e == 0 ? "not a regular file" : strerror(e));
    }
    long want = sc_arch_var_count(id) * (long)sizeof(float);
    if (sb.st_size != want) {
        close(fd);
        return sc_error_set(err, SC_ERR_FORMAT, "%s is %lld bytes but its shape needs "
                            "exactly %ld (the file is %s); download the style again.",
                            path, (long long)sb.st_size, want,
                            sb.st_size < want ? "truncated" : "too long");
    }
    ssize_t got = 0;
    while (got < want) {
        ssize_t r = read(fd, (char *)dst + got, (size_t)(want - got));
        if (r <= 0) {
            int e = errno;
            close(fd);
            return sc_error_set(err, SC_ERR_IO, "Cannot read %s (%s).", path,
                                r == 0 ? "unexpected end of file" : strerror(e));
        }
        got += r;
    }
    close(fd);
    /* The format is little-endian; x86 and arm64 Linux are too. */
    _Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "big-endian host");
    return check_finite(dst, want / 4, path, err);
}

static const char *base_name(const char *dir)
{
    const char *s = strrchr(dir, '/');
    return s ? s + 1 : dir;
}

static enum sc_status load_net(const char *real, const char *mpath, struct json_object *root,
                               struct sc_model **out, struct sc_error *err)
{
    struct sc_model *m = calloc(1, sizeof *m);
    if (!m)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory reading %s.", mpath);
    snprintf(m->name, sizeof m->name, "%s", base_name(real));
    enum sc_status st = sc_netfile_read(root, real, mpath, m->name, &m->net, err);
    if (st) {
        free(m);
        return st;
    }
    *out = m;
    return SC_OK;
}

static enum sc_status load_ml5(const char *real, const char *mpath, struct json_object *root,
                               struct sc_model **out, struct sc_error *err)
{
    struct sc_manifest *man = malloc(sizeof *man);
    if (!man)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory reading %s.", mpath);
    enum sc_status st = sc_manifest_from_json(root, mpath, man, err);
    struct sc_model *m = NULL;
    if (!st)
        st = sc_model_alloc(base_name(real), &m, err);
    for (int id = 0; !st && id < SC_NET_VARS; id++)
        st = read_var(real, man->var[id].filename, id, m->var[id], err);
    free(man);
    if (st) {
        sc_model_free(&m);
        return st;
    }
    *out = m;
    return SC_OK;
}

enum sc_status sc_model_load(const char *dir, struct sc_model **out,
                             struct sc_error *err)
{
    char real[PATH_MAX], mpath[PATH_MAX + 16];
    struct stat sb;
    if (!realpath(dir, real) || stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return sc_error_set(err, SC_ERR_NOT_FOUND, "The style folder %s %s; check the "
                            "path or download the styles with 'stylecam download'.", dir,
                            errno == ENOENT || errno == 0 ? "does not exist" : "cannot be opened");
    snprintf(mpath, sizeof mpath, "%s/manifest.json", real);
    char *text = NULL;
    size_t len = 0;
    enum sc_status st = slurp(mpath, SC_MANIFEST_MAX_BYTES, &text, &len, err);
    if (st)
        return st;
    struct json_object *root = NULL;
    st = sc_json_parse(text, len, mpath, "style manifest", &root, err);
    free(text);
    if (!st && sc_netfile_is_net(root))
        st = load_net(real, mpath, root, out, err);
    else if (!st)
        st = load_ml5(real, mpath, root, out, err);
    json_object_put(root);
    return st;
}

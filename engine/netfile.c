#include "engine/netfile_priv.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SC_NETFILE_VERSION 1
#define MAX_WEIGHT_BYTES (2LL << 30)

static const char *const op_names[SC_OP_COUNT] = {
    "input", "conv", "deconv", "norm", "relu", "tanh", "sigmoid", "clip", "scale", "add",
    "pad", "upsample", "leaky_relu",
};

int sc_netfile_is_net(struct json_object *root)
{
    return json_object_object_get_ex(root, "stylecam", NULL);
}

/* ---- reading ---- */

struct reader {
    const char *path;
    const float *wts;
    long nwts;               /* floats in weights.bin */
    struct sc_error *err;
};

#define RBAD(r, ...) sc_error_set((r)->err, SC_ERR_FORMAT, __VA_ARGS__)

static enum sc_status read_weights(const char *dir, float **out, long *n, struct sc_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/weights.bin", dir);
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;
        if (f)
            fclose(f);
        return sc_error_set(err, SC_ERR_IO, "Cannot read %s (%s); import the style again.",
                            path, f ? "not a regular file" : strerror(e));
    }
    if (sb.st_size % 4 || sb.st_size > MAX_WEIGHT_BYTES) {
        fclose(f);
        return sc_error_set(err, SC_ERR_FORMAT, "%s is %lld bytes, not a whole number of "
                            "float32 values under 2 GiB; import the style again.", path,
                            (long long)sb.st_size);
    }
    *n = (long)(sb.st_size / 4);
    *out = malloc((size_t)sb.st_size + 4);
    size_t got = *out ? fread(*out, 4, (size_t)*n, f) : 0;
    fclose(f);
    if (!*out || got != (size_t)*n) {
        free(*out);
        *out = NULL;
        return sc_error_set(err, *out ? SC_ERR_IO : SC_ERR_NOMEM, "Cannot read %s.", path);
    }
    return SC_OK;
}

static int get_int(struct json_object *o, const char *key, int def, int *ok)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return def;
    int64_t x = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || x < -100000 || x > 100000)
        *ok = 0;
    return (int)x;
}

static float get_float(struct json_object *o, const char *key, float def, int *ok)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return def;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        *ok = 0;
    return (float)json_object_get_double(v);
}

/* Up to n integers of an array member into a[]; returns the count or -1. */
static int get_ints(struct json_object *o, const char *key, int *a, int n, int *ok)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_array) || (int)json_object_array_length(v) > n) {
        *ok = 0;
        return -1;
    }
    int k = (int)json_object_array_length(v);
    for (int i = 0; i < k; i++) {
        struct json_object *x = json_object_array_get_idx(v, (size_t)i);
        int64_t y = json_object_get_int64(x);
        if (!json_object_is_type(x, json_type_int) || y < -100000 || y > 100000)
            *ok = 0;
        a[i] = (int)y;
    }
    return k;
}

/* A tensor member: an offset into weights.bin holding count floats. */
static const float *tensor(struct reader *r, struct json_object *o, const char *key,
                           long count, int *ok)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    int64_t off = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || off < 0 || count < 0 ||
        off > r->nwts || count > r->nwts - off) {
        *ok = 0;
        return NULL;
    }
    return r->wts + off;
}

static enum sc_op op_of(const char *s)
{
    for (int i = 1; s && i < SC_OP_COUNT; i++)
        if (strcmp(s, op_names[i]) == 0)
            return (enum sc_op)i;
    return SC_OP_COUNT;
}

static long weight_count(const struct sc_net *n, const struct sc_net_layer *l, int c)
{
    if (l->op == SC_OP_CONV || l->op == SC_OP_DECONV)
        return (long)l->k * l->k * (c / (l->groups > 0 ? l->groups : 1)) * l->out;
    /* A conditional norm: a row of V weights and a bias per channel. */
    if (l->op == SC_OP_NORM && l->cond > 0 && l->cond <= 100000)
        return (long)c * (l->cond + 1);
    return c;
}

static enum sc_status read_layer(struct reader *r, struct sc_net *n, struct json_object *o,
                                 int idx)
{
    struct sc_net_layer l = {.in = {-1, -1}, .groups = 1, .stride = 1};
    int ok = json_object_is_type(o, json_type_object);
    struct json_object *v;
    const char *op = ok && json_object_object_get_ex(o, "op", &v) ? json_object_get_string(v)
                                                                  : NULL;
    l.op = op_of(op);
    if (ok && json_object_object_get_ex(o, "name", &v))
        snprintf(l.name, sizeof l.name, "%s", json_object_get_string(v));
    else
        snprintf(l.name, sizeof l.name, "%s%d", op ? op : "layer", idx);
    if (l.op == SC_OP_COUNT)
        return RBAD(r, "%s: layer %d has an unknown op '%.32s'; import the style again with "
                    "this version of stylecam.", r->path, idx, op ? op : "");
    if (get_ints(o, "in", l.in, 2, &ok) < 1 || l.in[0] < 0 || l.in[0] >= idx ||
        l.in[1] >= idx)
        return RBAD(r, "%s: layer %d ('%s') must read one or two earlier layers.", r->path,
                    idx, l.name);
    l.out = get_int(o, "out", 0, &ok);
    l.k = get_int(o, "kernel", 1, &ok);
    l.stride = get_int(o, "stride", l.op == SC_OP_UPSAMPLE ? 2 : 1, &ok);
    l.groups = get_int(o, "groups", 1, &ok);
    l.eps = get_float(o, "eps", 1e-5f, &ok);
    l.cond = get_int(o, "cond", 0, &ok);
    l.lo = get_float(o, l.op == SC_OP_LEAKY_RELU ? "alpha" : "min", 0, &ok);
    l.hi = get_float(o, "max", 0, &ok);
    if (json_object_object_get_ex(o, "pad", &v) && json_object_is_type(v, json_type_string))
        l.pad_mode = strcmp(json_object_get_string(v), "same_lower") == 0 ? SC_PAD_SAME_LOWER
                   : SC_PAD_SAME_UPPER;
    else
        get_ints(o, "pad", l.pad, 4, &ok);
    const char *mode = json_object_object_get_ex(o, "mode", &v) ? json_object_get_string(v) : "";
    l.border = !strcmp(mode, "reflect") ? 1 : !strcmp(mode, "edge") ? 2 : 0;
    int c = sc_net_channels(n, l.in[0]);
    long nw = weight_count(n, &l, c);
    int conv = l.op == SC_OP_CONV || l.op == SC_OP_DECONV;
    l.w = tensor(r, o, conv ? "weights" : "scale", nw, &ok);
    long nb = conv ? l.out : nw;
    l.b = tensor(r, o, conv ? "bias" : "shift", nb, &ok);
    l.nw = l.w ? nw : 0;
    l.nb = l.b ? nb : 0;
    if (!ok)
        return RBAD(r, "%s: layer %d ('%s') has a malformed or out-of-range field; import the "
                    "style again.", r->path, idx, l.name);
    return sc_net_add(n, &l, NULL, r->err);
}

enum sc_status sc_netfile_read(struct json_object *root, const char *dir, const char *path,
                               const char *name, struct sc_net **out, struct sc_error *err)
{
    struct reader r = {.path = path, .err = err};
    int ok = 1;
    struct json_object *layers, *v;
    if (get_int(root, "stylecam", 0, &ok) != SC_NETFILE_VERSION || !ok)
        return sc_error_set(err, SC_ERR_FORMAT, "%s is a network description of another "
                            "version; import the style again.", path);
    struct sc_net_io io = {0, 255, 255};
    if (json_object_object_get_ex(root, "channels", &v))
        io.bgr = strcmp(json_object_get_string(v), "bgr") == 0;
    io.in_range = get_float(root, "input_range", 255, &ok);
    io.out_range = get_float(root, "output_range", 255, &ok);
    int vec_len = get_int(root, "vector", 0, &ok);
    if (!ok || !(io.in_range == 1 || io.in_range == 255) ||
        !(io.out_range == 1 || io.out_range == 255) ||
        !json_object_object_get_ex(root, "layers", &layers) ||
        !json_object_is_type(layers, json_type_array))
        return sc_error_set(err, SC_ERR_FORMAT, "%s lacks its layers or gives ranges other "
                            "than 1 or 255; import the style again.", path);
    float *wts = NULL;
    enum sc_status st = read_weights(dir, &wts, &r.nwts, err);
    r.wts = wts;
    if (!st)
        st = sc_net_init(out, name, &io, err);
    if (!st)
        st = sc_net_set_vec_len(*out, vec_len, err);
    size_t nl = json_object_array_length(layers);
    for (size_t i = 0; !st && i < nl; i++)
        st = read_layer(&r, *out, json_object_array_get_idx(layers, i), (int)i + 1);
    if (!st && nl == 0)
        st = sc_error_set(err, SC_ERR_FORMAT, "%s has no layers; import the style again.",
                          path);
    free(wts);
    if (st)
        sc_net_free(out);
    return st;
}

/* ---- writing ---- */

static void add_int(struct json_object *o, const char *k, int v)
{
    json_object_object_add(o, k, json_object_new_int(v));
}

static void add_ints(struct json_object *o, const char *k, const int *v, int n)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_int(v[i]));
    json_object_object_add(o, k, a);
}

/* Appends a tensor to weights.bin and names its offset in o. */
static int put_tensor(FILE *wf, long *off, struct json_object *o, const char *k,
                      const float *v, long n)
{
    if (!v || n <= 0)
        return 0;
    add_int(o, k, (int)*off);
    *off += n;
    return fwrite(v, sizeof *v, (size_t)n, wf) == (size_t)n ? 0 : -1;
}

static struct json_object *layer_json(const struct sc_net_layer *l, FILE *wf, long *off,
                                      int *bad)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "op", json_object_new_string(op_names[l->op]));
    json_object_object_add(o, "name", json_object_new_string(l->name));
    add_ints(o, "in", l->in, l->in[1] >= 0 ? 2 : 1);
    int conv = l->op == SC_OP_CONV || l->op == SC_OP_DECONV;
    if (conv) {
        add_int(o, "out", l->out);
        add_int(o, "kernel", l->k);
        add_int(o, "stride", l->stride);
        if (l->groups > 1)
            add_int(o, "groups", l->groups);
    }
    if (l->op == SC_OP_UPSAMPLE)
        add_int(o, "stride", l->stride);
    if (conv && l->pad_mode != SC_PAD_EXPLICIT)
        json_object_object_add(o, "pad", json_object_new_string(
            l->pad_mode == SC_PAD_SAME_LOWER ? "same_lower" : "same_upper"));
    else if (conv || l->op == SC_OP_PAD)
        add_ints(o, "pad", l->pad, 4);
    if (l->op == SC_OP_PAD)
        json_object_object_add(o, "mode", json_object_new_string(
            l->border == 1 ? "reflect" : l->border == 2 ? "edge" : "zero"));
    if (l->op == SC_OP_NORM)
        json_object_object_add(o, "eps", json_object_new_double(l->eps));
    if (l->op == SC_OP_NORM && l->cond)
        add_int(o, "cond", l->cond);
    if (l->op == SC_OP_LEAKY_RELU)
        json_object_object_add(o, "alpha", json_object_new_double(l->lo));
    if (l->op == SC_OP_CLIP) {
        json_object_object_add(o, "min", json_object_new_double(l->lo));
        json_object_object_add(o, "max", json_object_new_double(l->hi));
    }
    *bad |= put_tensor(wf, off, o, conv ? "weights" : "scale", l->w, l->nw);
    *bad |= put_tensor(wf, off, o, conv ? "bias" : "shift", l->b, l->nb);
    return o;
}

enum sc_status sc_netfile_write(const struct sc_net *n, const char *dir, struct sc_error *err)
{
    char mpath[4200], wpath[4200];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    snprintf(wpath, sizeof wpath, "%s/weights.bin", dir);
    FILE *mf = fopen(mpath, "wb"), *wf = fopen(wpath, "wb");
    const struct sc_net_io *io = sc_net_io(n);
    int bad = !mf || !wf;
    long off = 0;
    if (!bad)
        fprintf(mf, "{\"stylecam\": %d, \"channels\": \"%s\", \"input_range\": %g, "
                "\"output_range\": %g,\n", SC_NETFILE_VERSION, io->bgr ? "bgr" : "rgb",
                io->in_range, io->out_range);
    if (!bad && sc_net_vec_len(n))
        fprintf(mf, " \"vector\": %d,\n", sc_net_vec_len(n));
    if (!bad)
        fprintf(mf, " \"layers\": [\n");
    for (int i = 1; !bad && i < sc_net_count(n); i++) {
        struct json_object *o = layer_json(sc_net_layer(n, i), wf, &off, &bad);
        fprintf(mf, "  %s%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED |
                JSON_C_TO_STRING_NOSLASHESCAPE), i + 1 < sc_net_count(n) ? "," : "");
        json_object_put(o);
    }
    if (!bad)
        fprintf(mf, " ]}\n");
    if (mf && (ferror(mf) | fclose(mf)))
        bad = 1;
    if (wf && (ferror(wf) | fclose(wf)))
        bad = 1;
    if (bad)
        return sc_error_set(err, SC_ERR_IO, "Cannot write the style into %s (%s); check the "
                            "folder's permissions and free space.", dir, strerror(errno));
    return SC_OK;
}

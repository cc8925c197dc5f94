/* The TFLite FlatBuffer reader (tflite_priv.h). A FlatBuffer is offsets into
 * one byte array: a table starts with a signed offset to its vtable, the
 * vtable lists each field's offset from the table. Every read goes through
 * rd(), which refuses to leave the file. */
#include "import/tflite_priv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SC_TFL_MAX_FILE ((size_t)512 << 20)

struct rd {
    const struct sc_tfl *m;
    int bad;                    /* set by any out-of-range read */
};

static uint32_t u32at(struct rd *r, size_t o)
{
    uint32_t v = 0;
    if (o > r->m->len || r->m->len - o < 4) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->m->file + o, 4);
    return v;
}

static uint16_t u16at(struct rd *r, size_t o)
{
    uint16_t v = 0;
    if (o > r->m->len || r->m->len - o < 2) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->m->file + o, 2);
    return v;
}

/* Position of field f of the table at t, or 0 when absent. */
static size_t field(struct rd *r, size_t t, int f)
{
    int32_t soff = (int32_t)u32at(r, t);
    long long vt = (long long)t - soff;
    if (r->bad || vt < 0 || (size_t)vt >= r->m->len) {
        r->bad = 1;
        return 0;
    }
    uint16_t vlen = u16at(r, (size_t)vt);
    if (4 + 2 * f + 2 > vlen)
        return 0;
    uint16_t off = u16at(r, (size_t)vt + 4 + 2 * (size_t)f);
    return off ? t + off : 0;
}

/* Follows the uoffset at p (a table, vector or string position). */
static size_t deref(struct rd *r, size_t p)
{
    uint32_t o = u32at(r, p);
    if (r->bad || (size_t)o > r->m->len - p) {
        r->bad = 1;
        return 0;
    }
    return p + o;
}

/* A vector field: its first element's position and count (0 when absent). */
static size_t vec(struct rd *r, size_t t, int f, size_t elem, uint32_t *n)
{
    *n = 0;
    size_t p = field(r, t, f);
    if (!p)
        return 0;
    size_t v = deref(r, p);
    uint32_t count = u32at(r, v);
    if (r->bad || count > (r->m->len - v - 4) / (elem ? elem : 1)) {
        r->bad = 1;
        return 0;
    }
    *n = count;
    return v + 4;
}

static long scalar(struct rd *r, size_t t, int f, int bytes, long def)
{
    size_t p = field(r, t, f);
    if (!p)
        return def;
    if (bytes == 1) {
        if (p >= r->m->len) {
            r->bad = 1;
            return def;
        }
        return (int8_t)r->m->file[p];
    }
    return (int32_t)u32at(r, p);
}

static void string(struct rd *r, size_t t, int f, char *dst, size_t cap)
{
    uint32_t n;
    size_t s = vec(r, t, f, 1, &n);
    size_t k = n < cap - 1 ? n : cap - 1;
    if (s && !r->bad)
        memcpy(dst, r->m->file + s, k);
    dst[s ? k : 0] = 0;
}

long sc_tfl_opt_int(const struct sc_tfl *m, const struct sc_tfl_op *op, int f, int bytes,
                    long def)
{
    struct rd r = {m, 0};
    if (!op->opts)
        return def;
    long v = scalar(&r, op->opts, f, bytes, def);
    return r.bad ? def : v;
}

float sc_tfl_half(uint16_t h)
{
    int e = (h >> 10) & 31, mant = h & 1023;
    float v = e == 0 ? ldexpf((float)mant, -24)
            : e == 31 ? (mant ? NAN : INFINITY) : ldexpf((float)(mant | 1024), e - 25);
    return h & 0x8000 ? -v : v;
}

long sc_tfl_count(const struct sc_tfl *m, int i)
{
    long n = 1;
    for (int d = 0; d < m->t[i].rank; d++)
        n *= m->t[i].shape[d];
    return n;
}

enum sc_status sc_tfl_floats(const struct sc_tfl *m, int i, float *dst, long count,
                             struct sc_error *err)
{
    const struct sc_tfl_tensor *t = &m->t[i];
    size_t es = t->type == SC_TFL_F32 ? 4 : t->type == SC_TFL_F16 ? 2 : 0;
    if (!es || !t->data || t->size != es * (size_t)count)
        return sc_error_set(err, SC_ERR_FORMAT, "%s: tensor '%s' should hold %ld float "
                            "values and does not; the file is damaged or not the expected "
                            "network.", m->path, t->name, count);
    for (long k = 0; k < count; k++) {
        if (es == 4) {
            memcpy(&dst[k], t->data + 4 * k, 4);
        } else {
            uint16_t h;
            memcpy(&h, t->data + 2 * k, 2);
            dst[k] = sc_tfl_half(h);
        }
    }
    return SC_OK;
}

static enum sc_status read_file(struct sc_tfl *m, const char *path, struct sc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sc_error_set(err, SC_ERR_IO, "Cannot open the network file %s: %s.", path,
                            strerror(errno));
    long len = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    if (len < 16 || (size_t)len > SC_TFL_MAX_FILE || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return sc_error_set(err, SC_ERR_FORMAT, "%s is not a TensorFlow Lite network "
                            "(%ld bytes); download it again.", path, len);
    }
    m->file = malloc((size_t)len);
    m->len = (size_t)len;
    size_t got = m->file ? fread(m->file, 1, m->len, f) : 0;
    fclose(f);
    if (!m->file)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory reading %s.", path);
    if (got != m->len)
        return sc_error_set(err, SC_ERR_IO, "Cannot read the network file %s.", path);
    return SC_OK;
}

static int read_tensor(struct rd *r, size_t t, size_t buffers, uint32_t nbuf,
                       struct sc_tfl_tensor *dst)
{
    uint32_t n;
    size_t sh = vec(r, t, 0, 4, &n);
    if (n > SC_TFL_MAX_RANK)
        return -1;
    dst->rank = (int)n;
    for (uint32_t d = 0; d < n; d++) {
        dst->shape[d] = (int32_t)u32at(r, sh + 4 * d);
        if (dst->shape[d] < 0 || dst->shape[d] > (1 << 24))
            return -1;
    }
    dst->type = (int)scalar(r, t, 1, 1, 0);
    string(r, t, 3, dst->name, sizeof dst->name);
    uint32_t b = (uint32_t)scalar(r, t, 2, 4, 0);
    if (b >= nbuf)
        return -1;
    size_t bt = deref(r, buffers + 4 * (size_t)b);
    size_t data = vec(r, bt, 0, 1, &n);
    if (data && n) {
        dst->data = r->m->file + data;
        dst->size = n;
    }
    size_t qp = field(r, t, 4);
    if (qp && !r->bad) {
        size_t q = deref(r, qp);
        uint32_t ns, nz;
        size_t sc = vec(r, q, 2, 4, &ns), zp = vec(r, q, 3, 8, &nz);
        if (ns && (nz != ns || ns > (1u << 16)))
            return -1;
        if (ns) {
            dst->scale = malloc(ns * sizeof *dst->scale);
            dst->zero_point = malloc(ns * sizeof *dst->zero_point);
            if (!dst->scale || !dst->zero_point)
                return -2;
            memcpy(dst->scale, r->m->file + sc, 4 * (size_t)ns);
            memcpy(dst->zero_point, r->m->file + zp, 8 * (size_t)ns);
            dst->nq = (int)ns;
            dst->qdim = (int)scalar(r, q, 6, 4, 0);
        }
    }
    return r->bad ? -1 : 0;
}

static int read_ints(struct rd *r, size_t t, int f, int *dst, int *count)
{
    uint32_t n;
    size_t v = vec(r, t, f, 4, &n);
    if (n > SC_TFL_MAX_IO)
        return -1;
    for (uint32_t k = 0; k < n; k++)
        dst[k] = (int32_t)u32at(r, v + 4 * k);
    *count = (int)n;
    return r->bad ? -1 : 0;
}

static int read_graph(struct sc_tfl *m, struct rd *r)
{
    size_t root = deref(r, 0);
    uint32_t ncodes, nsub, nbuf, nt, nop;
    size_t codes = vec(r, root, 1, 4, &ncodes), subs = vec(r, root, 2, 4, &nsub);
    size_t bufs = vec(r, root, 4, 4, &nbuf);
    if (r->bad || !nsub)
        return -1;
    size_t sg = deref(r, subs);
    size_t ts = vec(r, sg, 0, 4, &nt), ops = vec(r, sg, 3, 4, &nop);
    if (r->bad || nt > 100000 || nop > 100000)
        return -1;
    m->t = calloc(nt ? nt : 1, sizeof *m->t);
    m->op = calloc(nop ? nop : 1, sizeof *m->op);
    if (!m->t || !m->op)
        return -2;
    m->ntensors = (int)nt;
    m->nops = (int)nop;
    for (uint32_t i = 0; i < nt; i++) {
        int rc = read_tensor(r, deref(r, ts + 4 * i), bufs, nbuf, &m->t[i]);
        if (rc)
            return rc;
    }
    if (read_ints(r, sg, 1, m->in, &m->nin) || read_ints(r, sg, 2, m->out, &m->nout))
        return -1;
    for (uint32_t i = 0; i < nop; i++) {
        struct sc_tfl_op *o = &m->op[i];
        size_t ot = deref(r, ops + 4 * i);
        uint32_t ci = (uint32_t)scalar(r, ot, 0, 4, 0);
        if (ci >= ncodes)
            return -1;
        size_t ct = deref(r, codes + 4 * ci);
        long dep = scalar(r, ct, 0, 1, 0), code = scalar(r, ct, 3, 4, 0);
        o->code = (int)(code > dep ? code : dep);
        if (field(r, ct, 1))
            o->code = -1;
        size_t op = field(r, ot, 4);
        o->opts = op ? deref(r, op) : 0;
        if (read_ints(r, ot, 1, o->in, &o->nin) || read_ints(r, ot, 2, o->out, &o->nout))
            return -1;
        for (int k = 0; k < o->nin + o->nout; k++) {
            int v = k < o->nin ? o->in[k] : o->out[k - o->nin];
            if (v < -1 || v >= (int)nt)
                return -1;
        }
    }
    for (int k = 0; k < m->nin + m->nout; k++) {
        int v = k < m->nin ? m->in[k] : m->out[k - m->nin];
        if (v < 0 || v >= (int)nt)
            return -1;
    }
    return r->bad ? -1 : 0;
}

enum sc_status sc_tfl_load(const char *path, struct sc_tfl **out, struct sc_error *err)
{
    *out = NULL;
    struct sc_tfl *m = calloc(1, sizeof *m);
    if (!m)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory reading %s.", path);
    snprintf(m->path, sizeof m->path, "%s", path);
    enum sc_status st = read_file(m, path, err);
    if (!st && memcmp(m->file + 4, "TFL3", 4))
        st = sc_error_set(err, SC_ERR_FORMAT, "%s is not a TensorFlow Lite network (no "
                          "TFL3 mark); download it again.", path);
    if (!st) {
        struct rd r = {m, 0};
        int rc = read_graph(m, &r);
        if (rc == -2)
            st = sc_error_set(err, SC_ERR_NOMEM, "Out of memory reading %s.", path);
        else if (rc)
            st = sc_error_set(err, SC_ERR_FORMAT, "%s is damaged or truncated (an offset "
                              "or size leaves the file); download it again.", path);
    }
    if (st) {
        sc_tfl_free(&m);
        return st;
    }
    *out = m;
    return SC_OK;
}

void sc_tfl_free(struct sc_tfl **mp)
{
    struct sc_tfl *m = *mp;
    *mp = NULL;
    if (!m)
        return;
    for (int i = 0; i < m->ntensors; i++) {
        free(m->t[i].scale);
        free(m->t[i].zero_point);
    }
    free(m->t);
    free(m->op);
    free(m->file);
    free(m);
}

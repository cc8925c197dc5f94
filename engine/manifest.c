#include "engine/manifest_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

struct cursor {
    const char *p, *end, *start;
    const char *path;
    struct sc_error *err;
};

static enum sc_status bad(struct cursor *c, const char *what)
{
    return sc_error_set(c->err, SC_ERR_FORMAT,
                        "%s is not a valid style manifest: %s at byte %ld; "
                        "download the style again.", c->path, what,
                        (long)(c->p - c->start));
}

static void skip_ws(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int peek(struct cursor *c)
{
    skip_ws(c);
    return c->p < c->end ? (unsigned char)*c->p : -1;
}

static enum sc_status expect(struct cursor *c, char ch)
{
    if (peek(c) != ch) {
        char what[48];
        snprintf(what, sizeof what, "expected '%c'", ch);
        return bad(c, what);
    }
    c->p++;
    return SC_OK;
}

/* A JSON string into buf; escapes other than \" \\ \/ are rejected, since
 * file names and variable names never need them. */
static enum sc_status parse_string(struct cursor *c, char *buf, size_t cap)
{
    enum sc_status st = expect(c, '"');
    if (st)
        return st;
    size_t n = 0;
    while (c->p < c->end && *c->p != '"') {
        char ch = *c->p++;
        if ((unsigned char)ch < 0x20)
            return bad(c, "control character in a string");
        if (ch == '\\') {
            if (c->p >= c->end || !strchr("\"\\/", *c->p))
                return bad(c, "unsupported escape in a string");
            ch = *c->p++;
        }
        if (n + 1 >= cap)
            return bad(c, "string too long");
        buf[n++] = ch;
    }
    if (c->p >= c->end)
        return bad(c, "unterminated string");
    c->p++;
    buf[n] = '\0';
    return SC_OK;
}

static enum sc_status parse_int(struct cursor *c, long *out)
{
    skip_ws(c);
    long v = 0;
    const char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (v > 1000000)
            return bad(c, "number too large");
        v = v * 10 + (*c->p++ - '0');
    }
    if (c->p == s)
        return bad(c, "expected a non-negative integer");
    *out = v;
    return SC_OK;
}

static enum sc_status skip_value(struct cursor *c, int depth);

/* Calls fn for each member of a JSON object, the cursor on its value. */
typedef enum sc_status (*member_fn)(struct cursor *c, const char *key, void *ctx);

static enum sc_status parse_object(struct cursor *c, member_fn fn, void *ctx)
{
    enum sc_status st = expect(c, '{');
    if (st)
        return st;
    if (peek(c) == '}') {
        c->p++;
        return SC_OK;
    }
    for (;;) {
        char key[256];
        if ((st = parse_string(c, key, sizeof key)) || (st = expect(c, ':')) ||
            (st = fn(c, key, ctx)))
            return st;
        if (peek(c) == '}') {
            c->p++;
            return SC_OK;
        }
        if ((st = expect(c, ',')))
            return st;
    }
}

static enum sc_status skip_member(struct cursor *c, const char *key, void *ctx)
{
    (void)key;
    return skip_value(c, *(int *)ctx + 1);
}

static enum sc_status skip_array(struct cursor *c, int depth)
{
    c->p++;
    if (peek(c) == ']') {
        c->p++;
        return SC_OK;
    }
    for (;;) {
        enum sc_status st = skip_value(c, depth + 1);
        if (st)
            return st;
        if (peek(c) == ']') {
            c->p++;
            return SC_OK;
        }
        if ((st = expect(c, ',')))
            return st;
    }
}

static enum sc_status skip_value(struct cursor *c, int depth)
{
    if (depth > MAX_DEPTH)
        return bad(c, "nesting too deep");
    int ch = peek(c);
    char tmp[256];
    if (ch == '{')
        return parse_object(c, skip_member, &depth);
    if (ch == '[')
        return skip_array(c, depth);
    if (ch == '"')
        return parse_string(c, tmp, sizeof tmp);
    const char *s = c->p;
    while (c->p < c->end && strchr("+-.eE0123456789truefalsn", *c->p))
        c->p++;
    return c->p == s ? bad(c, "expected a value") : SC_OK;
}

static enum sc_status parse_shape(struct cursor *c, struct sc_manifest_var *v)
{
    enum sc_status st = expect(c, '[');
    if (st)
        return st;
    v->rank = 0;
    if (peek(c) == ']') {
        c->p++;
        return SC_OK;
    }
    for (;;) {
        if (v->rank == 4)
            return bad(c, "shape has more than 4 dimensions");
        if ((st = parse_int(c, &v->dims[v->rank++])))
            return st;
        if (peek(c) == ']') {
            c->p++;
            return SC_OK;
        }
        if ((st = expect(c, ',')))
            return st;
    }
}

/* "Variable" -> 0, "Variable_N" -> N (no leading zeros); -1 otherwise. */
static int var_id(const char *name)
{
    if (strcmp(name, "Variable") == 0)
        return 0;
    if (strncmp(name, "Variable_", 9) != 0 || name[9] < '1' || name[9] > '9')
        return -1;
    char *end;
    long n = strtol(name + 9, &end, 10);
    return *end || n >= SC_NET_VARS ? -1 : (int)n;
}

static enum sc_status entry_member(struct cursor *c, const char *key, void *ctx)
{
    struct sc_manifest_var *v = ctx;
    if (strcmp(key, "filename") == 0)
        return parse_string(c, v->filename, sizeof v->filename);
    if (strcmp(key, "shape") == 0)
        return parse_shape(c, v);
    return skip_value(c, 1);
}

static enum sc_status top_member(struct cursor *c, const char *name, void *ctx)
{
    struct sc_manifest *m = ctx;
    int id = var_id(name);
    if (id < 0)
        return sc_error_set(c->err, SC_ERR_FORMAT,
                            "%s names a variable '%.64s' that the style network "
                            "does not have; download the style again.", c->path, name);
    if (m->var[id].present)
        return sc_error_set(c->err, SC_ERR_FORMAT,
                            "%s lists '%s' twice; download the style again.", c->path, name);
    m->var[id].present = 1;
    return parse_object(c, entry_member, &m->var[id]);
}

static void format_dims(char *buf, size_t n, int rank, const long *d)
{
    size_t o = snprintf(buf, n, "[");
    for (int i = 0; i < rank && o < n; i++)
        o += snprintf(buf + o, n - o, "%s%ld", i ? "," : "", d[i]);
    if (o < n)
        snprintf(buf + o, n - o, "]");
}

static enum sc_status check_var(const struct sc_manifest_var *v, int id,
                                const char *path, struct sc_error *err)
{
    char name[32];
    snprintf(name, sizeof name, id ? "Variable_%d" : "Variable", id);
    if (!v->present)
        return sc_error_set(err, SC_ERR_FORMAT, "%s has no entry for %s; download "
                            "the style again.", path, name);
    int want[4];
    long wantl[4];
    int rank = sc_arch_var_shape(id, want);
    for (int i = 0; i < rank; i++)
        wantl[i] = want[i];
    int same = rank == v->rank;
    for (int i = 0; same && i < rank; i++)
        same = v->dims[i] == want[i];
    if (!same) {
        char got[64], need[64];
        format_dims(got, sizeof got, v->rank, v->dims);
        format_dims(need, sizeof need, rank, wantl);
        return sc_error_set(err, SC_ERR_FORMAT, "%s gives %s the shape %s, but the "
                            "network needs %s; this is not a fast-style-transfer "
                            "style of the supported kind.", path, name, got, need);
    }
    const char *f = v->filename;
    if (!f[0] || strchr(f, '/') || strcmp(f, ".") == 0 || strcmp(f, "..") == 0)
        return sc_error_set(err, SC_ERR_FORMAT, "%s gives %s the file name '%s', "
                            "which points outside the style's folder; only plain "
                            "file names inside the folder are allowed.", path, name, f);
    return SC_OK;
}

enum sc_status sc_manifest_parse(const char *text, size_t len, const char *path,
                                 struct sc_manifest *m, struct sc_error *err)
{
    memset(m, 0, sizeof *m);
    struct cursor c = {text, text + len, text, path, err};
    enum sc_status st = parse_object(&c, top_member, m);
    if (st)
        return st;
    if (peek(&c) != -1)
        return bad(&c, "unexpected text after the manifest");
    for (int id = 0; id < SC_NET_VARS; id++)
        if ((st = check_var(&m->var[id], id, path, err)))
            return st;
    return SC_OK;
}

#include "engine/manifest_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_DEPTH 16

enum sc_status sc_json_parse(const char *text, size_t len, const char *path, const char *what,
                             struct json_object **out, struct sc_error *err)
{
    *out = NULL;
    if (len > SC_MANIFEST_MAX_BYTES || memchr(text, '\0', len))
        return sc_error_set(err, SC_ERR_FORMAT, "%s is not a valid %s: it is too large or "
                            "holds a NUL byte; %s.", path, what, "download the style again");
    struct json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
    if (!tok)
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory reading %s.", path);
    struct json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error je = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (o && je == json_tokener_success) {
        while (end < len && strchr(" \t\r\n", text[end]))
            end++;
        if (end == len && json_object_is_type(o, json_type_object)) {
            *out = o;
            return SC_OK;
        }
    }
    json_object_put(o);
    const char *why = !o && je == json_tokener_success ? "unexpected end of text"
                    : je == json_tokener_continue ? "unexpected end of text"
                    : je != json_tokener_success ? json_tokener_error_desc(je)
                    : end < len ? "unexpected text after the end" : "not a JSON object";
    return sc_error_set(err, SC_ERR_FORMAT, "%s is not a valid %s: %s at byte %zu; download "
                        "the style again.", path, what, why, end);
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

/* One variable's entry: {"filename": "...", "shape": [..]}. */
static enum sc_status parse_entry(struct json_object *o, const char *name, const char *path,
                                  struct sc_manifest_var *v, struct sc_error *err)
{
    struct json_object *f = NULL, *shape = NULL;
    if (!json_object_is_type(o, json_type_object))
        return sc_error_set(err, SC_ERR_FORMAT, "%s gives %s an entry that is not an object; "
                            "download the style again.", path, name);
    if (json_object_object_get_ex(o, "filename", &f)) {
        if (!json_object_is_type(f, json_type_string) ||
            json_object_get_string_len(f) >= (int)sizeof v->filename)
            return sc_error_set(err, SC_ERR_FORMAT, "%s gives %s a file name that is not a "
                                "short string; download the style again.", path, name);
        snprintf(v->filename, sizeof v->filename, "%s", json_object_get_string(f));
    }
    if (json_object_object_get_ex(o, "shape", &shape)) {
        size_t n = json_object_is_type(shape, json_type_array)
                 ? json_object_array_length(shape) : 99;
        if (n > 4)
            return sc_error_set(err, SC_ERR_FORMAT, "%s gives %s a shape that is not a list "
                                "of at most 4 sizes; download the style again.", path, name);
        v->rank = (int)n;
        for (size_t i = 0; i < n; i++) {
            struct json_object *d = json_object_array_get_idx(shape, i);
            int64_t x = json_object_get_int64(d);
            if (!json_object_is_type(d, json_type_int) || x < 0 || x > 1000000)
                return sc_error_set(err, SC_ERR_FORMAT, "%s gives %s a shape with a size "
                                    "that is not a small non-negative integer; download the "
                                    "style again.", path, name);
            v->dims[i] = (long)x;
        }
    }
    return SC_OK;
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

enum sc_status sc_manifest_from_json(struct json_object *root, const char *path,
                                     struct sc_manifest *m, struct sc_error *err)
{
    memset(m, 0, sizeof *m);
    enum sc_status st = SC_OK;
    json_object_object_foreach(root, name, val) {
        int id = var_id(name);
        if (id < 0)
            return sc_error_set(err, SC_ERR_FORMAT,
                                "%s names a variable '%.64s' that the style network "
                                "does not have; download the style again.", path, name);
        m->var[id].present = 1;
        if ((st = parse_entry(val, name, path, &m->var[id], err)))
            return st;
    }
    for (int id = 0; id < SC_NET_VARS; id++)
        if ((st = check_var(&m->var[id], id, path, err)))
            return st;
    return SC_OK;
}

enum sc_status sc_manifest_parse(const char *text, size_t len, const char *path,
                                 struct sc_manifest *m, struct sc_error *err)
{
    struct json_object *root;
    enum sc_status st = sc_json_parse(text, len, path, "style manifest", &root, err);
    if (!st)
        st = sc_manifest_from_json(root, path, m, err);
    json_object_put(root);
    return st;
}

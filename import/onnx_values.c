/* Named values, tensors and attributes of an ONNX graph. */
#include "import/onnx_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ELEMS (1L << 30)

enum sc_status sc_onnx_fail(struct sc_onnx *x, const char *fmt, ...)
{
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (x->node)
        return sc_error_set(x->err, SC_ERR_FORMAT, "%s: node '%.80s' (%.40s) %s", x->path,
                            x->node->name && x->node->name[0] ? x->node->name
                            : x->node->n_output ? x->node->output[0] : "?",
                            x->node->op_type ? x->node->op_type : "?", what);
    return sc_error_set(x->err, SC_ERR_FORMAT, "%s: %s", x->path, what);
}

struct sc_onnx_val *sc_onnx_find(struct sc_onnx *x, const char *name)
{
    for (int i = x->nvals - 1; name && i >= 0; i--)
        if (strcmp(x->vals[i]->name, name) == 0)
            return x->vals[i];
    return NULL;
}

struct sc_onnx_val *sc_onnx_add(struct sc_onnx *x, const char *name)
{
    if (x->nvals == x->cap) {
        int cap = x->cap ? x->cap * 2 : 256;
        struct sc_onnx_val **v = realloc(x->vals, (size_t)cap * sizeof *v);
        if (!v)
            return NULL;
        x->vals = v;
        x->cap = cap;
    }
    struct sc_onnx_val *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    x->vals[x->nvals++] = v;
    v->name = name ? name : "";
    return v;
}

static const char *ext_location(const ScOnnx__TensorProto *t)
{
    for (size_t i = 0; i < t->n_external_data; i++)
        if (t->external_data[i]->key && strcmp(t->external_data[i]->key, "location") == 0)
            return t->external_data[i]->value ? t->external_data[i]->value : "";
    return "";
}

static int leaves_folder(const char *p)
{
    if (p[0] == '/')
        return 1;
    for (const char *s = p; (s = strstr(s, "..")); s += 2)
        if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
            return 1;
    return 0;
}

/* Count of elements from dims, or -1 when a size is negative or too large. */
static long elements(struct sc_onnx_val *v)
{
    long n = 1;
    for (int d = 0; d < v->rank; d++) {
        if (v->dims[d] < 0 || v->dims[d] > MAX_ELEMS || (v->dims[d] && n > MAX_ELEMS / v->dims[d]))
            return -1;
        n *= (long)v->dims[d];
    }
    return n;
}

static enum sc_status tensor_data(struct sc_onnx *x, const ScOnnx__TensorProto *t,
                                  struct sc_onnx_val *v, const char *nm)
{
    int dt = t->data_type;
    size_t esz = dt == 1 || dt == 6 ? 4 : dt == 7 || dt == 11 ? 8 : 0;
    if (!esz)
        return sc_onnx_fail(x, "tensor '%.80s' has ONNX data type %d; stylecam reads float, "
                            "double, int32 and int64 tensors only.", nm, dt);
    size_t have = t->has_raw_data ? t->raw_data.len / esz
                : dt == 1 ? t->n_float_data : dt == 6 ? t->n_int32_data
                : dt == 7 ? t->n_int64_data : t->n_double_data;
    if ((t->has_raw_data && t->raw_data.len % esz) || have != (size_t)v->n)
        return sc_onnx_fail(x, "tensor '%.80s' declares %ld values but holds %zu; the file "
                            "is damaged.", nm, v->n, have);
    v->is_int = dt == 6 || dt == 7;
    v->f = v->is_int ? NULL : malloc((size_t)v->n * sizeof *v->f + 1);
    v->i = v->is_int ? malloc((size_t)v->n * sizeof *v->i + 1) : NULL;
    if (!v->f && !v->i)
        return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    const uint8_t *raw = t->raw_data.data;
    for (long k = 0; k < v->n; k++) {
        if (t->has_raw_data) {
            union { float f; int32_t i32; int64_t i64; double d; } u;
            memcpy(&u, raw + (size_t)k * esz, esz);
            if (v->is_int)
                v->i[k] = dt == 6 ? u.i32 : u.i64;
            else
                v->f[k] = dt == 1 ? u.f : (float)u.d;
        } else if (v->is_int) {
            v->i[k] = dt == 6 ? t->int32_data[k] : t->int64_data[k];
        } else {
            v->f[k] = dt == 1 ? t->float_data[k] : (float)t->double_data[k];
        }
    }
    return SC_OK;
}

enum sc_status sc_onnx_tensor(struct sc_onnx *x, const ScOnnx__TensorProto *t,
                              struct sc_onnx_val *v)
{
    const char *nm = t->name ? t->name : v->name;
    v->is_const = 1;
    if (t->data_location == 1 || t->n_external_data) {
        const char *loc = ext_location(t);
        if (leaves_folder(loc))
            return sc_onnx_fail(x, "tensor '%.80s' names external data '%.200s', which lies "
                                "outside the model's folder; stylecam refuses such paths.",
                                nm, loc);
        return sc_onnx_fail(x, "tensor '%.80s' keeps its data in the external file '%.200s', "
                            "which stylecam does not read; save the model with its weights "
                            "inside (onnx.save_model with save_as_external_data=False).",
                            nm, loc);
    }
    if (t->n_dims > SC_ONNX_MAX_RANK)
        return sc_onnx_fail(x, "tensor '%.80s' has %zu dimensions; stylecam reads at most %d.",
                            nm, t->n_dims, SC_ONNX_MAX_RANK);
    v->rank = (int)t->n_dims;
    for (int d = 0; d < v->rank; d++)
        v->dims[d] = t->dims[d];
    v->n = elements(v);
    if (v->n < 0)
        return sc_onnx_fail(x, "tensor '%.80s' declares dimensions so large that its size "
                            "overflows; the file is damaged.", nm);
    return tensor_data(x, t, v, nm);
}

const ScOnnx__AttributeProto *sc_onnx_attr(const ScOnnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0)
            return n->attribute[i];
    return NULL;
}

int64_t sc_onnx_attr_int(const ScOnnx__NodeProto *n, const char *name, int64_t def)
{
    const ScOnnx__AttributeProto *a = sc_onnx_attr(n, name);
    return a && a->has_i ? a->i : def;
}

float sc_onnx_attr_float(const ScOnnx__NodeProto *n, const char *name, float def)
{
    const ScOnnx__AttributeProto *a = sc_onnx_attr(n, name);
    return a && a->has_f ? a->f : def;
}

const char *sc_onnx_attr_str(const ScOnnx__NodeProto *n, const char *name, const char *def,
                             char *buf, size_t len)
{
    const ScOnnx__AttributeProto *a = sc_onnx_attr(n, name);
    if (!a || !a->has_s)
        return def;
    snprintf(buf, len, "%.*s", (int)(a->s.len < len ? a->s.len : len - 1),
             (const char *)a->s.data);
    return buf;
}

int sc_onnx_attr_ints(const ScOnnx__NodeProto *n, const char *name, int64_t *out, int max)
{
    const ScOnnx__AttributeProto *a = sc_onnx_attr(n, name);
    if (!a)
        return -1;
    int k = 0;
    for (size_t i = 0; i < a->n_ints && k < max; i++)
        out[k++] = a->ints[i];
    return a->n_ints > (size_t)max ? max + 1 : k;
}

int sc_onnx_attr_floats(const ScOnnx__NodeProto *n, const char *name, float *out, int max)
{
    const ScOnnx__AttributeProto *a = sc_onnx_attr(n, name);
    if (!a)
        return -1;
    for (size_t i = 0; i < a->n_floats && i < (size_t)max; i++)
        out[i] = a->floats[i];
    return a->n_floats > (size_t)max ? max + 1 : (int)a->n_floats;
}

struct sc_onnx_val *sc_onnx_input(struct sc_onnx *x, int k)
{
    const ScOnnx__NodeProto *n = x->node;
    if ((size_t)k >= n->n_input || !n->input[k][0])
        return NULL;
    return sc_onnx_find(x, n->input[k]);
}

struct sc_onnx_val *sc_onnx_const_input(struct sc_onnx *x, int k, const char *what)
{
    struct sc_onnx_val *v = sc_onnx_input(x, k);
    if (!v || !v->is_const) {
        sc_onnx_fail(x, "needs its %s as a constant, but it %s.", what,
                     v ? "depends on the picture" : "is missing");
        return NULL;
    }
    return v;
}

int64_t sc_onnx_f2i(float f)
{
    return f > -9e18f && f < 9e18f ? (int64_t)f : SC_ONNX_UNK;   /* NaN fails both */
}

/* Adds l (its input: node input 0) and names the node's output after it. */
enum sc_status sc_onnx_emit(struct sc_onnx *x, struct sc_net_layer *l, int in0, int in1)
{
    const ScOnnx__NodeProto *n = x->node;
    snprintf(l->name, sizeof l->name, "%.63s", n->name && n->name[0] ? n->name : n->output[0]);
    l->in[0] = in0;
    l->in[1] = in1;
    int idx;
    struct sc_error e;
    if (sc_net_add(x->net, l, &idx, &e)) {
        e.msg[0] = (char)(e.msg[0] >= 'A' && e.msg[0] <= 'Z' ? e.msg[0] + 32 : e.msg[0]);
        return sc_onnx_fail(x, "cannot become a layer: %s", e.msg);
    }
    struct sc_onnx_val *v = sc_onnx_add(x, n->output[0]);
    if (!v)
        return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    v->layer = idx;
    v->rank = 4;
    v->dims[0] = 1;
    v->dims[1] = sc_net_channels(x->net, idx);
    v->dims[2] = v->dims[3] = SC_ONNX_UNK;
    return SC_OK;
}

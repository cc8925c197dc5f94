#include "import/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import/onnx_priv.h"

#define MAX_MODEL_BYTES (1L << 30)

static enum sc_status read_file(const char *path, uint8_t **buf, size_t *len,
                                struct sc_error *err)
{
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;
        if (f)
            fclose(f);
        return sc_error_set(err, f ? SC_ERR_IO : e == ENOENT ? SC_ERR_NOT_FOUND : SC_ERR_IO,
                            "Cannot read %s (%s); check the path.", path,
                            f ? "not a regular file" : strerror(e));
    }
    if (sb.st_size > MAX_MODEL_BYTES || sb.st_size == 0) {
        fclose(f);
        return sc_error_set(err, SC_ERR_FORMAT, "%s is %s; an ONNX style network is a "
                            "non-empty file under 1 GiB.", path, sb.st_size ? "too large"
                                                                             : "empty");
    }
    *buf = malloc((size_t)sb.st_size);
    *len = *buf ? fread(*buf, 1, (size_t)sb.st_size, f) : 0;
    fclose(f);
    if (!*buf || *len != (size_t)sb.st_size) {
        free(*buf);
        return sc_error_set(err, *buf ? SC_ERR_IO : SC_ERR_NOMEM, "Cannot read %s.", path);
    }
    return SC_OK;
}

static const char *meta(const ScOnnx__ModelProto *m, const char *key)
{
    for (size_t i = 0; i < m->n_metadata_props; i++)
        if (m->metadata_props[i]->key && strcmp(m->metadata_props[i]->key, key) == 0)
            return m->metadata_props[i]->value;
    return NULL;
}

static enum sc_status check_model(struct sc_onnx *x)
{
    const ScOnnx__ModelProto *m = x->model;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *d = m->opset_import[i]->domain;
        if (!d || !d[0] || strcmp(d, "ai.onnx") == 0)
            x->opset = (int)m->opset_import[i]->version;
    }
    if (!m->graph || !m->graph->n_node)
        return sc_onnx_fail(x, "holds no graph; it is not an ONNX style network.");
    if (x->opset < 7 || x->opset > 17)
        return sc_onnx_fail(x, "uses ONNX opset %d; stylecam reads opsets 7 to 17.", x->opset);
    if (m->graph->n_output != 1)
        return sc_onnx_fail(x, "has %zu outputs; a style network has one picture out.",
                            m->graph->n_output);
    return SC_OK;
}

/* Initializers, then the one graph input that is not one (the picture). */
static enum sc_status read_inputs(struct sc_onnx *x)
{
    const ScOnnx__GraphProto *g = x->model->graph;
    enum sc_status st = SC_OK;
    for (size_t i = 0; !st && i < g->n_initializer; i++) {
        struct sc_onnx_val *v = sc_onnx_add(x, g->initializer[i]->name);
        st = v ? sc_onnx_tensor(x, g->initializer[i], v)
               : sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    }
    const ScOnnx__ValueInfoProto *pic = NULL;
    for (size_t i = 0; !st && i < g->n_input; i++) {
        if (sc_onnx_find(x, g->input[i]->name))
            continue;
        if (pic)
            return sc_onnx_fail(x, "has two inputs ('%.60s' and '%.60s'); a style network "
                                "takes one picture.", pic->name, g->input[i]->name);
        pic = g->input[i];
    }
    if (st)
        return st;
    if (!pic)
        return sc_onnx_fail(x, "has no input that is not a constant.");
    const ScOnnx__TypeProto__Tensor *t = pic->type ? pic->type->tensor_type : NULL;
    const ScOnnx__TensorShapeProto *s = t ? t->shape : NULL;
    if (s && (s->n_dim != 4 || (s->dim[1]->has_dim_value && s->dim[1]->dim_value != 3)))
        return sc_onnx_fail(x, "takes an input '%.60s' that is not a 3-channel picture "
                            "(N, 3, H, W).", pic->name);
    if (s && s->dim[2]->has_dim_value && s->dim[3]->has_dim_value &&
        s->dim[2]->dim_value > 0 && s->dim[2]->dim_value < 65536 &&
        s->dim[3]->dim_value > 0 && s->dim[3]->dim_value < 65536) {
        x->ref_h = x->probe_h = (int)s->dim[2]->dim_value;
        x->ref_w = x->probe_w = (int)s->dim[3]->dim_value;
    }
    struct sc_onnx_val *v = sc_onnx_add(x, pic->name);
    if (!v)
        return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    v->rank = 4;
    v->dims[0] = 1;
    v->dims[1] = 3;
    v->dims[2] = v->dims[3] = SC_ONNX_UNK;
    return SC_OK;
}

/* needed[i]: node i contributes to the output (walking back from it). */
static int mark_needed(const ScOnnx__GraphProto *g, const char *name, char *needed, int depth)
{
    if (depth > 100000)
        return -1;
    for (size_t i = 0; i < g->n_node; i++)
        for (size_t o = 0; o < g->node[i]->n_output; o++)
            if (!needed[i] && strcmp(g->node[i]->output[o], name) == 0) {
                needed[i] = 1;
                for (size_t k = 0; k < g->node[i]->n_input; k++)
                    if (g->node[i]->input[k][0] &&
                        mark_needed(g, g->node[i]->input[k], needed, depth + 1) < 0)
                        return -1;
            }
    return 0;
}

static int ready(struct sc_onnx *x, const ScOnnx__NodeProto *n)
{
    for (size_t k = 0; k < n->n_input; k++)
        if (n->input[k][0] && !sc_onnx_find(x, n->input[k]))
            return 0;
    return 1;
}

/* Walks the needed nodes in dependency order: constants fold, the rest
 * become layers. A pass that makes no progress means a cycle. */
static enum sc_status walk(struct sc_onnx *x, char *needed)
{
    const ScOnnx__GraphProto *g = x->model->graph;
    size_t left = 0;
    for (size_t i = 0; i < g->n_node; i++)
        left += needed[i] == 1;
    while (left) {
        size_t before = left;
        for (size_t i = 0; i < g->n_node; i++) {
            if (needed[i] != 1 || !ready(x, g->node[i]))
                continue;
            x->node = g->node[i];
            int done = 0;
            enum sc_status st = sc_onnx_fold(x, &done);
            if (!st && !done)
                st = sc_onnx_layer(x);
            if (st)
                return st;
            needed[i] = 2;
            left--;
        }
        x->node = NULL;
        if (left == before)
            return sc_onnx_fail(x, "has a cycle, or a node reads a value no node makes; the "
                                "graph is damaged.");
    }
    return SC_OK;
}

/* BGR when the metadata says Bgr8, or, without it, when the input's own
 * description says BGR (Microsoft's Johnson models). */
static int says_bgr(const ScOnnx__ModelProto *m)
{
    const char *fmt = meta(m, "Image.BitmapPixelFormat");
    if (fmt)
        return strncmp(fmt, "Bgr", 3) == 0;
    const ScOnnx__GraphProto *g = m->graph;
    for (size_t i = 0; i < g->n_input; i++)
        if (g->input[i]->doc_string && strstr(g->input[i]->doc_string, "BGR"))
            return 1;
    return 0;
}

static enum sc_status build(struct sc_onnx *x, const char *name, const struct sc_import_opts *o)
{
    enum sc_status st = check_model(x);
    if (!st)
        st = read_inputs(x);
    if (st)
        return st;
    const char *rng = meta(x->model, "Image.NominalPixelRange");
    struct sc_net_io io = {o->bgr >= 0 ? o->bgr : says_bgr(x->model),
                           o->in_range > 0 ? o->in_range
                           : rng && strstr(rng, "0_1") ? 1 : 255,
                           o->out_range > 0 ? o->out_range : 255};
    st = sc_net_init(&x->net, name, &io, x->err);
    const ScOnnx__GraphProto *g = x->model->graph;
    char *needed = st ? NULL : calloc(g->n_node + 1, 1);
    if (!st && !needed)
        st = sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
    const char *out = g->output[0]->name ? g->output[0]->name : "";
    if (!st && mark_needed(g, out, needed, 0) < 0)
        st = sc_onnx_fail(x, "has a graph too deep to read.");
    if (!st)
        st = walk(x, needed);
    free(needed);
    struct sc_onnx_val *v = st ? NULL : sc_onnx_find(x, out);
    if (!st && (!v || v->is_const || v->layer == 0))
        st = sc_onnx_fail(x, "has no path from its input to its output '%.60s'.", out);
    if (!st && v->layer != sc_net_count(x->net) - 1)
        st = sc_onnx_fail(x, "computes layers after its output; stylecam cannot order them.");
    return st;
}

enum sc_status sc_import_onnx(const char *path, const char *name,
                              const struct sc_import_opts *o, struct sc_net **out,
                              struct sc_error *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    enum sc_status st = read_file(path, &buf, &len, err);
    if (st)
        return st;
    st = sc_onnx_import_mem(buf, len, path, name, o, out, err);
    free(buf);
    return st;
}

/* One reading of the model with Shape answering probe_h x probe_w for the
 * picture (0: unknown sizes); *dynamic set when the input's size is not
 * declared. */
static enum sc_status import_once(const ScOnnx__ModelProto *model, const char *path,
                                  const char *name, const struct sc_import_opts *o, int probe_h,
                                  int probe_w, struct sc_net **out, int *dynamic,
                                  struct sc_error *err)
{
    struct sc_onnx x = {.path = path, .err = err, .model = (ScOnnx__ModelProto *)model,
                        .probe_h = probe_h, .probe_w = probe_w};
    enum sc_status st = build(&x, name, o);
    for (int i = 0; i < x.nvals; i++) {
        free(x.vals[i]->f);
        free(x.vals[i]->i);
        free(x.vals[i]);
    }
    free(x.vals);
    if (st)
        sc_net_free(&x.net);
    *out = x.net;
    *dynamic = !x.ref_h;
    return st;
}

/* The first layer whose parameters differ between two readings, or -1. */
static int first_difference(const struct sc_net *a, const struct sc_net *b)
{
    if (sc_net_count(a) != sc_net_count(b))
        return sc_net_count(a) < sc_net_count(b) ? sc_net_count(a) : sc_net_count(b);
    for (int i = 1; i < sc_net_count(a); i++) {
        const struct sc_net_layer *p = sc_net_layer(a, i), *q = sc_net_layer(b, i);
        int same = p->op == q->op && p->in[0] == q->in[0] && p->in[1] == q->in[1] &&
                   p->out == q->out && p->k == q->k && p->stride == q->stride &&
                   p->groups == q->groups && p->pad_mode == q->pad_mode &&
                   memcmp(p->pad, q->pad, sizeof p->pad) == 0 && p->border == q->border &&
                   p->eps == q->eps && p->lo == q->lo && p->hi == q->hi &&
                   p->nw == q->nw && p->nb == q->nb &&
                   (!p->nw || memcmp(p->w, q->w, (size_t)p->nw * sizeof *p->w) == 0) &&
                   (!p->nb || memcmp(p->b, q->b, (size_t)p->nb * sizeof *p->b) == 0);
        if (!same)
            return i;
    }
    return -1;
}

enum sc_status sc_onnx_import_mem(const uint8_t *buf, size_t len, const char *path,
                                  const char *name, const struct sc_import_opts *o,
                                  struct sc_net **out, struct sc_error *err)
{
    *out = NULL;
    ScOnnx__ModelProto *model = sc_onnx__model_proto__unpack(NULL, len, buf);
    if (!model)
        return sc_error_set(err, SC_ERR_FORMAT, "%s is not an ONNX model: it is truncated or "
                            "not a protobuf file; export the model again.", path);
    /* A size computed from the picture (Shape) is read at two stand-in sizes;
     * only a network whose layers come out the same both times imports. */
    int dynamic = 0;
    struct sc_net *other = NULL;
    enum sc_status st = import_once(model, path, name, o, 960, 1280, out, &dynamic, err);
    if (!st && dynamic)
        st = import_once(model, path, name, o, 1152, 896, &other, &dynamic, err);
    int bad = !st && other ? first_difference(*out, other) : -1;
    if (bad >= 0)
        st = sc_error_set(err, SC_ERR_FORMAT, "%s: node '%.80s' has a parameter that depends on "
                          "the picture's size in a way stylecam cannot run; export the model "
                          "with a fixed input size.", path,
                          bad < sc_net_count(*out) ? sc_net_layer(*out, bad)->name : "?");
    sc_net_free(&other);
    if (st)
        sc_net_free(out);
    sc_onnx__model_proto__free_unpacked(model, NULL);
    return st;
}

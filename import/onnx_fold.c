/* Constant folding: the nodes whose inputs are all known before a picture
 * comes (PyTorch's padding arithmetic: Shape, Gather, Concat, Slice, Cast,
 * Reshape, ConstantOfShape, ...) evaluated once at import. Sizes known only
 * at run time travel as SC_ONNX_UNK and may not reach a layer's parameter. */
#include "import/onnx_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A constant whose data is there for every element its shape declares;
 * sc_onnx_fold refuses a node with any other constant input. */
static int usable(const struct sc_onnx_val *v)
{
    return v->n == 0 || (v->is_int ? v->i != NULL : v->f != NULL);
}

/* Element k; the callers index within n, and a damaged file that gets past
 * them reads 0 rather than memory that is not the constant's. */
static int64_t geti(const struct sc_onnx_val *v, long k)
{
    if (k < 0 || k >= v->n || !usable(v))
        return 0;
    return v->is_int ? v->i[k] : sc_onnx_f2i(v->f[k]);
}

static float getf(const struct sc_onnx_val *v, long k)
{
    if (k < 0 || k >= v->n || !usable(v))
        return 0;
    return v->is_int ? (float)v->i[k] : v->f[k];
}

/* A constant output of the node with the given shape and type. */
static struct sc_onnx_val *out_val(struct sc_onnx *x, int k, int rank, const int64_t *dims,
                                   int is_int)
{
    if ((size_t)k >= x->node->n_output || rank > SC_ONNX_MAX_RANK) {
        sc_onnx_fail(x, "has too few outputs or too many dimensions.");
        return NULL;
    }
    long n = 1;
    for (int d = 0; d < rank; d++) {
        if (dims[d] < 0 || dims[d] > (1 << 24) || (n *= (long)dims[d]) > (1L << 26)) {
            sc_onnx_fail(x, "computes a constant of unknown or too large size; stylecam "
                         "cannot fold it.");
            return NULL;
        }
    }
    struct sc_onnx_val *v = sc_onnx_add(x, x->node->output[k]);
    if (!v) {
        sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
        return NULL;
    }
    v->is_const = 1;
    v->rank = rank;
    memcpy(v->dims, dims, (size_t)rank * sizeof *dims);
    v->n = n;
    v->is_int = is_int;
    if (is_int)
        v->i = calloc((size_t)n + 1, sizeof *v->i);
    else
        v->f = calloc((size_t)n + 1, sizeof *v->f);
    if (!v->i && !v->f) {
        sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
        return NULL;
    }
    return v;
}

static void put(struct sc_onnx_val *d, long dk, const struct sc_onnx_val *s, long sk)
{
    if (d->is_int)
        d->i[dk] = geti(s, sk);
    else
        d->f[dk] = getf(s, sk);
}

static void strides(const struct sc_onnx_val *v, long *st)
{
    long s = 1;
    for (int d = v->rank - 1; d >= 0; d--) {
        st[d] = s;
        s *= (long)v->dims[d];
    }
}

static enum sc_status fold_constant(struct sc_onnx *x)
{
    const ScOnnx__AttributeProto *a = sc_onnx_attr(x->node, "value");
    if (a && a->t) {
        struct sc_onnx_val *v = sc_onnx_add(x, x->node->output[0]);
        if (!v)
            return sc_error_set(x->err, SC_ERR_NOMEM, "Out of memory reading %s.", x->path);
        return sc_onnx_tensor(x, a->t, v);
    }
    const ScOnnx__AttributeProto *f = sc_onnx_attr(x->node, "value_float");
    const ScOnnx__AttributeProto *i = sc_onnx_attr(x->node, "value_int");
    const ScOnnx__AttributeProto *fs = sc_onnx_attr(x->node, "value_floats");
    const ScOnnx__AttributeProto *is = sc_onnx_attr(x->node, "value_ints");
    int64_t n = fs ? (int64_t)fs->n_floats : is ? (int64_t)is->n_ints : 1;
    struct sc_onnx_val *v = (f || i || fs || is) ? out_val(x, 0, fs || is, &n, i || is) : NULL;
    if (!v)
        return f || i || fs || is ? SC_ERR_FORMAT
             : sc_onnx_fail(x, "has no value stylecam reads.");
    for (long k = 0; k < v->n; k++) {
        if (v->is_int)
            v->i[k] = is ? is->ints[k] : i->i;
        else
            v->f[k] = fs ? fs->floats[k] : f->f;
    }
    return SC_OK;
}

static enum sc_status fold_copy(struct sc_onnx *x, const struct sc_onnx_val *s, int rank,
                                const int64_t *dims, int is_int)
{
    struct sc_onnx_val *v = out_val(x, 0, rank, dims, is_int);
    if (!v)
        return SC_ERR_FORMAT;
    if (v->n != s->n)
        return sc_onnx_fail(x, "reshapes %ld values into %ld.", s->n, v->n);
    for (long k = 0; k < v->n; k++)
        put(v, k, s, k);
    return SC_OK;
}

static enum sc_status fold_shape(struct sc_onnx *x, const struct sc_onnx_val *s)
{
    int64_t dims[SC_ONNX_MAX_RANK];
    int rank = s->rank;
    memcpy(dims, s->dims, sizeof dims);
    int (*hw)[2] = s->is_const ? NULL : malloc((size_t)sc_net_count(x->net) * sizeof *hw);
    if (hw && x->probe_h &&
        sc_net_shapes(x->net, x->probe_w, x->probe_h, hw, NULL) == SC_OK) {
        dims[2] = hw[s->layer][0];
        dims[3] = hw[s->layer][1];
    }
    free(hw);
    int64_t start = sc_onnx_attr_int(x->node, "start", 0), end = sc_onnx_attr_int(x->node, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    if (start < 0) start = 0;
    if (end > rank) end = rank;
    int64_t n = end > start ? end - start : 0;
    struct sc_onnx_val *v = out_val(x, 0, 1, &n, 1);
    if (!v)
        return SC_ERR_FORMAT;
    for (long k = 0; k < n; k++)
        v->i[k] = dims[start + k];
    return SC_OK;
}

static enum sc_status fold_gather(struct sc_onnx *x, const struct sc_onnx_val *d,
                                  const struct sc_onnx_val *ix)
{
    if (d->rank != 1 || sc_onnx_attr_int(x->node, "axis", 0) != 0 || ix->rank > 1)
        return sc_onnx_fail(x, "gathers from a constant that is not a list; stylecam folds "
                            "only lists.");
    int64_t n = ix->n;
    struct sc_onnx_val *v = out_val(x, 0, ix->rank, &n, d->is_int);
    for (long k = 0; v && k < n; k++) {
        int64_t j = geti(ix, k);
        if (j < 0)
            j += d->n;
        if (j < 0 || j >= d->n)
            return sc_onnx_fail(x, "gathers index %lld of a list of %ld.", (long long)j, d->n);
        put(v, k, d, (long)j);
    }
    return v ? SC_OK : SC_ERR_FORMAT;
}

static enum sc_status fold_concat(struct sc_onnx *x)
{
    int64_t n = 0;
    int is_int = 1;
    for (size_t k = 0; k < x->node->n_input; k++) {
        struct sc_onnx_val *s = sc_onnx_input(x, (int)k);
        if (s && s->rank > 1)
            return sc_onnx_fail(x, "concatenates constants that are not lists.");
        n += s ? s->n : 0;
        is_int &= !s || s->is_int;
    }
    struct sc_onnx_val *v = out_val(x, 0, 1, &n, is_int);
    long o = 0;
    for (size_t k = 0; v && k < x->node->n_input; k++) {
        struct sc_onnx_val *s = sc_onnx_input(x, (int)k);
        for (long j = 0; s && j < s->n; j++)
            put(v, o++, s, j);
    }
    return v ? SC_OK : SC_ERR_FORMAT;
}

static int64_t clampi(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Slice any rank, steps of any sign (ONNX's clamping rules). */
static enum sc_status fold_slice(struct sc_onnx *x, const struct sc_onnx_val *d)
{
    int64_t st[SC_ONNX_MAX_RANK], en[SC_ONNX_MAX_RANK], ax[SC_ONNX_MAX_RANK], sp[SC_ONNX_MAX_RANK];
    int n;
    if (x->opset < 10) {
        n = sc_onnx_attr_ints(x->node, "starts", st, SC_ONNX_MAX_RANK);
        if (sc_onnx_attr_ints(x->node, "ends", en, SC_ONNX_MAX_RANK) != n || n < 0)
            return sc_onnx_fail(x, "has starts and ends of different lengths.");
        if (sc_onnx_attr_ints(x->node, "axes", ax, SC_ONNX_MAX_RANK) != n)
            for (int k = 0; k < n; k++) ax[k] = k;
        for (int k = 0; k < n; k++) sp[k] = 1;
    } else {
        struct sc_onnx_val *s = sc_onnx_input(x, 1), *e = sc_onnx_input(x, 2);
        struct sc_onnx_val *a = sc_onnx_input(x, 3), *p = sc_onnx_input(x, 4);
        n = s ? (int)s->n : -1;
        if (!s || !e || e->n != n || n > SC_ONNX_MAX_RANK || (a && a->n != n) || (p && p->n != n))
            return sc_onnx_fail(x, "has starts, ends, axes or steps of different lengths.");
        for (int k = 0; k < n; k++) {
            st[k] = geti(s, k);
            en[k] = geti(e, k);
            ax[k] = a ? geti(a, k) : k;
            sp[k] = p ? geti(p, k) : 1;
        }
    }
    int64_t b[SC_ONNX_MAX_RANK], step[SC_ONNX_MAX_RANK], dims[SC_ONNX_MAX_RANK];
    for (int k = 0; k < d->rank; k++) {
        b[k] = 0;
        step[k] = 1;
        dims[k] = d->dims[k];
    }
    for (int k = 0; k < n; k++) {
        int64_t a = ax[k] < 0 ? ax[k] + d->rank : ax[k], dim;
        if (a < 0 || a >= d->rank || sp[k] == 0 || sp[k] > (1 << 30) || sp[k] < -(1 << 30) ||
            st[k] == SC_ONNX_UNK || en[k] == SC_ONNX_UNK)
            return sc_onnx_fail(x, "slices along an axis or with a step stylecam cannot fold.");
        dim = d->dims[a];
        int64_t s0 = clampi(st[k], -(1LL << 40), 1LL << 40);
        int64_t e0 = clampi(en[k], -(1LL << 40), 1LL << 40);
        s0 = s0 < 0 ? s0 + dim : s0;
        e0 = e0 < 0 ? e0 + dim : e0;
        if (sp[k] > 0) {
            s0 = clampi(s0, 0, dim);
            e0 = clampi(e0, 0, dim);
            dims[a] = e0 > s0 ? (e0 - s0 + sp[k] - 1) / sp[k] : 0;
        } else {
            s0 = clampi(s0, -1, dim - 1);
            e0 = clampi(e0, -1, dim - 1);
            dims[a] = s0 > e0 ? (s0 - e0 - sp[k] - 1) / -sp[k] : 0;
        }
        b[a] = s0;
        step[a] = sp[k];
    }
    struct sc_onnx_val *v = out_val(x, 0, d->rank, dims, d->is_int);
    if (!v)
        return SC_ERR_FORMAT;
    long sst[SC_ONNX_MAX_RANK];
    strides(d, sst);
    for (long o = 0; o < v->n; o++) {
        long rem = o, src = 0;
        for (int k = d->rank - 1; k >= 0; k--) {
            long c = dims[k] ? rem % (long)dims[k] : 0;
            rem = dims[k] ? rem / (long)dims[k] : 0;
            src += (long)(b[k] + c * step[k]) * sst[k];
        }
        put(v, o, d, src);
    }
    return SC_OK;
}

static enum sc_status fold_transpose(struct sc_onnx *x, const struct sc_onnx_val *d)
{
    int64_t perm[SC_ONNX_MAX_RANK], dims[SC_ONNX_MAX_RANK];
    int n = sc_onnx_attr_ints(x->node, "perm", perm, SC_ONNX_MAX_RANK);
    if (n < 0)
        for (n = 0; n < d->rank; n++) perm[n] = d->rank - 1 - n;
    if (n != d->rank)
        return sc_onnx_fail(x, "has a permutation of the wrong length.");
    int seen = 0;
    for (int k = 0; k < n; k++) {
        if (perm[k] < 0 || perm[k] >= n || (seen & (1 << perm[k])))
            return sc_onnx_fail(x, "has an invalid permutation.");
        seen |= 1 << perm[k];
        dims[k] = d->dims[perm[k]];
    }
    struct sc_onnx_val *v = out_val(x, 0, n, dims, d->is_int);
    if (!v)
        return SC_ERR_FORMAT;
    long sst[SC_ONNX_MAX_RANK];
    strides(d, sst);
    for (long o = 0; o < v->n; o++) {
        long rem = o, src = 0;
        for (int k = n - 1; k >= 0; k--) {
            src += (rem % (long)dims[k]) * sst[perm[k]];
            rem /= (long)dims[k];
        }
        put(v, o, d, src);
    }
    return SC_OK;
}

static enum sc_status fold_reshape(struct sc_onnx *x, const struct sc_onnx_val *d,
                                   const struct sc_onnx_val *shape)
{
    int64_t dims[SC_ONNX_MAX_RANK];
    long known = 1;
    int minus = -1;
    if (!shape || shape->n > SC_ONNX_MAX_RANK)
        return sc_onnx_fail(x, "has no usable shape.");
    for (int k = 0; k < shape->n; k++) {
        dims[k] = geti(shape, k);
        if (dims[k] == 0 && k < d->rank)
            dims[k] = d->dims[k];
        if (dims[k] == -1 && minus < 0)
            minus = k;
        else if (dims[k] < 0 || dims[k] > (1 << 24))
            return sc_onnx_fail(x, "reshapes to a size known only with a picture, or too "
                                "large.");
        else if ((known *= (long)dims[k]) > (1L << 40))
            return sc_onnx_fail(x, "reshapes to a size too large.");
    }
    if (minus >= 0)
        dims[minus] = known ? d->n / known : 0;
    return fold_copy(x, d, (int)shape->n, dims, d->is_int);
}

static enum sc_status fold_unsqueeze(struct sc_onnx *x, const struct sc_onnx_val *d, int squeeze)
{
    int64_t axes[SC_ONNX_MAX_RANK], dims[SC_ONNX_MAX_RANK];
    int n = sc_onnx_attr_ints(x->node, "axes", axes, SC_ONNX_MAX_RANK);
    struct sc_onnx_val *a = sc_onnx_input(x, 1);
    for (int k = 0; a && k < a->n && k < SC_ONNX_MAX_RANK; k++)
        axes[k] = geti(a, k);
    if (a)
        n = (int)a->n;
    int rank = 0;
    if (squeeze) {
        for (int k = 0; k < d->rank; k++) {
            int drop = n < 0 && d->dims[k] == 1;
            for (int j = 0; j < n; j++)
                drop |= axes[j] == k || axes[j] + d->rank == k;
            if (!drop)
                dims[rank++] = d->dims[k];
        }
    } else {
        int out = d->rank + (n > 0 ? n : 0), src = 0;
        if (out > SC_ONNX_MAX_RANK || n < 0)
            return sc_onnx_fail(x, "adds axes stylecam cannot fold.");
        for (int k = 0; k < out; k++) {
            int ins = 0;
            for (int j = 0; j < n; j++)
                ins |= axes[j] == k || axes[j] + out == k;
            dims[rank++] = ins ? 1 : d->dims[src++];
        }
    }
    return fold_copy(x, d, rank, dims, d->is_int);
}

static enum sc_status fold_arith(struct sc_onnx *x, const struct sc_onnx_val *a,
                                 const struct sc_onnx_val *b, char op)
{
    const struct sc_onnx_val *big = a->n >= b->n ? a : b;
    if (!b || (a->n != b->n && a->n != 1 && b->n != 1))
        return sc_onnx_fail(x, "combines constants of shapes stylecam does not broadcast.");
    struct sc_onnx_val *v = out_val(x, 0, big->rank, big->dims, a->is_int && b->is_int);
    for (long k = 0; v && k < v->n; k++) {
        long ka = a->n == 1 ? 0 : k, kb = b->n == 1 ? 0 : k;
        if (v->is_int) {
            int64_t p = geti(a, ka), q = geti(b, kb), r = 0;
            int over = op == '+' ? __builtin_add_overflow(p, q, &r)
                     : op == '-' ? __builtin_sub_overflow(p, q, &r)
                     : op == '*' ? __builtin_mul_overflow(p, q, &r)
                     : q == 0 || (p == INT64_MIN && q == -1);
            if (op == '/' && !over)
                r = p / q;
            v->i[k] = p == SC_ONNX_UNK || q == SC_ONNX_UNK || over ? SC_ONNX_UNK : r;
        } else {
            float p = getf(a, ka), q = getf(b, kb);
            v->f[k] = op == '+' ? p + q : op == '-' ? p - q : op == '*' ? p * q : p / q;
        }
    }
    return v ? SC_OK : SC_ERR_FORMAT;
}

static enum sc_status fold_const_of_shape(struct sc_onnx *x, const struct sc_onnx_val *s)
{
    int64_t dims[SC_ONNX_MAX_RANK];
    if (s->n > SC_ONNX_MAX_RANK)
        return sc_onnx_fail(x, "makes a constant of too many dimensions.");
    for (int k = 0; k < s->n; k++)
        dims[k] = geti(s, k);
    const ScOnnx__AttributeProto *a = sc_onnx_attr(x->node, "value");
    struct sc_onnx_val fill = {.n = 0};
    enum sc_status st = a && a->t ? sc_onnx_tensor(x, a->t, &fill) : SC_OK;
    struct sc_onnx_val *v = st ? NULL : out_val(x, 0, (int)s->n, dims, fill.n ? fill.is_int : 0);
    for (long k = 0; v && k < v->n; k++) {
        if (v->is_int)
            v->i[k] = fill.n ? geti(&fill, 0) : 0;
        else
            v->f[k] = fill.n ? getf(&fill, 0) : 0;
    }
    free(fill.f);
    free(fill.i);
    return st ? st : v ? SC_OK : SC_ERR_FORMAT;
}

/* Element-wise functions of one constant (older exporters' size arithmetic). */
static enum sc_status fold_unary(struct sc_onnx *x, const struct sc_onnx_val *a, const char *op)
{
    struct sc_onnx_val *v = out_val(x, 0, a->rank, a->dims, a->is_int);
    for (long k = 0; v && k < v->n; k++) {
        if (v->is_int) {
            int64_t p = a->i[k];
            v->i[k] = p == SC_ONNX_UNK || p == INT64_MIN ? SC_ONNX_UNK
                    : op[0] == 'N' ? -p : op[0] == 'A' ? (p < 0 ? -p : p) : p;
        } else {
            float p = a->f[k];
            v->f[k] = !strcmp(op, "Floor") ? floorf(p) : !strcmp(op, "Ceil") ? ceilf(p)
                    : !strcmp(op, "Round") ? rintf(p) : !strcmp(op, "Neg") ? -p
                    : !strcmp(op, "Abs") ? fabsf(p) : sqrtf(p);
        }
    }
    return v ? SC_OK : SC_ERR_FORMAT;
}

enum sc_status sc_onnx_fold(struct sc_onnx *x, int *done)
{
    const char *op = x->node->op_type ? x->node->op_type : "";
    struct sc_onnx_val *a = sc_onnx_input(x, 0), *b = sc_onnx_input(x, 1);
    *done = 1;
    if (strcmp(op, "Constant") == 0)
        return fold_constant(x);
    if (strcmp(op, "Shape") == 0 && a)
        return fold_shape(x, a);
    if (!a || !a->is_const) {
        *done = 0;
        return SC_OK;
    }
    for (size_t k = 0; k < x->node->n_input; k++) {
        const struct sc_onnx_val *in = sc_onnx_input(x, (int)k);
        if (in && in->is_const && !usable(in))
            return sc_onnx_fail(x, "has a constant input without the data its shape "
                                "declares; the file is damaged.");
    }
    if (strcmp(op, "Identity") == 0 || strcmp(op, "Cast") == 0) {
        int64_t to = sc_onnx_attr_int(x->node, "to", a->is_int ? 7 : 1);
        return fold_copy(x, a, a->rank, a->dims, !(to == 1 || to == 10 || to == 11));
    }
    if (strcmp(op, "Gather") == 0 && b)
        return fold_gather(x, a, b);
    if (strcmp(op, "Concat") == 0)
        return fold_concat(x);
    if (strcmp(op, "Slice") == 0)
        return fold_slice(x, a);
    if (strcmp(op, "Transpose") == 0)
        return fold_transpose(x, a);
    if (strcmp(op, "Reshape") == 0)
        return fold_reshape(x, a, b);
    if (strcmp(op, "Unsqueeze") == 0 || strcmp(op, "Squeeze") == 0)
        return fold_unsqueeze(x, a, op[0] == 'S');
    if (strcmp(op, "ConstantOfShape") == 0)
        return fold_const_of_shape(x, a);
    static const char *const unary[] = {"Floor", "Ceil", "Round", "Neg", "Abs", "Sqrt"};
    for (int k = 0; k < 6; k++)
        if (strcmp(op, unary[k]) == 0)
            return fold_unary(x, a, op);
    static const char ops[] = "+-*/";
    static const char *const names[] = {"Add", "Sub", "Mul", "Div"};
    for (int k = 0; k < 4; k++)
        if (strcmp(op, names[k]) == 0 && b && b->is_const)
            return fold_arith(x, a, b, ops[k]);
    *done = 0;
    return SC_OK;
}

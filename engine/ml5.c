/* The ml5 network (Engstrom's fast style transfer, ../shared/README.md) as
 * a description: its 48 variables become layers. */
#include "engine/ml5_priv.h"

#include <stdio.h>

#include "engine/arch.h"

static enum sc_status add(struct sc_net *n, struct sc_net_layer *l, int *cur,
                          struct sc_error *err)
{
    l->in[0] = *cur;
    if (l->op != SC_OP_ADD)
        l->in[1] = -1;
    return sc_net_add(n, l, cur, err);
}

/* conv or deconv, its instance norm, then relu and the residual. */
static enum sc_status add_block(struct sc_net *n, const struct sc_model *m,
                                const struct sc_layer *a, int *cur, int *block_in,
                                struct sc_error *err)
{
    int deconv = a->kind == SC_LAYER_DECONV;
    struct sc_net_layer c = {.op = deconv ? SC_OP_DECONV : SC_OP_CONV, .out = a->out,
                             .k = a->k, .stride = a->stride, .groups = 1,
                             .w = sc_model_var(m, a->id), .nw = sc_arch_var_count(a->id)};
    snprintf(c.name, sizeof c.name, "%s%d", deconv ? "deconv" : "conv", a->id);
    if (deconv) {
        c.pad[2] = c.pad[3] = 1;   /* TF SAME: out = 2n, the odd padding after */
    } else {
        c.pad_mode = SC_PAD_SAME_UPPER;
    }
    if (a->res == SC_RES_BEGIN)
        *block_in = *cur;
    enum sc_status st = add(n, &c, cur, err);
    struct sc_net_layer nm = {.op = SC_OP_NORM, .eps = 0.001f,
                              .w = sc_model_var(m, a->id + 2), .b = sc_model_var(m, a->id + 1),
                              .nw = a->out, .nb = a->out};
    snprintf(nm.name, sizeof nm.name, "norm%d", a->id);
    if (!st)
        st = add(n, &nm, cur, err);
    struct sc_net_layer r = {.op = SC_OP_RELU, .name = "relu"};
    if (!st && a->relu)
        st = add(n, &r, cur, err);
    struct sc_net_layer res = {.op = SC_OP_ADD, .name = "residual", .in = {0, *block_in}};
    if (!st && a->res == SC_RES_END)
        st = add(n, &res, cur, err);
    return st;
}

enum sc_status sc_ml5_net(const struct sc_model *m, struct sc_net **out, struct sc_error *err)
{
    struct sc_net_io io = {.bgr = 0, .in_range = 255, .out_range = 255};
    enum sc_status st = sc_net_init(out, sc_model_name(m), &io, err);
    int cur = 0, block_in = -1;
    for (int i = 0; !st && i < SC_NET_LAYERS; i++)
        st = add_block(*out, m, &sc_net_layers[i], &cur, &block_in, err);
    /* out = 127.5 + 150 tanh(x): the clamp to 0..255 is the output's. */
    static const float a[3] = {150, 150, 150}, b[3] = {127.5f, 127.5f, 127.5f};
    struct sc_net_layer t = {.op = SC_OP_TANH, .name = "tanh"};
    struct sc_net_layer s = {.op = SC_OP_SCALE, .name = "to_pixels", .w = a, .b = b,
                             .nw = 3, .nb = 3};
    if (!st)
        st = add(*out, &t, &cur, err);
    if (!st)
        st = add(*out, &s, &cur, err);
    if (st)
        sc_net_free(out);
    return st;
}

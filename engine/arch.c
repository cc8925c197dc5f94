#include "engine/arch.h"

#define CONV(id, k, s, i, o, r, res) {id, SC_LAYER_CONV, k, s, i, o, r, res}
#define RESBLOCK(id) CONV(id, 3, 1, 128, 128, 1, SC_RES_BEGIN), \
                     CONV(id + 3, 3, 1, 128, 128, 0, SC_RES_END)

const struct sc_layer sc_net_layers[SC_NET_LAYERS] = {
    CONV(0, 9, 1, 3, 32, 1, SC_RES_NONE),
    CONV(3, 3, 2, 32, 64, 1, SC_RES_NONE),
    CONV(6, 3, 2, 64, 128, 1, SC_RES_NONE),
    RESBLOCK(9), RESBLOCK(15), RESBLOCK(21), RESBLOCK(27), RESBLOCK(33),
    {39, SC_LAYER_DECONV, 3, 2, 128, 64, 1, SC_RES_NONE},
    {42, SC_LAYER_DECONV, 3, 2, 64, 32, 1, SC_RES_NONE},
    CONV(45, 9, 1, 32, 3, 0, SC_RES_NONE),
};

int sc_arch_var_shape(int id, int dims[4])
{
    for (int i = 0; i < SC_NET_LAYERS; i++) {
        const struct sc_layer *l = &sc_net_layers[i];
        if (id == l->id) {
            dims[0] = dims[1] = l->k;
            /* TensorFlow stores transposed-conv filters as [kh, kw, out, in]. */
            dims[2] = l->kind == SC_LAYER_DECONV ? l->out : l->in;
            dims[3] = l->kind == SC_LAYER_DECONV ? l->in : l->out;
            return 4;
        }
        if (id == l->id + 1 || id == l->id + 2) {
            dims[0] = l->out;
            return 1;
        }
    }
    return 0;
}

long sc_arch_var_count(int id)
{
    int d[4];
    int r = sc_arch_var_shape(id, d);
    long n = 1;
    for (int i = 0; i < r; i++)
        n *= d[i];
    return r ? n : 0;
}

/* The ml5 fast-style-transfer network's layers and variables (see
 * ../shared/README.md): the model loader validates against them, the sketch
 * generator fills them, and ml5.c turns them into a network description. */
#ifndef SC_ARCH_H
#define SC_ARCH_H

#define SC_NET_VARS 48
#define SC_NET_LAYERS 16

enum sc_layer_kind { SC_LAYER_CONV, SC_LAYER_DECONV };

/* Residual roles: a block saves its input at BEGIN and adds it at END. */
enum sc_layer_res { SC_RES_NONE, SC_RES_BEGIN, SC_RES_END };

struct sc_layer {
    int id;              /* weights Variable_id; norm shift id+1, scale id+2 */
    enum sc_layer_kind kind;
    int k, stride;       /* kernel size; stride (deconv: upsampling factor 2) */
    int in, out;         /* channels */
    int relu;            /* relu after the norm */
    enum sc_layer_res res;
};

extern const struct sc_layer sc_net_layers[SC_NET_LAYERS];

/* The shape Variable_id must have; returns its rank (1 or 4). */
int sc_arch_var_shape(int id, int dims[4]);

/* Number of floats in Variable_id. */
long sc_arch_var_count(int id);

#endif

/* The ONNX importer's state, shared by its files: the model as protobuf-c
 * unpacked it, every named value (constant, or the output of a layer of the
 * description being built) and helpers for attributes and messages. */
#ifndef SC_ONNX_PRIV_H
#define SC_ONNX_PRIV_H

#include <stdint.h>

#include "engine/net.h"
#include "import/import.h"
#include "import/onnx.pb-c.h"

#define SC_ONNX_UNK INT64_MIN     /* a size known only when a picture comes */
#define SC_ONNX_MAX_RANK 8

struct sc_onnx_val {
    const char *name;
    int is_const;                 /* else the output of net layer `layer` */
    int layer;
    int rank;
    int64_t dims[SC_ONNX_MAX_RANK];
    int is_int;                   /* constant data: int64 in i, else float in f */
    float *f;
    int64_t *i;
    long n;
};

struct sc_onnx {
    const char *path;
    ScOnnx__ModelProto *model;
    int opset;
    struct sc_onnx_val **vals;     /* each allocated alone: pointers stay valid */
    int nvals, cap;
    struct sc_net *net;
    int ref_h, ref_w;             /* the input's declared size; 0 if dynamic */
    int probe_h, probe_w;         /* the size Shape answers: declared, else a stand-in */
    const ScOnnx__NodeProto *node;   /* the node being read, for messages */
    struct sc_error *err;
};

/* "FILE: node 'N' (Op) <what>" as one sentence; returns SC_ERR_FORMAT. */
enum sc_status sc_onnx_fail(struct sc_onnx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct sc_onnx_val *sc_onnx_find(struct sc_onnx *x, const char *name);
/* A new value named name (its data owned by the importer). */
struct sc_onnx_val *sc_onnx_add(struct sc_onnx *x, const char *name);
/* Reads a TensorProto into v (checked: type, size against data, external data). */
enum sc_status sc_onnx_tensor(struct sc_onnx *x, const ScOnnx__TensorProto *t,
                              struct sc_onnx_val *v);

const ScOnnx__AttributeProto *sc_onnx_attr(const ScOnnx__NodeProto *n, const char *name);
int64_t sc_onnx_attr_int(const ScOnnx__NodeProto *n, const char *name, int64_t def);
float sc_onnx_attr_float(const ScOnnx__NodeProto *n, const char *name, float def);
/* The string attribute, or def. */
const char *sc_onnx_attr_str(const ScOnnx__NodeProto *n, const char *name, const char *def,
                             char *buf, size_t len);
/* Up to max ints of a list attribute; returns the count (-1: absent). */
int sc_onnx_attr_ints(const ScOnnx__NodeProto *n, const char *name, int64_t *out, int max);
int sc_onnx_attr_floats(const ScOnnx__NodeProto *n, const char *name, float *out, int max);

/* A float as an integer; SC_ONNX_UNK when NaN or out of range. */
int64_t sc_onnx_f2i(float f);

/* Input k of the node: NULL when absent or empty. */
struct sc_onnx_val *sc_onnx_input(struct sc_onnx *x, int k);
/* Input k as a constant: NULL with an error when it is not one. */
struct sc_onnx_val *sc_onnx_const_input(struct sc_onnx *x, int k, const char *what);

/* Appends layer l (reading layers in0, in1) named after the node, and
 * makes the node's output name that layer. */
enum sc_status sc_onnx_emit(struct sc_onnx *x, struct sc_net_layer *l, int in0, int in1);

/* Evaluates a node whose inputs are all constants; *done 0 if the op is
 * not one that folds. */
enum sc_status sc_onnx_fold(struct sc_onnx *x, int *done);

/* sc_import_onnx on a model already in memory (the fuzz target's way in). */
enum sc_status sc_onnx_import_mem(const uint8_t *buf, size_t len, const char *path,
                                  const char *name, const struct sc_import_opts *o,
                                  struct sc_net **out, struct sc_error *err);

/* Turns a node reading the picture into layers of x->net. */
enum sc_status sc_onnx_layer(struct sc_onnx *x);

#endif

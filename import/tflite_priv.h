/* A TensorFlow Lite model (a FlatBuffer, schema tensorflow/lite/schema/
 * schema.fbs) read into plain structs. No well-kept C FlatBuffers reader is
 * packaged in Debian 12 for this (flatcc is not; python3-flatbuffers would put
 * Python in the program's own `stylecam download`), so this is a small
 * reader that checks every offset against the file before following it. */
#ifndef SC_TFLITE_PRIV_H
#define SC_TFLITE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

/* TensorType and BuiltinOperator values of the schema that stylecam reads. */
enum { SC_TFL_F32 = 0, SC_TFL_F16 = 1, SC_TFL_I32 = 2, SC_TFL_U8 = 3, SC_TFL_I64 = 4,
       SC_TFL_I8 = 9 };
enum { SC_TFLOP_ADD = 0, SC_TFLOP_CONV_2D = 3, SC_TFLOP_DEPTHWISE_CONV_2D = 4,
       SC_TFLOP_DEQUANTIZE = 6, SC_TFLOP_LOGISTIC = 14, SC_TFLOP_MUL = 18,
       SC_TFLOP_RELU = 19, SC_TFLOP_RELU6 = 21, SC_TFLOP_RESHAPE = 22, SC_TFLOP_MEAN = 40,
       SC_TFLOP_SUB = 41, SC_TFLOP_RSQRT = 76, SC_TFLOP_RESIZE_NEAREST = 97,
       SC_TFLOP_SQUARED_DIFFERENCE = 99, SC_TFLOP_MIRROR_PAD = 100, SC_TFLOP_QUANTIZE = 114 };

#define SC_TFL_MAX_RANK 8
#define SC_TFL_MAX_IO 8

struct sc_tfl_tensor {
    char name[160];
    int rank, shape[SC_TFL_MAX_RANK];
    int type;                   /* SC_TFL_* */
    const uint8_t *data;        /* constant bytes inside the file, unaligned; NULL if none */
    size_t size;                /* bytes of data */
    int nq;                     /* quantization: nq scales and zero points (0: none) */
    float *scale;
    int64_t *zero_point;
    int qdim;                   /* the axis per-channel scales run along */
};

struct sc_tfl_op {
    int code;                   /* BuiltinOperator (SC_TFLOP_*), or -1 custom */
    int nin, in[SC_TFL_MAX_IO]; /* tensor indices; -1 = optional input left out */
    int nout, out[SC_TFL_MAX_IO];
    size_t opts;                /* offset of its builtin options table, 0 = none */
};

struct sc_tfl {
    char path[512];
    uint8_t *file;              /* the whole file */
    size_t len;
    int ntensors, nops, nin, nout;
    struct sc_tfl_tensor *t;
    struct sc_tfl_op *op;
    int in[SC_TFL_MAX_IO], out[SC_TFL_MAX_IO];  /* the first subgraph's inputs, outputs */
};

/* Reads path; every failure is one sentence naming the file. */
enum sc_status sc_tfl_load(const char *path, struct sc_tfl **out, struct sc_error *err);
void sc_tfl_free(struct sc_tfl **mp);

/* Field `field` of op's builtin options table as an integer of `bytes`
 * (1 or 4, signed) or def when absent; the schema's field order, e.g.
 * Conv2DOptions: 0 padding (0 SAME, 1 VALID), 1 stride_w, 2 stride_h,
 * 3 fused activation (0 none, 1 relu, 3 relu6), 4/5 dilation w/h. */
long sc_tfl_opt_int(const struct sc_tfl *m, const struct sc_tfl_op *op, int field, int bytes,
                    long def);

/* Tensor i's constant data as float32 (float32 or float16 stored), count
 * values into dst; SC_ERR_FORMAT when it holds another type or size. */
enum sc_status sc_tfl_floats(const struct sc_tfl *m, int i, float *dst, long count,
                             struct sc_error *err);

/* Number of elements of tensor i (product of its shape). */
long sc_tfl_count(const struct sc_tfl *m, int i);

/* IEEE half to float. */
float sc_tfl_half(uint16_t h);

#endif

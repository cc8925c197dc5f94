/* stylecam import: an ONNX style network becomes a style folder (a network
 * description the engine runs, engine/netfile_priv.h). */
#ifndef SC_IMPORT_H
#define SC_IMPORT_H

#include "common/status.h"
#include "engine/net.h"

struct sc_import_opts {
    int bgr;              /* 1 BGR, 0 RGB, -1 what the model's metadata says (else RGB) */
    float in_range;       /* 255 or 1; 0 = the metadata's, else 255 */
    float out_range;      /* 255 or 1; 0 = 255 */
};

/* Reads path (an ONNX model) into a description named name. Every failure
 * is one sentence naming the file and, where there is one, the node. */
enum sc_status sc_import_onnx(const char *path, const char *name,
                              const struct sc_import_opts *o, struct sc_net **out,
                              struct sc_error *err);

/* Writes the style folder models_dir/name atomically (a temporary folder
 * renamed into place); an existing style stays unless force. */
enum sc_status sc_import_save(const struct sc_net *n, const char *models_dir,
                              const char *name, int force, struct sc_error *err);

/* Converts Magenta's arbitrary-style TFLite networks (the int8 style
 * predictor and the float16 transformer) into models_dir/arbitrary/predict
 * and models_dir/arbitrary/transfer, written into a temporary folder and
 * renamed into place (a previous copy is swapped out whole). */
enum sc_status sc_import_arbitrary(const char *predict_tflite, const char *transfer_tflite,
                                   const char *models_dir, struct sc_error *err);

#endif

/* The two converters of Magenta's arbitrary-style TFLite networks into
 * stylecam's own formats (import_arbitrary.c drives them). */
#ifndef SC_TFLITE_CONV_PRIV_H
#define SC_TFLITE_CONV_PRIV_H

#include "engine/net.h"
#include "import/tflite_priv.h"

/* The style transformer as a network description whose instance norms take
 * their scale and shift from the style vector (written out by the caller
 * with sc_netfile_write). One sentence naming the file and op on failure. */
enum sc_status sc_tfl_convert_transfer(const struct sc_tfl *m, const char *name,
                                       struct sc_net **out, struct sc_error *err);

/* The int8 style predictor written into the existing folder dir in the
 * format engine/predict.c reads (manifest.json + weights.bin). */
enum sc_status sc_tfl_convert_predict(const struct sc_tfl *m, const char *dir,
                                      struct sc_error *err);

#endif

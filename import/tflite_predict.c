/* STUB, replaced by the predictor converter's author. */
#include "import/tflite_conv_priv.h"

enum sc_status sc_tfl_convert_predict(const struct sc_tfl *m, const char *dir,
                                      struct sc_error *err)
{
    (void)dir;
    return sc_error_set(err, SC_ERR_FORMAT, "%s: not converted yet.", m->path);
}

/* STUB, replaced by the transformer converter's author. */
#include "import/tflite_conv_priv.h"

enum sc_status sc_tfl_convert_transfer(const struct sc_tfl *m, const char *name,
                                       struct sc_net **out, struct sc_error *err)
{
    (void)name;
    *out = NULL;
    return sc_error_set(err, SC_ERR_FORMAT, "%s: not converted yet.", m->path);
}

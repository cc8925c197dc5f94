/* STUB until written. */
#include "import/import.h"

enum sc_status sc_import_arbitrary(const char *predict_tflite, const char *transfer_tflite,
                                   const char *models_dir, struct sc_error *err)
{
    (void)transfer_tflite; (void)models_dir;
    return sc_error_set(err, SC_ERR_FORMAT, "%s: not converted yet.", predict_tflite);
}

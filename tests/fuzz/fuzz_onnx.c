/* libFuzzer target for the ONNX importer: the input is an ONNX file; a
 * failure must say why, a success must give a description whose shapes
 * work out (or fail in a sentence) at a few picture sizes. */
#include <stdint.h>
#include <stdlib.h>

#include "engine/net.h"
#include "import/onnx_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sc_import_opts o = {-1, 0, 0};
    struct sc_net *n = NULL;
    struct sc_error err = {0};
    if (sc_onnx_import_mem(data, size, "fuzz.onnx", "fuzz", &o, &n, &err) != SC_OK) {
        if (!err.msg[0] || n)
            abort();   /* every failure must say why, and leave nothing */
        return 0;
    }
    int (*dims)[2] = malloc((size_t)sc_net_count(n) * sizeof *dims);
    static const int sizes[][2] = {{16, 16}, {33, 17}, {160, 120}};
    for (int i = 0; dims && i < 3; i++) {
        err.msg[0] = '\0';
        if (sc_net_shapes(n, sizes[i][0], sizes[i][1], dims, &err) != SC_OK && !err.msg[0])
            abort();
    }
    free(dims);
    sc_net_free(&n);
    return 0;
}

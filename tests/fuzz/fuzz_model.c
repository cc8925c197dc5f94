/* libFuzzer target for the manifest parser and the model loader. The first
 * byte picks the path: parse only (fast), or write the input as a style's
 * manifest.json beside valid variable files and load the whole folder. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/manifest_priv.h"
#include "engine/model.h"
#include "tests/util/stylefolder.h"

static char style_dir[2048];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The style folder goes under TMPDIR (tests/fuzz/run.sh gives each run its
 * own, removed at the end). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(style_dir, sizeof style_dir, "%s/sc-fuzz-style-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(style_dir) || sc_test_write_style(style_dir) != 0) {
        fprintf(stderr, "fuzz_model: cannot make a style folder in %s\n",
                tmp && *tmp ? tmp : "/tmp");
        abort();
    }
    return 0;
}

static void load_folder(const uint8_t *data, size_t size)
{
    char path[2100];
    snprintf(path, sizeof path, "%s/manifest.json", style_dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    struct sc_model *m = NULL;
    struct sc_error err;
    if (sc_model_load(style_dir, &m, &err) == SC_OK)
        sc_model_free(&m);
    else if (!err.msg[0])
        abort();   /* every failure must say why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] == '{' || size > 4096) {
        static struct sc_manifest man;
        struct sc_error err;
        if (sc_manifest_parse((const char *)data, size, "manifest.json", &man, &err) != SC_OK &&
            !err.msg[0])
            abort();
    } else {
        load_folder(data + 1, size - 1);
    }
    return 0;
}

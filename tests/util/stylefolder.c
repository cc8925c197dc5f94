#include "tests/util/stylefolder.h"

#include <stdio.h>
#include <string.h>

#include "engine/arch.h"
#include "engine/model.h"

int sc_test_write_manifest(const char *dir, int id_edit, const char *filename,
                           const char *shape_json)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("{\n", f);
    for (int id = 0; id < SC_NET_VARS; id++) {
        char name[32], shape[64];
        snprintf(name, sizeof name, id ? "Variable_%d" : "Variable", id);
        int d[4], r = sc_arch_var_shape(id, d);
        size_t o = (size_t)snprintf(shape, sizeof shape, "[");
        for (int i = 0; i < r; i++)
            o += (size_t)snprintf(shape + o, sizeof shape - o, "%s%d", i ? ", " : "", d[i]);
        snprintf(shape + o, sizeof shape - o, "]");
        int edit = id == id_edit;
        fprintf(f, "  \"%s\": {\"filename\": \"%s\", \"shape\": %s}%s\n", name,
                edit && filename ? filename : name, edit && shape_json ? shape_json : shape,
                id + 1 < SC_NET_VARS ? "," : "");
    }
    fputs("}\n", f);
    return fclose(f);
}

int sc_test_write_style(const char *dir)
{
    struct sc_model *m;
    if (sc_model_init_sketch(&m, NULL))
        return -1;
    int rc = sc_test_write_manifest(dir, -1, NULL, NULL);
    for (int id = 0; !rc && id < SC_NET_VARS; id++) {
        char path[1200];
        snprintf(path, sizeof path, id ? "%s/Variable_%d" : "%s/Variable", dir, id);
        FILE *f = fopen(path, "wb");
        if (!f)
            return -1;
        size_t n = (size_t)sc_arch_var_count(id);
        if (fwrite(sc_model_var(m, id), sizeof(float), n, f) != n)
            rc = -1;
        if (fclose(f))
            rc = -1;
    }
    sc_model_free(&m);
    return rc;
}

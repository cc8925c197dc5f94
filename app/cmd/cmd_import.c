/* stylecam import MODEL.onnx NAME [--models DIR] [--channels rgb|bgr]
 * [--input-range 255|1] [--output-range 255|1] [--force] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "import/import.h"

static const char usage[] =
    "usage: stylecam import MODEL.onnx NAME [--models DIR] [--channels rgb|bgr]\n"
    "                       [--input-range 255|1] [--output-range 255|1] [--force]\n";

static int range(const char *s, float *out)
{
    if (strcmp(s, "255") == 0 || strcmp(s, "1") == 0) {
        *out = (float)atof(s);
        return 0;
    }
    return -1;
}

/* Parses the arguments after "import"; returns 0 or prints usage. */
static int parse(int argc, char **argv, const char **pos, const char **models,
                 struct sc_import_opts *o, int *force)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (strcmp(a, "--force") == 0) {
            *force = 1;
            continue;
        } else if (strcmp(a, "--models") == 0 && v) {
            *models = v;
        } else if (strcmp(a, "--channels") == 0 && v) {
            o->bgr = strcmp(v, "bgr") == 0 ? 1 : strcmp(v, "rgb") == 0 ? 0 : (bad = 1);
        } else if (strcmp(a, "--input-range") == 0 && v) {
            bad = range(v, &o->in_range);
        } else if (strcmp(a, "--output-range") == 0 && v) {
            bad = range(v, &o->out_range);
        } else if (a[0] == '-' || npos == 2) {
            sc_err("import: unexpected argument '%s'.", a);
            return -1;
        } else {
            pos[npos++] = a;
            continue;
        }
        if (bad) {
            sc_err("import: %s takes %s, not '%s'.", a, strcmp(a, "--channels") == 0
                   ? "rgb or bgr" : "255 or 1", v);
            return -1;
        }
        i++;
    }
    if (npos != 2) {
        fputs(usage, stderr);
        return -1;
    }
    return 0;
}

int sc_cmd_import(int argc, char **argv)
{
    const char *pos[2], *models = NULL;
    struct sc_import_opts o = {-1, 0, 0};
    int force = 0;
    if (parse(argc, argv, pos, &models, &o, &force))
        return 2;
    struct sc_env env;
    struct sc_error err;
    char dir[PATH_MAX + 32];
    if (!models && sc_env_read(&env, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 2;
    }
    if (models)   /* the first folder of a colon list */
        snprintf(dir, sizeof dir, "%.*s", (int)strcspn(models, ":"), models);
    else
        snprintf(dir, sizeof dir, "%s/stylecam/models", env.data_home);
    struct sc_net *net = NULL;
    enum sc_status st = sc_import_onnx(pos[0], pos[1], &o, &net, &err);
    if (!st)
        st = sc_import_save(net, dir, pos[1], force, &err);
    sc_net_free(&net);
    if (st) {
        sc_err("%s", err.msg);
        return 1;
    }
    printf("Imported %s as style '%s' in %s.\n", pos[0], pos[1], dir);
    return 0;
}

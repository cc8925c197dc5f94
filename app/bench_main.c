/* The bench-only program (meson -Dbench_only=true, or bench/gpu.sh's direct
 * build): the engine and `stylecam bench`, no camera, window, recorder or
 * downloads, so it builds where only OpenCL and json-c are at hand. */
#include <stdio.h>
#include <string.h>

#include "app/cmd/cli.h"
#include "app/cmd/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "engine/engine.h"

#ifndef SC_MODELS_SYSDIR
#define SC_MODELS_SYSDIR "/usr/local/share/stylecam/models"
#endif
#ifndef SC_VERSION
#define SC_VERSION "bench-only"
#endif

static int dispatch(struct sc_app *app)
{
    struct sc_error err;
    switch (app->opt->cmd) {
    case SC_CMD_HELP:
        puts("usage: stylecam bench [--style NAME] [--models DIR] [--size WxH ...] "
             "[--frames N] [--json] [--dump DIR] [--fp16] [--cl-device N]\n"
             "       stylecam --list-cl-devices\n"
             "(a bench-only build: no camera, window, recorder, import or download)");
        return 0;
    case SC_CMD_VERSION: puts("stylecam " SC_VERSION " (bench-only)"); return 0;
    case SC_CMD_BENCH: return sc_cmd_bench(app);
    case SC_CMD_LIST_CL:
        if (sc_engine_list_devices(stdout, &err) == SC_OK)
            return 0;
        sc_err("%s", err.msg);
        return 1;
    default:
        sc_err("This is a bench-only build of stylecam (-Dbench_only=true): it runs only "
               "'stylecam bench' and --list-cl-devices.");
        return 2;
    }
}

int main(int argc, char **argv)
{
    struct sc_options opt;
    struct sc_error err;
    sc_error_clear(&err);
    if (sc_cli_parse(argc, argv, &opt, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 2;
    }
    if (opt.verbose)
        sc_log_set_level(SC_LOG_DEBUG);
    struct sc_env env;
    if (sc_env_read(&env, &err) != SC_OK) {
        sc_err("%s", err.msg);
        return 2;
    }
    static struct sc_app app;
    app.opt = &opt;
    app.env = &env;
    app.cl_device = opt.cl_device >= 0 ? opt.cl_device : env.cl_device;
    sc_styles_scan(&app.styles, opt.models, env.models, env.data_home, SC_MODELS_SYSDIR);
    return dispatch(&app);
}

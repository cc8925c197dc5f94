/* stylecam's entry point: parse, read settings once, run a command, exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/cli.h"
#include "app/cmd/commands.h"
#include "common/config.h"
#include "common/log.h"

#ifdef HAVE_PIPEWIRE
#include <pipewire/pipewire.h>
#endif

#ifndef SC_MODELS_SYSDIR
#define SC_MODELS_SYSDIR "/usr/local/share/stylecam/models"
#endif

static int dispatch(struct sc_app *app)
{
    switch (app->opt->cmd) {
    case SC_CMD_HELP: sc_cli_usage(stdout); return 0;
    case SC_CMD_VERSION: puts("stylecam " SC_VERSION); return 0;
    case SC_CMD_LIST_CL: return sc_cmd_list_cl(app);
    case SC_CMD_LIST_STYLES: return sc_cmd_list_styles(app);
    case SC_CMD_STYLIZE: return sc_cmd_stylize(app);
    case SC_CMD_BENCH: return sc_cmd_bench(app);
    case SC_CMD_LIST_DEVICES: return sc_cmd_list_devices(app);
    case SC_CMD_LIVE: return sc_cmd_live(app);
    }
    return 2;
}

int main(int argc, char **argv)
{
#ifdef HAVE_PIPEWIRE
    /* Before any thread: the PipeWire camera (capture thread) and virtual
     * camera (its own thread) may open at once, and pw_init is not safe
     * to race. Their own pw_init calls then only count references. */
    pw_init(&argc, &argv);
#endif
    struct sc_options opt;
    if (argc > 1 && strcmp(argv[1], "import") == 0)
        exit(sc_cmd_import(argc - 1, argv + 1));
    if (argc > 1 && strcmp(argv[1], "download") == 0)
        exit(sc_cmd_download(argc - 1, argv + 1));
    struct sc_error err;
    sc_error_clear(&err);
    /* 2: a bad command line or setting; commands return 1 on failure. */
    if (sc_cli_parse(argc, argv, &opt, &err) != SC_OK) {
        sc_err("%s", err.msg);
        exit(2);
    }
    if (opt.verbose)
        sc_log_set_level(SC_LOG_DEBUG);
    struct sc_env env;
    if (sc_env_read(&env, &err) != SC_OK) {
        sc_err("%s", err.msg);
        exit(2);
    }
    static struct sc_app app;
    app.opt = &opt;
    app.env = &env;
    app.cl_device = opt.cl_device >= 0 ? opt.cl_device : env.cl_device;
    sc_styles_scan(&app.styles, opt.models, env.models, env.data_home, SC_MODELS_SYSDIR);
    exit(dispatch(&app));
}

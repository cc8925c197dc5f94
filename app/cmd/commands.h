/* The program's commands; each returns the process exit status (0 ok,
 * 1 failure) after printing its own one-sentence error. */
#ifndef SC_COMMANDS_H
#define SC_COMMANDS_H

#include "app/cmd/cli.h"
#include "common/config.h"
#include "app/cmd/styles.h"

struct sc_app {
    const struct sc_options *opt;
    const struct sc_env *env;
    struct sc_styles styles;
    int cl_device;          /* --cl-device, else STYLECAM_CL_DEVICE, else -1 */
};

int sc_cmd_stylize(struct sc_app *app);
int sc_cmd_bench(struct sc_app *app);
/* stylecam bench --flicker (app/cmd/cmd_flicker.c), dispatched by sc_cmd_bench. */
int sc_cmd_bench_flicker(struct sc_app *app);
int sc_cmd_live(struct sc_app *app);
int sc_cmd_list_devices(struct sc_app *app);
int sc_cmd_list_cl(struct sc_app *app);
int sc_cmd_list_styles(struct sc_app *app);
/* stylecam import: argv from "import" on, parsed here. */
int sc_cmd_import(int argc, char **argv);
/* stylecam download: argv from "download" on, parsed here. */
int sc_cmd_download(int argc, char **argv);

#endif

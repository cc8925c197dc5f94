/* Settings from the environment, read once at start-up in one place. */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

#include <limits.h>
#include <stddef.h>

#include "common/status.h"

struct sc_env {
    char home[PATH_MAX];         /* $HOME, or /tmp */
    char models[PATH_MAX];       /* STYLECAM_MODELS, "" if unset */
    int cl_device;               /* STYLECAM_CL_DEVICE, -1 if unset */
    char data_home[PATH_MAX];    /* $XDG_DATA_HOME or ~/.local/share */
    char videos_dir[PATH_MAX];   /* $XDG_VIDEOS_DIR or ~/Videos */
    char cache_dir[PATH_MAX];    /* $XDG_CACHE_HOME/stylecam or ~/.cache/stylecam */
    char config_home[PATH_MAX];  /* $XDG_CONFIG_HOME (absolute) or ~/.config */
    int has_display;             /* DISPLAY or WAYLAND_DISPLAY set */
    char models_url[1024];       /* STYLECAM_MODELS_URL, "" = the pinned upstream */
    char license_url[1024];      /* STYLECAM_LICENSE_URL, "" = derived from the above */
    int download_timeout;        /* STYLECAM_DOWNLOAD_TIMEOUT seconds, default 20 */
    int download_retries;        /* STYLECAM_DOWNLOAD_RETRIES, default 3 */
};

/* Fills env; returns SC_OK, or SC_ERR_ARG with one sentence in err when a
 * value is invalid. */
enum sc_status sc_env_read(struct sc_env *env, struct sc_error *err);

#endif

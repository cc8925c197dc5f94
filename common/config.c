#include "common/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && v[0] ? v : fallback;
}

enum sc_status sc_env_read(struct sc_env *env, struct sc_error *err)
{
    memset(env, 0, sizeof *env);
    const char *home = env_or("HOME", "/tmp");
    snprintf(env->home, sizeof env->home, "%s", home);
    snprintf(env->models, sizeof env->models, "%s", env_or("STYLECAM_MODELS", ""));
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && xdg[0])
        snprintf(env->data_home, sizeof env->data_home, "%s", xdg);
    else
        snprintf(env->data_home, sizeof env->data_home, "%s/.local/share", home);
    const char *vid = getenv("XDG_VIDEOS_DIR");
    if (vid && vid[0])
        snprintf(env->videos_dir, sizeof env->videos_dir, "%s", vid);
    else
        snprintf(env->videos_dir, sizeof env->videos_dir, "%s/Videos", home);
    const char *cache = getenv("XDG_CACHE_HOME");
    if (cache && cache[0])
        snprintf(env->cache_dir, sizeof env->cache_dir, "%s/stylecam/kernels", cache);
    else
        snprintf(env->cache_dir, sizeof env->cache_dir, "%s/.cache/stylecam/kernels", home);
    env->has_display = env_or("DISPLAY", NULL) || env_or("WAYLAND_DISPLAY", NULL);
    env->cl_device = -1;
    const char *dev = getenv("STYLECAM_CL_DEVICE");
    if (dev && dev[0]) {
        char *end;
        long v = strtol(dev, &end, 10);
        if (*end || v < 0 || v > 1000)
            return sc_error_set(err, SC_ERR_ARG, "STYLECAM_CL_DEVICE='%s' is not a device "
                                "number; run 'stylecam --list-cl-devices' to see them.", dev);
        env->cl_device = (int)v;
    }
    return SC_OK;
}

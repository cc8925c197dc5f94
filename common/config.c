#include "common/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole number from the environment, or fallback when unset. */
static enum sc_status env_int(const char *name, int fallback, int lo, int hi, int *out,
                              struct sc_error *err)
{
    const char *v = getenv(name);
    *out = fallback;
    if (!v || !v[0])
        return SC_OK;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi)
        return sc_error_set(err, SC_ERR_ARG, "%s='%s' must be a whole number from %d to %d.",
                            name, v, lo, hi);
    *out = (int)n;
    return SC_OK;
}

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
    /* XDG: a relative XDG_CONFIG_HOME is invalid and ignored. */
    const char *conf = getenv("XDG_CONFIG_HOME");
    if (conf && conf[0] == '/')
        snprintf(env->config_home, sizeof env->config_home, "%s", conf);
    else
        snprintf(env->config_home, sizeof env->config_home, "%s/.config", home);
    env->has_display = env_or("DISPLAY", NULL) || env_or("WAYLAND_DISPLAY", NULL);
    snprintf(env->models_url, sizeof env->models_url, "%s", env_or("STYLECAM_MODELS_URL", ""));
    snprintf(env->license_url, sizeof env->license_url, "%s",
             env_or("STYLECAM_LICENSE_URL", ""));
    if (env_int("STYLECAM_DOWNLOAD_TIMEOUT", 20, 0, 3600, &env->download_timeout, err) ||
        env_int("STYLECAM_DOWNLOAD_RETRIES", 3, 0, 100, &env->download_retries, err))
        return err->status;
    if (env->download_timeout == 0)
        env->download_timeout = 1;
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

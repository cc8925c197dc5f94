#include "app/cmd/styles.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void add_dirs(struct sc_styles *s, const char *colon_list)
{
    const char *p = colon_list;
    while (*p && s->ndirs < SC_MAX_DIRS) {
        size_t n = strcspn(p, ":");
        if (n > 0 && n < PATH_MAX)
            snprintf(s->dirs[s->ndirs++], PATH_MAX, "%.*s", (int)n, p);
        p += n + (p[n] == ':');
    }
}

static void add_style(struct sc_styles *s, const char *name, const char *dir)
{
    if (s->n == SC_MAX_STYLES || sc_styles_find(s, name) >= 0)
        return;
    snprintf(s->list[s->n].name, sizeof s->list[s->n].name, "%s", name);
    snprintf(s->list[s->n].dir, sizeof s->list[s->n].dir, "%s", dir);
    s->n++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct sc_style_entry *)a)->name,
                  ((const struct sc_style_entry *)b)->name);
}

static void scan_dir(struct sc_styles *s, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strlen(de->d_name) >= 128)
            continue;
        char path[PATH_MAX + 256], manifest[PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        snprintf(manifest, sizeof manifest, "%s/manifest.json", path);
        struct stat sb;
        if (stat(manifest, &sb) == 0 && strlen(path) < PATH_MAX)
            add_style(s, de->d_name, path);
    }
    closedir(d);
}

void sc_styles_scan(struct sc_styles *s, const char *models_opt, const char *env_models,
                    const char *data_home, const char *sysdir)
{
    memset(s, 0, sizeof *s);
    if (models_opt && models_opt[0]) {
        add_dirs(s, models_opt);
    } else if (env_models && env_models[0]) {
        add_dirs(s, env_models);
    } else {
        char user[PATH_MAX + 32];
        snprintf(user, sizeof user, "%s/stylecam/models", data_home);
        add_dirs(s, "./models");
        if (strlen(user) < PATH_MAX)
            snprintf(s->dirs[s->ndirs++], PATH_MAX, "%s", user);
        snprintf(s->dirs[s->ndirs++], PATH_MAX, "%s", sysdir);
    }
    for (int i = 0; i < s->ndirs; i++)
        scan_dir(s, s->dirs[i]);
    qsort(s->list, (size_t)s->n, sizeof s->list[0], by_name);
    add_style(s, SC_BUILTIN_SKETCH, "");
}

void sc_styles_print(const struct sc_styles *s, FILE *out)
{
    fprintf(out, "Search path:\n");
    for (int i = 0; i < s->ndirs; i++)
        fprintf(out, "  %s%s\n", s->dirs[i], access(s->dirs[i], R_OK) ? " (absent)" : "");
    fprintf(out, "Styles (keys 1-9 pick the first nine):\n");
    for (int i = 0; i < s->n; i++)
        fprintf(out, "  %2d  %-16s %s\n", i + 1, s->list[i].name,
                s->list[i].dir[0] ? s->list[i].dir : "(built in)");
}

int sc_styles_find(const struct sc_styles *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->list[i].name, name) == 0)
            return i;
    return -1;
}

enum sc_status sc_styles_load(const struct sc_styles *s, int i, struct sc_model **out,
                              struct sc_error *err)
{
    if (!s->list[i].dir[0])
        return sc_model_init_sketch(out, err);
    return sc_model_load(s->list[i].dir, out, err);
}

enum sc_status sc_styles_unknown(const struct sc_styles *s, const char *name,
                                 struct sc_error *err)
{
    char names[600] = "";
    size_t o = 0;
    for (int i = 0; i < s->n && o < sizeof names - 64; i++)
        o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "",
                              s->list[i].name);
    return sc_error_set(err, SC_ERR_NOT_FOUND, "Unknown style '%s'; the styles found "
                        "are: %s (run 'stylecam --list-styles' to see where they come "
                        "from, or 'stylecam download' to get more).", name, names);
}

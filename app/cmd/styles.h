/* The style search path and what it holds. A style is a folder holding
 * manifest.json; its name is the folder's name. The built-in "sketch"
 * needs no folder. */
#ifndef SC_STYLES_H
#define SC_STYLES_H

#include <limits.h>
#include <stdio.h>

#include "engine/model.h"
#include "common/status.h"

#define SC_MAX_DIRS 16
#define SC_MAX_STYLES 64
#define SC_BUILTIN_SKETCH "sketch"

struct sc_style_entry {
    char name[128];
    char dir[PATH_MAX];      /* "" for a built-in */
};

struct sc_styles {
    char dirs[SC_MAX_DIRS][PATH_MAX];   /* the search path, in order */
    int ndirs;
    struct sc_style_entry list[SC_MAX_STYLES];  /* by name; first directory wins */
    int n;
};

/* Builds the search path: models_opt (--models, colon-separated) if set,
 * else env_models (STYLECAM_MODELS) if set, else ./models,
 * data_home/stylecam/models and sysdir; then lists the styles in it
 * (sorted by name, the built-in sketch last). */
void sc_styles_scan(struct sc_styles *s, const char *models_opt, const char *env_models,
                    const char *data_home, const char *sysdir);

/* Prints the search path and the styles found. */
void sc_styles_print(const struct sc_styles *s, FILE *out);

/* Index of name in s->list, or -1. */
int sc_styles_find(const struct sc_styles *s, const char *name);

/* Loads style i (from its folder, or the built-in). */
enum sc_status sc_styles_load(const struct sc_styles *s, int i, struct sc_model **out,
                              struct sc_error *err);

/* Sets err to the "unknown style" sentence, naming what exists. */
enum sc_status sc_styles_unknown(const struct sc_styles *s, const char *name,
                                 struct sc_error *err);

#endif

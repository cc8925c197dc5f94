/* Picture styles kept between runs, in $XDG_DATA_HOME/stylecam/styles: for
 * each, NAME.png (the picture) and NAME.vec (its style vector, text: a
 * header line and one value a line), each written whole or not at all. */
#ifndef SC_STORE_H
#define SC_STORE_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "common/status.h"
#include "engine/predict.h"

#define SC_STORE_MAX 64

/* data_home/stylecam/styles into dir. */
void sc_store_dir(const char *data_home, char dir[PATH_MAX]);

/* The names of the stored styles (a NAME.png each), sorted; returns how many. */
int sc_store_list(const char *dir, char names[][64], int max);

/* Saves a style: the folder is made if needed, the picture first, then the
 * vector; a failure (a full disk) leaves neither, with a sentence. */
enum sc_status sc_store_save(const char *dir, const char *name, const uint8_t *rgb, int w,
                             int h, const float vec[SC_STYLE_VEC], struct sc_error *err);

/* Saves the vector alone (a recomputed one). */
enum sc_status sc_store_save_vec(const char *dir, const char *name,
                                 const float vec[SC_STYLE_VEC], struct sc_error *err);

/* Reads NAME.vec; SC_ERR_FORMAT with a sentence when it is missing, of the
 * wrong length or holds a value that is not finite. */
enum sc_status sc_store_load_vec(const char *dir, const char *name, float vec[SC_STYLE_VEC],
                                 struct sc_error *err);

/* The picture's path. */
void sc_store_picture(const char *dir, const char *name, char path[PATH_MAX]);

/* 1 when NAME.png or NAME.vec exists. */
int sc_store_has(const char *dir, const char *name);

/* Prints the stored styles for --list-styles, numbered from first (they
 * follow the installed styles on the keys). */
void sc_store_print(const char *dir, int first, FILE *out);

#endif

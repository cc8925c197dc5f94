#include "app/styles/store.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/styles/arbitrary.h"
#include "common/file.h"
#include "common/image_io.h"

#define VEC_HEADER "stylecam style vector 1"

void sc_store_dir(const char *data_home, char dir[PATH_MAX])
{
    snprintf(dir, PATH_MAX, "%.*s/stylecam/styles", PATH_MAX - 32, data_home);
}

static void path_of(const char *dir, const char *name, const char *ext, char path[PATH_MAX])
{
    snprintf(path, PATH_MAX, "%.*s/%.63s%s", PATH_MAX - 80, dir, name, ext);
}

void sc_store_picture(const char *dir, const char *name, char path[PATH_MAX])
{
    path_of(dir, name, ".png", path);
}

int sc_store_has(const char *dir, const char *name)
{
    char a[PATH_MAX], b[PATH_MAX];
    path_of(dir, name, ".png", a);
    path_of(dir, name, ".vec", b);
    return access(a, F_OK) == 0 || access(b, F_OK) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

int sc_store_list(const char *dir, char names[][64], int max)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < max) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 5 || len - 4 >= 64 ||
            strcmp(de->d_name + len - 4, ".png") != 0)
            continue;
        snprintf(names[n++], 64, "%.*s", (int)(len - 4), de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, 64, by_name);
    return n;
}

/* mkdir -p for the store (two levels under data_home at most). */
static enum sc_status make_dir(const char *dir, struct sc_error *err)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) && errno != EEXIST)
            break;
        *s = '/';
    }
    if (mkdir(p, 0755) && errno != EEXIST)
        return sc_error_set(err, SC_ERR_IO, "Cannot create the folder %s for picture styles: "
                            "%s; the style is kept for this session only.", dir,
                            strerror(errno));
    return SC_OK;
}

enum sc_status sc_store_save_vec(const char *dir, const char *name,
                                 const float vec[SC_STYLE_VEC], struct sc_error *err)
{
    char text[SC_STYLE_VEC * 20 + 64], path[PATH_MAX];
    int o = snprintf(text, sizeof text, VEC_HEADER "\n");
    for (int i = 0; i < SC_STYLE_VEC; i++)
        o += snprintf(text + o, sizeof text - (size_t)o, "%.9g\n", (double)vec[i]);
    path_of(dir, name, ".vec", path);
    return sc_file_write_buffer(path, SC_FILE_REPLACE, text, (size_t)o, err);
}

/* The file layer's sentence names the file; the user also needs to hear
 * that the style lives on for this session. */
static enum sc_status not_saved(struct sc_error *err, const char *name)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return sc_error_set(err, err->status, "The style '%s' was not saved: %.900s It is kept "
                        "for this session only.", name, why);
}

enum sc_status sc_store_save(const char *dir, const char *name, const uint8_t *rgb, int w,
                             int h, const float vec[SC_STYLE_VEC], struct sc_error *err)
{
    char png[PATH_MAX];
    enum sc_status st = make_dir(dir, err);
    if (st)
        return st;
    path_of(dir, name, ".png", png);
    st = sc_image_save(png, rgb, w, h, SC_FILE_NO_OVERWRITE, err);
    if (st)
        return not_saved(err, name);
    st = sc_store_save_vec(dir, name, vec, err);
    if (st) {
        unlink(png);    /* a picture without its vector would be predicted again */
        return not_saved(err, name);
    }
    return SC_OK;
}

enum sc_status sc_store_load_vec(const char *dir, const char *name, float vec[SC_STYLE_VEC],
                                 struct sc_error *err)
{
    char path[PATH_MAX], line[128];
    path_of(dir, name, ".vec", path);
    FILE *f = fopen(path, "r");
    if (!f)
        return sc_error_set(err, SC_ERR_FORMAT, "The stored style vector %s cannot be read "
                            "(%s).", path, strerror(errno));
    int n = 0, bad = !fgets(line, sizeof line, f) ||
                     strncmp(line, VEC_HEADER, strlen(VEC_HEADER)) != 0;
    while (!bad && fgets(line, sizeof line, f)) {
        char *end;
        float v = strtof(line, &end);
        if (end == line) {
            bad = 1;
            break;
        }
        if (n < SC_STYLE_VEC)
            vec[n] = v;
        n++;
    }
    fclose(f);
    if (bad || n != SC_STYLE_VEC)
        return sc_error_set(err, SC_ERR_FORMAT, "The stored style vector %s is damaged (%s "
                            "values, %d expected).", path, bad ? "unreadable" : n > SC_STYLE_VEC
                            ? "too many" : "too few", SC_STYLE_VEC);
    if (!sc_arb_vec_ok(vec, SC_STYLE_VEC))
        return sc_error_set(err, SC_ERR_FORMAT, "The stored style vector %s is damaged (a "
                            "value is not a finite number).", path);
    return SC_OK;
}

void sc_store_print(const char *dir, int first, FILE *out)
{
    char names[SC_STORE_MAX][64];
    int n = sc_store_list(dir, names, SC_STORE_MAX);
    fprintf(out, "Picture styles (made with P or a dropped picture) in %s%s\n", dir,
            n ? ":" : ": none");
    for (int i = 0; i < n; i++) {
        char png[PATH_MAX];
        sc_store_picture(dir, names[i], png);
        fprintf(out, "  %2d  %-16s %s\n", first + i, names[i], png);
    }
}

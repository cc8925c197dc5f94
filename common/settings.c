/* The settings file: a tiny "key = value" reader and writer. No Debian C
 * library fits better: GLib's GKeyFile wants [groups] and brings GLib, libconfig
 * and inih add a dependency for a dozen lines of parsing of a file that
 * only stylecam writes. */
#include "common/settings.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/file.h"

#define MAX_FILE (64 * 1024)    /* a settings file is a few hundred bytes */
#define MAX_LINE (PATH_MAX + 64)

void sc_settings_clear(struct sc_settings *s)
{
    memset(s, 0, sizeof *s);
    s->strength = s->keep_colors = s->mirror = s->stabilize = SC_SETTING_UNSET;
    s->window_w = s->window_h = s->fullscreen = SC_SETTING_UNSET;
}

enum sc_status sc_settings_path(char *path, size_t n, const char *config_home,
                                struct sc_error *err)
{
    int len = snprintf(path, n, "%s/stylecam/settings", config_home);
    if (len < 0 || (size_t)len >= n)
        return sc_error_set(err, SC_ERR_ARG, "The settings folder %.200s... is too long a "
                            "path; set XDG_CONFIG_HOME to a shorter one.", config_home);
    return SC_OK;
}

/* ---- reading ---- */

static const char *const bool_words[] = {"off", "on", "no", "yes", "false", "true", "0",
                                         "1", NULL};
static const char *const stab_words[] = {"off", "on", "strong", NULL};

static int word_index(const char *v, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(v, words[i]) == 0)
            return i;
    return -1;
}

static bool parse_int(const char *v, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi)
        return false;
    *out = (int)x;
    return true;
}

static bool parse_size(const char *v, int *w, int *h)
{
    char wbuf[16];
    const char *x = strchr(v, 'x');
    if (!x || (size_t)(x - v) >= sizeof wbuf)
        return false;
    memcpy(wbuf, v, (size_t)(x - v));
    wbuf[x - v] = '\0';
    return parse_int(wbuf, 64, 16384, w) && parse_int(x + 1, 64, 16384, h);
}

static bool printable(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* One key's value into s; NULL when taken (or the key is unknown), else
 * what the value should have been. */
static const char *set_value(struct sc_settings *s, const char *key, const char *v)
{
    int i;
    if (!strcmp(key, "style")) {
        if (!v[0] || strlen(v) >= sizeof s->style || !printable(v))
            return "a style name";
        snprintf(s->style, sizeof s->style, "%s", v);
    } else if (!strcmp(key, "strength")) {
        if (!parse_int(v, 0, 100, &s->strength))
            return "a percentage from 0 to 100";
    } else if (!strcmp(key, "keep_colors") || !strcmp(key, "mirror") ||
               !strcmp(key, "fullscreen")) {
        if ((i = word_index(v, bool_words)) < 0)
            return "on or off";
        *(key[0] == 'k' ? &s->keep_colors : key[0] == 'm' ? &s->mirror : &s->fullscreen) =
            i % 2;
    } else if (!strcmp(key, "stabilize")) {
        if ((i = word_index(v, stab_words)) < 0)
            return "off, on or strong";
        s->stabilize = i;
    } else if (!strcmp(key, "window_size")) {
        if (!parse_size(v, &s->window_w, &s->window_h))
            return "a size WxH from 64x64 to 16384x16384";
    } else if (!strcmp(key, "camera")) {
        if (!v[0] || strlen(v) >= sizeof s->camera || !printable(v))
            return "a device path";
        snprintf(s->camera, sizeof s->camera, "%s", v);
    }
    return NULL;    /* unknown keys: a newer stylecam's, ignored */
}

static char *trim(char *a, char *b)    /* [a, b) without surrounding blanks */
{
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
        b--;
    *b = '\0';
    return a;
}

static enum sc_status damaged(struct sc_settings *s, const char *name, int line,
                              struct sc_error *err, const char *why)
{
    sc_settings_clear(s);
    return sc_error_set(err, SC_ERR_FORMAT, "The settings file %s is damaged at line %d "
                        "(%s); stylecam starts with its defaults and rewrites the file when "
                        "it closes.", name, line, why);
}

enum sc_status sc_settings_parse(struct sc_settings *s, const char *text, size_t n,
                                 const char *name, struct sc_error *err)
{
    static char line[MAX_LINE + 1];     /* not on the stack: PATH_MAX wide */
    sc_settings_clear(s);
    int lineno = 0;
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(text + at, '\n', n - at);
        size_t len = (nl ? (size_t)(nl - text) : n) - at;
        lineno++;
        if (len > MAX_LINE)
            return damaged(s, name, lineno, err, "a line too long to be a setting");
        memcpy(line, text + at, len);
        line[len] = '\0';
        at += len + 1;
        if (strlen(line) != len)
            return damaged(s, name, lineno, err, "a NUL byte: not a text file");
        char *l = trim(line, line + len);
        if (!l[0] || l[0] == '#')
            continue;
        char *eq = strchr(l, '=');
        char why[160];
        if (!eq) {
            snprintf(why, sizeof why, "'%.60s' is not 'key = value'", l);
            return damaged(s, name, lineno, err, why);
        }
        char *key = trim(l, eq), *v = trim(eq + 1, eq + 1 + strlen(eq + 1));
        if (!key[0])
            return damaged(s, name, lineno, err, "a value without a key");
        const char *want = set_value(s, key, v);
        if (want) {
            snprintf(why, sizeof why, "%.40s must be %s", key, want);
            return damaged(s, name, lineno, err, why);
        }
    }
    return SC_OK;
}

enum sc_status sc_settings_load(struct sc_settings *s, const char *path,
                                struct sc_error *err)
{
    sc_settings_clear(s);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return SC_OK;   /* never saved yet */
        return sc_error_set(err, SC_ERR_IO, "The settings file %s cannot be read (%s); "
                            "stylecam starts with its defaults.", path, strerror(errno));
    }
    static char buf[MAX_FILE + 1];      /* main thread, once per run */
    size_t n = fread(buf, 1, sizeof buf, f);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return sc_error_set(err, SC_ERR_IO, "The settings file %s cannot be read; "
                            "stylecam starts with its defaults.", path);
    if (n > MAX_FILE)
        return sc_error_set(err, SC_ERR_FORMAT, "The settings file %s is damaged (larger "
                            "than %d KiB); stylecam starts with its defaults and rewrites "
                            "the file when it closes.", path, MAX_FILE / 1024);
    return sc_settings_parse(s, buf, n, path, err);
}

/* ---- writing ---- */

size_t sc_settings_format(const struct sc_settings *s, char *buf, size_t n)
{
    size_t at = 0;
#define PUT(...) do { \
        int k_ = snprintf(buf + (at < n ? at : n), at < n ? n - at : 0, __VA_ARGS__); \
        at += k_ > 0 ? (size_t)k_ : 0; \
    } while (0)
    static const char *const onoff[] = {"off", "on"};
    PUT("# stylecam's settings, written when its window closes. One 'key = value' a\n"
        "# line; options on the command line override them for a run.\n");
    if (s->style[0])
        PUT("style = %s\n", s->style);
    if (s->strength >= 0 && s->strength <= 100)
        PUT("strength = %d\n", s->strength);
    if (s->keep_colors == 0 || s->keep_colors == 1)
        PUT("keep_colors = %s\n", onoff[s->keep_colors]);
    if (s->mirror == 0 || s->mirror == 1)
        PUT("mirror = %s\n", onoff[s->mirror]);
    if (s->stabilize >= 0 && s->stabilize <= 2)
        PUT("stabilize = %s\n", stab_words[s->stabilize]);
    if (s->window_w >= 64 && s->window_h >= 64 && s->window_w <= 16384 &&
        s->window_h <= 16384)
        PUT("window_size = %dx%d\n", s->window_w, s->window_h);
    if (s->fullscreen == 0 || s->fullscreen == 1)
        PUT("fullscreen = %s\n", onoff[s->fullscreen]);
    if (s->camera[0])
        PUT("camera = %s\n", s->camera);
#undef PUT
    return at;
}

/* Creates the folders above path (mode 0700, as XDG asks for its base
 * folders); returns 0 or an errno value. */
static int make_parents(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return errno;
        *p = '/';
    }
    return 0;
}

enum sc_status sc_settings_save(const struct sc_settings *s, const char *path,
                                struct sc_error *err)
{
    static char buf[PATH_MAX + 1024];   /* main thread, once per run */
    size_t n = sc_settings_format(s, buf, sizeof buf);
    if (n >= sizeof buf)
        return sc_error_set(err, SC_ERR_ARG, "The settings do not fit in a file (a camera "
                            "path too long?); %s is left as it was.", path);
    int e = make_parents(path);
    if (e)
        return sc_error_set(err, SC_ERR_IO, "Cannot create the folder for %s (%s); the "
                            "settings are not saved.", path, strerror(e));
    return sc_file_write_buffer(path, SC_FILE_REPLACE, buf, n, err);
}

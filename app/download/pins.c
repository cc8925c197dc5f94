/* The pins: which styles exist, where they come from and their digests.
 * models/pins.txt is built into the program (pins_text.c, made at build
 * time), so the program and the digests it trusts never drift apart. */
#include "app/download/download_priv.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

extern const char sc_pins_text[];   /* pins_text.c, generated */

static int copy_word(char *dst, size_t n, const char *w)
{
    if (!w || strlen(w) >= n)
        return -1;
    memcpy(dst, w, strlen(w) + 1);
    return 0;
}

static int is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!strchr("0123456789abcdef", s[i]))
            return 0;
    return 1;
}

/* One line's words into w (at most max); returns how many. */
static int split(char *line, char **w, int max)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, " \t\r", &save); t && n < max;
         t = strtok_r(NULL, " \t\r", &save))
        w[n++] = t;
    return n;
}

/* tflite NAME PREDICTOR SHA256 TRANSFORMER SHA256 BYTES: the two networks of
 * arbitrary style transfer, fetched and converted together. */
static int parse_tflite(struct sc_pins *p, char **w, int n)
{
    if (p->nstyles == SC_DOWNLOAD_MAX_STYLES || n < 6)
        return -1;
    struct sc_pin_style *s = &p->style[p->nstyles];
    memset(s, 0, sizeof *s);
    s->family = SC_DL_ARBITRARY;
    if (copy_word(s->name, sizeof s->name, w[1]) || copy_word(s->file, sizeof s->file, w[2]) ||
        copy_word(s->file2, sizeof s->file2, w[4]) || strchr(s->name, '/') ||
        s->name[0] == '.' || strchr(s->file, '/') || strchr(s->file2, '/') ||
        !is_hex64(w[3]) || !is_hex64(w[5]) || sc_pins_find(p, s->name) >= 0)
        return -1;
    memcpy(s->sum, w[3], 65);
    memcpy(s->sum2, w[5], 65);
    if (n > 6)
        s->bytes = strtoll(w[6], NULL, 10);
    p->nstyles++;
    return 0;
}

static int parse_line(struct sc_pins *p, char **w, int n)
{
    const char *k = w[0];
    if (!strcmp(k, "repo"))
        return copy_word(p->repo, sizeof p->repo, w[1]);
    if (!strcmp(k, "commit"))
        return copy_word(p->commit, sizeof p->commit, w[1]);
    if (!strcmp(k, "folder"))
        return copy_word(p->folder, sizeof p->folder, w[1]);
    if (!strcmp(k, "onnx-repo"))
        return copy_word(p->onnx_repo, sizeof p->onnx_repo, w[1]);
    if (!strcmp(k, "onnx-commit"))
        return copy_word(p->onnx_commit, sizeof p->onnx_commit, w[1]);
    if (!strcmp(k, "onnx-folder"))
        return copy_word(p->onnx_folder, sizeof p->onnx_folder, w[1]);
    if (!strcmp(k, "tflite-repo"))
        return copy_word(p->tfl_repo, sizeof p->tfl_repo, w[1]);
    if (!strcmp(k, "tflite-commit"))
        return copy_word(p->tfl_commit, sizeof p->tfl_commit, w[1]);
    if (!strcmp(k, "tflite-folder"))
        return copy_word(p->tfl_folder, sizeof p->tfl_folder, w[1]);
    if (!strcmp(k, "tflite"))
        return parse_tflite(p, w, n);
    if (!strcmp(k, "license"))
        return n < 3 || !is_hex64(w[2]) ? -1 : copy_word(p->license_sum, 65, w[2]);
    if (!strcmp(k, "files")) {
        for (int i = 1; i < n; i++) {
            if (p->nfiles == SC_PINS_MAX_FILES || strchr(w[i], '/') || w[i][0] == '.' ||
                copy_word(p->files[p->nfiles], sizeof p->files[0], w[i]))
                return -1;
            p->nfiles++;
        }
        return 0;
    }
    int onnx = !strcmp(k, "onnx");
    if (!onnx && strcmp(k, "style"))
        return 0;   /* unknown keys are for newer programs */
    if (p->nstyles == SC_DOWNLOAD_MAX_STYLES || n < 3 + onnx)
        return -1;
    struct sc_pin_style *s = &p->style[p->nstyles];
    memset(s, 0, sizeof *s);
    s->family = onnx ? SC_DL_JOHNSON : SC_DL_ML5;
    if (copy_word(s->name, sizeof s->name, w[1]) || strchr(s->name, '/') || s->name[0] == '.' ||
        (onnx && (copy_word(s->file, sizeof s->file, w[2]) || strchr(s->file, '/'))) ||
        !is_hex64(w[2 + onnx]) || sc_pins_find(p, s->name) >= 0)
        return -1;
    memcpy(s->sum, w[2 + onnx], 65);
    if (n > 3 + onnx)
        s->bytes = strtoll(w[3 + onnx], NULL, 10);
    p->nstyles++;
    return 0;
}

enum sc_status sc_pins_parse(const char *text, struct sc_pins *p, struct sc_error *err)
{
    memset(p, 0, sizeof *p);
    int lineno = 0;
    for (const char *t = text; *t;) {
        size_t len = strcspn(t, "\n");
        char line[1024], *w[40];
        lineno++;
        snprintf(line, sizeof line, "%.*s", (int)(len < 1023 ? len : 1023), t);
        t += len + (t[len] == '\n');
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        int n = split(line, w, 40);
        if (n && (n < 2 || parse_line(p, w, n)))
            return sc_error_set(err, SC_ERR_FORMAT, "The pins (models/pins.txt) are "
                                "malformed at line %d; rebuild stylecam from an intact "
                                "source tree.", lineno);
    }
    if (!p->repo[0] || !p->commit[0] || !p->license_sum[0] || !p->nfiles || !p->nstyles)
        return sc_error_set(err, SC_ERR_FORMAT, "The pins (models/pins.txt) are incomplete "
                            "(they need repo, commit, files, license and style lines); "
                            "rebuild stylecam from an intact source tree.");
    return SC_OK;
}

static struct sc_pins builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static int builtin_ok;

static void parse_builtin(void)
{
    struct sc_error err;
    builtin_ok = sc_pins_parse(sc_pins_text, &builtin, &err) == SC_OK;
}

const struct sc_pins *sc_pins_builtin(void)
{
    pthread_once(&builtin_once, parse_builtin);
    return builtin_ok ? &builtin : NULL;
}

int sc_pins_find(const struct sc_pins *p, const char *name)
{
    for (int i = 0; i < p->nstyles; i++)
        if (!strcmp(p->style[i].name, name))
            return i;
    return -1;
}

void sc_pins_names(const struct sc_pins *p, int family, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < p->nstyles && o < n; i++)
        if ((int)p->style[i].family == family)
            o += (size_t)snprintf(out + o, n - o, "%s%s", o ? " " : "", p->style[i].name);
}

static void to_hex(const unsigned char *md, char hex[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

int sc_sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536], md[32];
    size_t r;
    while (ok && (r = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, r);
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    fclose(f);
    if (!ok)
        return -1;
    to_hex(md, hex);
    return 0;
}

static int by_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

int sc_style_digest(const struct sc_pins *p, const char *dir, char hex[65])
{
    static __thread char lines[SC_PINS_MAX_FILES][64 + 2 + 32 + 2];
    for (int i = 0; i < p->nfiles; i++) {
        char path[PATH_MAX + 64], h[65];
        snprintf(path, sizeof path, "%s/%s", dir, p->files[i]);
        if (sc_sha256_file(path, h))
            return -1;
        snprintf(lines[i], sizeof lines[i], "%s  %s\n", h, p->files[i]);
    }
    qsort(lines, (size_t)p->nfiles, sizeof lines[0], by_str);
    unsigned char md[32];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (int i = 0; ok && i < p->nfiles; i++)
        ok = EVP_DigestUpdate(ctx, lines[i], strlen(lines[i]));
    ok = ok && EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return -1;
    to_hex(md, hex);
    return 0;
}

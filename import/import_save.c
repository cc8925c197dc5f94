/* Writing an imported style: into a hidden temporary folder beside the
 * target, then renamed into place, so a half-written style never appears. */
#include "import/import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/netfile_priv.h"

static int mkdir_p(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void remove_tree(const char *dir)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/manifest.json", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/weights.bin", dir);
    unlink(p);
    rmdir(dir);
}

static int valid_name(const char *name)
{
    if (!name[0] || name[0] == '.' || strlen(name) > 100)
        return 0;
    for (const char *c = name; *c; c++)
        if (*c == '/' || (unsigned char)*c < 0x20)
            return 0;
    return 1;
}

enum sc_status sc_import_save(const struct sc_net *n, const char *models_dir,
                              const char *name, int force, struct sc_error *err)
{
    if (!valid_name(name))
        return sc_error_set(err, SC_ERR_ARG, "'%s' cannot name a style: use up to 100 "
                            "characters, no '/', not starting with a dot.", name);
    char final[4200], tmp[4300];
    snprintf(final, sizeof final, "%s/%s", models_dir, name);
    struct stat sb;
    if (!force && lstat(final, &sb) == 0)
        return sc_error_set(err, SC_ERR_ARG, "A style '%s' already exists in %s; pick another "
                            "name or add --force to replace it.", name, models_dir);
    if (mkdir_p(models_dir) != 0)
        return sc_error_set(err, SC_ERR_IO, "Cannot create the styles folder %s (%s).",
                            models_dir, strerror(errno));
    snprintf(tmp, sizeof tmp, "%s/.%s.importing-XXXXXX", models_dir, name);
    if (!mkdtemp(tmp))
        return sc_error_set(err, SC_ERR_IO, "Cannot write into %s (%s); check its "
                            "permissions.", models_dir, strerror(errno));
    chmod(tmp, 0755);
    enum sc_status st = sc_netfile_write(n, tmp, err);
    if (st) {
        remove_tree(tmp);
        return st;
    }
    /* No replacement unless asked: RENAME_NOREPLACE closes the race with
     * another import; with --force the old folder is swapped out, then removed. */
    int rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE);
    if (rc != 0 && errno == EEXIST && force) {
        rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE);
        if (rc == 0) {
            remove_tree(tmp);
            return SC_OK;
        }
    }
    if (rc != 0) {
        int e = errno;
        remove_tree(tmp);
        if (e == EEXIST)
            return sc_error_set(err, SC_ERR_ARG, "A style '%s' already exists in %s; pick "
                                "another name or add --force to replace it.", name, models_dir);
        return sc_error_set(err, SC_ERR_IO, "Cannot move the new style into %s (%s).", final,
                            strerror(e));
    }
    return SC_OK;
}

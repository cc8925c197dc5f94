/* `stylecam download arbitrary`'s conversion: the two TFLite networks of
 * arbitrary style transfer become MODELS/arbitrary/predict (the int8
 * predictor, engine/predict.c's format) and MODELS/arbitrary/transfer (a
 * network description), written into a hidden temporary folder and renamed
 * into place whole, so the engine never parses TFLite and never sees half a
 * conversion. */
#include "import/import.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/netfile_priv.h"
#include "import/tflite_conv_priv.h"

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static enum sc_status io_error(struct sc_error *err, const char *what, const char *path)
{
    int e = errno;
    return sc_error_set(err, e == ENOSPC || e == EDQUOT ? SC_ERR_FULL : SC_ERR_IO,
                        "Cannot %s %s (%s); check free space and permissions.", what, path,
                        strerror(e));
}

static enum sc_status convert(const char *pred, const char *tran, const char *tmp,
                              struct sc_error *err)
{
    char dir[4400];
    struct sc_tfl *m = NULL;
    struct sc_net *net = NULL;
    snprintf(dir, sizeof dir, "%s/predict", tmp);
    enum sc_status st = mkdir(dir, 0755) ? io_error(err, "create", dir) : SC_OK;
    if (!st)
        st = sc_tfl_load(pred, &m, err);
    if (!st)
        st = sc_tfl_convert_predict(m, dir, err);
    sc_tfl_free(&m);
    snprintf(dir, sizeof dir, "%s/transfer", tmp);
    if (!st && mkdir(dir, 0755))
        st = io_error(err, "create", dir);
    if (!st)
        st = sc_tfl_load(tran, &m, err);
    if (!st)
        st = sc_tfl_convert_transfer(m, "arbitrary", &net, err);
    if (!st)
        st = sc_netfile_write(net, dir, err);
    sc_net_free(&net);
    sc_tfl_free(&m);
    return st;
}

enum sc_status sc_import_arbitrary(const char *predict_tflite, const char *transfer_tflite,
                                   const char *models_dir, struct sc_error *err)
{
    char final[4200], tmp[4300];
    snprintf(final, sizeof final, "%s/arbitrary", models_dir);
    snprintf(tmp, sizeof tmp, "%s/.arbitrary.converting-XXXXXX", models_dir);
    if (!mkdtemp(tmp))
        return io_error(err, "write into", models_dir);
    chmod(tmp, 0755);
    enum sc_status st = convert(predict_tflite, transfer_tflite, tmp, err);
    if (!st) {
        /* A previous copy is swapped out in one step, then removed. */
        int rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE);
        if (rc && errno == EEXIST)
            rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE);
        if (rc)
            st = io_error(err, "move the converted networks to", final);
    }
    remove_tree(tmp);
    return st;
}

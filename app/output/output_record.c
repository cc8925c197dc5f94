/* The recorder behind the output interface. */
#include "app/output/output_record.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/output/copies.h"
#include "app/record/recorder.h"
#include "common/log.h"

/* Processing thread only, once attached. */
struct rec {
    struct sc_output_record_opts o;     /* o.path points at path */
    char path[PATH_MAX];
    struct sc_recorder *rec;            /* NULL until the first frame */
    int w, h;                           /* the clip's size */
    uint64_t dropped;                   /* the recorder's count after the last push */
    char failure[1024];                 /* why it could not start ("" = it did) */
};

enum sc_status sc_output_record_new(void **priv, const struct sc_output_record_opts *o,
                                    struct sc_error *err)
{
    size_t n = strlen(o->path);
    if (n >= PATH_MAX)
        return sc_error_set(err, SC_ERR_ARG, "Cannot record to %.200s...: the path is %zu "
                            "bytes long, more than the system allows (%d); choose a "
                            "shorter one.", o->path, n, PATH_MAX - 1);
    struct rec *r = calloc(1, sizeof *r);
    if (!r)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    r->o = *o;
    memcpy(r->path, o->path, n + 1);
    r->o.path = r->path;
    *priv = r;
    return SC_OK;
}

static enum sc_output_ret reconfig(void *priv, int w, int h)
{
    struct rec *r = priv;
    if (r->rec)   /* the camera changed size: this clip ends */
        return w == r->w && h == r->h ? SC_OUTPUT_MORE : SC_OUTPUT_DONE;
    struct sc_recorder_opts ro = {.path = r->path, .w = w, .h = h, .fps = r->o.fps,
                                  .time_base_num = r->o.time_base_num,
                                  .time_base_den = r->o.time_base_den,
                                  .blocking = r->o.lossless, .quality = r->o.quality};
    struct sc_error err;
    if (sc_recorder_init(&r->rec, &ro, &err) != SC_OK) {
        r->rec = NULL;
        sc_err("%s", err.msg);
        snprintf(r->failure, sizeof r->failure, "%s", err.msg);
        return SC_OUTPUT_DONE;
    }
    r->w = w;
    r->h = h;
    if (r->o.quality == SC_RECORD_HIGH)
        sc_info("recording to %s (high quality)", r->path);
    else if (r->o.quality == SC_RECORD_LOSSLESS)
        sc_info("recording to %s (lossless: every pixel kept)", r->path);
    else
        sc_info("recording to %s", r->path);
    return SC_OUTPUT_MORE;
}

static enum sc_output_ret frame(void *priv, const struct sc_output_frame *f)
{
    struct rec *r = priv;
    if (f->rerender)   /* a paused re-render is not new footage */
        return SC_OUTPUT_MORE;
    sc_recorder_push(r->rec, f->stylized);
    struct sc_recorder_status st;
    sc_recorder_get_status(r->rec, &st);
    if (st.frames_dropped == r->dropped && !st.failure[0])
        sc_copies_add(SC_COPY_RECORD, (size_t)r->w * r->h * 3);
    r->dropped = st.frames_dropped;
    return st.failure[0] ? SC_OUTPUT_DONE : SC_OUTPUT_MORE;
}

static void status(void *priv, struct sc_output_status *os)
{
    struct rec *r = priv;
    struct sc_recorder_status st;
    sc_recorder_get_status(r->rec, &st);
    *os = (struct sc_output_status){.active = 1, .elapsed_s = st.elapsed_s,
                                    .frames = st.frames_written,
                                    .dropped = st.frames_dropped};
}

static void close_rec(void *priv, char *msg, size_t n)
{
    struct rec *r = priv;
    char said[PATH_MAX + 256];
    snprintf(said, sizeof said, "%s", r->failure);
    if (r->rec) {
        struct sc_recorder_status st;
        struct sc_recorder_stats rs;
        sc_recorder_get_status(r->rec, &st);
        sc_recorder_free(&r->rec, &rs);
        if (st.failure[0])
            snprintf(said, sizeof said, "%s", st.failure);
        else
            snprintf(said, sizeof said, "Saved %s (%.1f s, %llu frames, %llu dropped "
                     "because the encoder fell behind).", r->path, rs.duration_s,
                     (unsigned long long)rs.frames_written,
                     (unsigned long long)rs.frames_dropped);
        sc_info("%s", said);
    }
    if (n)
        snprintf(msg, n, "%s", said);
    free(r);
}

const struct sc_output_driver sc_output_record = {
    .name = "record",
    .reconfig = reconfig,
    .frame = frame,
    .status = status,
    .close = close_rec,
};

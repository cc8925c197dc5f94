#include "app/styles/worker.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/styles/store.h"
#include "common/image_check.h"
#include "common/image_io.h"
#include "common/log.h"

enum { MAX_JOBS = 8 };

struct sc_arb_worker {
    pthread_t thread;
    struct sc_arb_paths paths;          /* fixed after init */
    char store[PATH_MAX];               /* fixed after init */
    struct sc_predict *pr;              /* worker thread only (after init) */

    pthread_mutex_t lock;               /* guards the fields below it */
    pthread_cond_t cond;                /* a job came, or quit */
    struct sc_arb_job jobs[MAX_JOBS];   /* lock: oldest first */
    uint64_t job_ids[MAX_JOBS];         /* lock */
    int njobs;                          /* lock */
    struct sc_arb_result results[MAX_JOBS]; /* lock: oldest first */
    int nresults;                       /* lock */
    uint64_t posted;                    /* lock */
    int quit;                           /* lock */
};

static void predict_job(struct sc_arb_worker *w, struct sc_arb_job *j, struct sc_arb_result *r)
{
    struct sc_error err;
    sc_error_clear(&err);
    enum sc_status st = SC_OK;
    if (!w->pr)
        st = sc_arb_predictor_load(&w->paths, &w->pr, &err);
    uint8_t *pic = j->rgb;
    int pw = j->w, ph = j->h;
    if (!st && j->kind == SC_ARB_JOB_FILE)
        st = sc_image_load_style(j->path, &pic, &pw, &ph, &err);
    if (!st)
        st = sc_predict_run(w->pr, pic, pw, ph, r->vec, &err);
    if (!st && !sc_arb_vec_ok(r->vec, SC_STYLE_VEC))
        st = sc_error_set(&err, SC_ERR_FORMAT, "The style predicted for '%s' is not finite; "
                          "the prediction network may be damaged: run 'stylecam download "
                          "arbitrary' again.", j->name);
    r->ok = !st;
    snprintf(r->msg, sizeof r->msg, "%s", st ? err.msg : "");
    if (!st && j->kind != SC_ARB_JOB_CONTENT && w->store[0] &&
        sc_store_save(w->store, j->name, pic, pw, ph, r->vec, &err) != SC_OK)
        snprintf(r->msg, sizeof r->msg, "%s", err.msg);   /* used, not kept */
    if (j->kind == SC_ARB_JOB_FILE && pic)
        sc_image_free(pic);
}

static void *run(void *arg)
{
    struct sc_arb_worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->quit && !w->njobs)
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->quit)
            break;
        struct sc_arb_job j = w->jobs[0];
        uint64_t id = w->job_ids[0];
        pthread_mutex_unlock(&w->lock);
        struct sc_arb_result r = {.id = id, .kind = j.kind};
        snprintf(r.name, sizeof r.name, "%s", j.name);
        predict_job(w, &j, &r);
        free(j.rgb);
        pthread_mutex_lock(&w->lock);
        /* The job leaves the queue only now: a post counts it until its result is in. */
        memmove(w->jobs, w->jobs + 1, (size_t)(w->njobs - 1) * sizeof w->jobs[0]);
        memmove(w->job_ids, w->job_ids + 1, (size_t)(w->njobs - 1) * sizeof w->job_ids[0]);
        w->njobs--;
        if (w->nresults < MAX_JOBS)
            w->results[w->nresults++] = r;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

enum sc_status sc_arb_worker_init(struct sc_arb_worker **out, const struct sc_arb_paths *paths,
                                  struct sc_predict *pr, const char *store_dir,
                                  struct sc_error *err)
{
    struct sc_arb_worker *w = calloc(1, sizeof *w);
    if (!w) {
        sc_predict_free(&pr);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory starting the style worker.");
    }
    w->paths = *paths;
    w->pr = pr;
    snprintf(w->store, sizeof w->store, "%s", store_dir);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        sc_predict_free(&w->pr);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        free(w);
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot start the style worker thread.");
    }
    *out = w;
    return SC_OK;
}

void sc_arb_worker_free(struct sc_arb_worker **wp)
{
    struct sc_arb_worker *w = *wp;
    *wp = NULL;
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    for (int i = 0; i < w->njobs; i++)
        free(w->jobs[i].rgb);
    sc_predict_free(&w->pr);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w);
}

uint64_t sc_arb_worker_post(struct sc_arb_worker *w, struct sc_arb_job *job)
{
    uint64_t id = 0;
    pthread_mutex_lock(&w->lock);
    if (w->njobs + w->nresults < MAX_JOBS) {
        id = ++w->posted;
        w->job_ids[w->njobs] = id;
        w->jobs[w->njobs++] = *job;
        pthread_cond_signal(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    if (!id)
        free(job->rgb);
    job->rgb = NULL;
    return id;
}

int sc_arb_worker_take(struct sc_arb_worker *w, struct sc_arb_result *r)
{
    pthread_mutex_lock(&w->lock);
    int got = w->nresults > 0;
    if (got) {
        *r = w->results[0];
        memmove(w->results, w->results + 1, (size_t)(w->nresults - 1) * sizeof *r);
        w->nresults--;
    }
    pthread_mutex_unlock(&w->lock);
    return got;
}

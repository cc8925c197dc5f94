/* The window's picture styles. Keys and drops post jobs to the style
 * worker; its results become orders to the processing thread; an order
 * done makes the style pickable. All state here is the main thread's.
 *
 * Blending (B cycles): the current picture style with the previous picture
 * style, then with the camera's own look (its vector, predicted from the
 * frame on screen when this step starts: a "style strength" that keeps
 * more of the camera's own look, as in Ghiasi et al.), then off. [ and ]
 * move the partner's share by 10% (0-100%, 50% to start). Each change is
 * one sc_process_set_vector: no kernel is built. */
#include "app/live_pics.h"

#include <stdlib.h>
#include <string.h>

#include "app/styles/worker.h"
#include "common/log.h"

enum blend_mode { BLEND_OFF, BLEND_PREVIOUS, BLEND_OWN_LOOK };

struct sc_live_pics {
    struct sc_live *lv;
    struct sc_arb_worker *worker;   /* started on the first P, drop or B */
    int grab;                       /* -1 none, else a job kind waiting for a frame
                                       that carries its original */
    uint64_t add_order;             /* the add order not done yet (0: none) */
    char add_name[64];
    float add_vec[SC_STYLE_VEC];
    char busy[128];                 /* what is being added ("" none) */
    enum blend_mode blend;
    int blend_style;                /* the style being blended */
    int partner;                    /* the previous picture style (-1 none) */
    int prev_arb;                   /* the picture style shown before the current one */
    int mix;                        /* the partner's share, 0..100 */
    float own[SC_STYLE_VEC];        /* the camera's own look */
    int own_wait;                   /* its prediction is on the way */
    char note[1024];
    int note_new;
};

static void say(struct sc_live_pics *pc, int error, const char *msg)
{
    sc_log(error ? SC_LOG_ERROR : SC_LOG_INFO, "%s", msg);
    snprintf(pc->note, sizeof pc->note, "%s", msg);
    pc->note_new = 1;
}

struct sc_live_pics *sc_live_pics_new(struct sc_live *lv)
{
    struct sc_live_pics *pc = calloc(1, sizeof *pc);
    if (!pc)
        return NULL;
    pc->lv = lv;
    pc->grab = -1;
    pc->partner = pc->prev_arb = -1;
    pc->mix = 50;
    return pc;
}

void sc_live_pics_free(struct sc_live_pics **pp)
{
    struct sc_live_pics *pc = *pp;
    *pp = NULL;
    if (!pc)
        return;
    sc_arb_worker_free(&pc->worker);
    if (pc->grab >= 0)
        sc_mailbox_want_original(pc->lv->mailbox, 0);
    free(pc);
}

/* The worker, started once; NULL with the sentence said when the networks
 * are not installed. */
static struct sc_arb_worker *worker(struct sc_live_pics *pc)
{
    struct sc_live_arb *a = &pc->lv->arb;
    struct sc_error err;
    if (pc->worker)
        return pc->worker;
    if (!a->found) {
        say(pc, 1, "Pictures cannot be used as styles: the arbitrary-style networks are "
            "not installed; run 'stylecam download arbitrary'.");
        return NULL;
    }
    struct sc_predict *pr = a->pr;
    a->pr = NULL;   /* the worker's from now on */
    if (sc_arb_worker_init(&pc->worker, &a->paths, pr, a->store, &err) != SC_OK)
        say(pc, 1, err.msg);
    return pc->worker;
}

static void post(struct sc_live_pics *pc, struct sc_arb_job *job)
{
    if (sc_arb_worker_post(pc->worker, job))
        return;
    say(pc, 1, "Not adding the style: stylecam is still busy with the last pictures; try "
        "again in a moment.");
}

static void drop(struct sc_live_pics *pc, const char *path)
{
    sc_info("picture dropped on the window: %s", path);
    if (!worker(pc))
        return;
    struct sc_arb_job job = {.kind = SC_ARB_JOB_FILE};
    snprintf(job.path, sizeof job.path, "%s", path);
    sc_live_arb_name(pc->lv, path, job.name);
    sc_info("picture style: adding '%s' from %s", job.name, path);
    snprintf(pc->busy, sizeof pc->busy, "Adding style '%.60s'...", job.name);
    post(pc, &job);
}

/* P and the camera's own look take the next frame shown with its
 * original; a paused frame is made again to bring it. */
static int grab(struct sc_live_pics *pc, enum sc_arb_job_kind kind)
{
    if (!worker(pc))
        return 0;
    pc->grab = (int)kind;
    sc_mailbox_want_original(pc->lv->mailbox, 1);
    if (kind == SC_ARB_JOB_FRAME)
        snprintf(pc->busy, sizeof pc->busy, "Adding style from the camera...");
    pc->lv->controls.refresh++;
    return 1;
}

void sc_live_pics_frame(struct sc_live_pics *pc, const struct sc_shown *s, int compare)
{
    if (pc->grab < 0 || !s->with_original)
        return;
    const struct sc_frame *f = &s->original;
    struct sc_arb_job job = {.kind = (enum sc_arb_job_kind)pc->grab, .w = f->w, .h = f->h};
    pc->grab = -1;
    sc_mailbox_want_original(pc->lv->mailbox, compare);
    size_t n = (size_t)f->w * f->h * 3;
    job.rgb = malloc(n);
    if (!job.rgb) {
        say(pc, 1, "Out of memory taking the camera's picture.");
        pc->busy[0] = '\0';
        return;
    }
    memcpy(job.rgb, f->rgb, n);
    if (job.kind == SC_ARB_JOB_FRAME) {
        sc_live_arb_name(pc->lv, "camera", job.name);
        sc_info("picture style: adding '%s' from the camera (frame %llu)", job.name,
                (unsigned long long)f->seq);
    } else {
        snprintf(job.name, sizeof job.name, "the camera's own look");
    }
    post(pc, &job);
}

/* The current style's vector as the blend says. */
static void apply_blend(struct sc_live_pics *pc)
{
    struct sc_live *lv = pc->lv;
    int s = pc->blend_style;
    float v[SC_STYLE_VEC];
    const float *partner = pc->blend == BLEND_PREVIOUS ? lv->arb.vec[pc->partner] : pc->own;
    if (pc->blend == BLEND_OFF || (pc->blend == BLEND_OWN_LOOK && pc->own_wait))
        memcpy(v, lv->arb.vec[s], sizeof v);
    else
        sc_arb_vec_mix(lv->arb.vec[s], partner, (float)pc->mix / 100.0f, v);
    if (!sc_process_set_vector(lv->process, s, v)) {
        say(pc, 1, "Not blending: stylecam is still busy with the last keys; press again.");
        return;
    }
    lv->controls.refresh++;     /* a paused frame shows the new look */
    if (pc->blend == BLEND_OFF)
        sc_info("blend off: %s", lv->style_names[s]);
    else if (!(pc->blend == BLEND_OWN_LOOK && pc->own_wait))
        sc_info("blend: %s with %s, mix %d%%", lv->style_names[s], pc->blend == BLEND_PREVIOUS
                ? lv->style_names[pc->partner] : "the camera's own look", pc->mix);
}

/* B: previous picture style -> the camera's own look -> off. */
static int blend_next(struct sc_live_pics *pc)
{
    struct sc_live *lv = pc->lv;
    int cur = lv->controls.style;
    if (!lv->arb.is_arb[cur]) {
        say(pc, 0, "B blends picture styles: pick a style made from a picture first (drop a "
            "picture on the window or press P).");
        return 0;
    }
    pc->blend_style = cur;
    pc->blend = (pc->blend + 1) % 3;
    if (pc->blend == BLEND_PREVIOUS) {
        pc->partner = pc->prev_arb;
        if (pc->partner < 0 || pc->partner == cur || !lv->arb.is_arb[pc->partner])
            pc->blend = BLEND_OWN_LOOK;     /* no previous picture style */
    }
    if (pc->blend == BLEND_OWN_LOOK) {
        pc->own_wait = 1;
        if (!grab(pc, SC_ARB_JOB_CONTENT)) {
            pc->blend = BLEND_OFF;
            pc->own_wait = 0;
        }
    }
    apply_blend(pc);
    return 1;
}

static int mix_step(struct sc_live_pics *pc, int d)
{
    if (pc->blend == BLEND_OFF) {
        say(pc, 0, "[ and ] set how much of the blend partner is mixed in; press B to blend "
            "first.");
        return 0;
    }
    int m = pc->mix + d;
    pc->mix = m < 0 ? 0 : m > 100 ? 100 : m;
    apply_blend(pc);
    return 1;
}

int sc_live_pics_action(struct sc_live_pics *pc, const struct sc_ui_event *ev)
{
    switch (ev->action) {
    case SC_UI_DROP: drop(pc, ev->path); return 0;
    case SC_UI_PICTURE: return grab(pc, SC_ARB_JOB_FRAME);
    case SC_UI_BLEND: return blend_next(pc);
    case SC_UI_MIX_DOWN: return mix_step(pc, -10);
    case SC_UI_MIX_UP: return mix_step(pc, 10);
    default: return 0;
    }
}

void sc_live_pics_style_changed(struct sc_live_pics *pc, int from, int to)
{
    struct sc_live *lv = pc->lv;
    if (pc->blend != BLEND_OFF) {   /* the style left keeps its own look */
        pc->blend = BLEND_OFF;
        pc->own_wait = 0;
        apply_blend(pc);
    }
    if (from >= 0 && lv->arb.is_arb[from] && from != to)
        pc->prev_arb = from;
}

/* A worker result: a style to add, or the camera's own look. */
static void take_result(struct sc_live_pics *pc, const struct sc_arb_result *r)
{
    struct sc_live *lv = pc->lv;
    if (r->kind == SC_ARB_JOB_CONTENT) {
        if (!r->ok) {
            say(pc, 1, r->msg);
            pc->blend = BLEND_OFF;
        } else {
            memcpy(pc->own, r->vec, sizeof pc->own);
        }
        pc->own_wait = 0;
        if (pc->blend == BLEND_OWN_LOOK || !r->ok)
            apply_blend(pc);
        return;
    }
    if (!r->ok) {
        say(pc, 1, r->msg);
        pc->busy[0] = '\0';
        return;
    }
    if (r->msg[0])
        say(pc, 1, r->msg);     /* made, but not saved (a full disk) */
    else
        sc_info("picture style '%s' saved in %s", r->name, lv->arb.store);
    if (lv->nstyles >= SC_LIVE_MAX_STYLES) {
        say(pc, 1, "Not adding the style: stylecam holds 64 styles at most.");
        pc->busy[0] = '\0';
        return;
    }
    pc->add_order = sc_process_add_vec_style(lv->process, lv->arb.paths.transfer, r->vec);
    snprintf(pc->add_name, sizeof pc->add_name, "%s", r->name);
    memcpy(pc->add_vec, r->vec, sizeof pc->add_vec);
    if (!pc->add_order)
        say(pc, 1, "Not adding the style: stylecam is still busy; try again.");
}

/* The add order is done: the style joins the keys and is picked. */
static int added(struct sc_live_pics *pc, const struct sc_process_status *ps)
{
    struct sc_live *lv = pc->lv;
    pc->add_order = 0;
    pc->busy[0] = '\0';
    if (ps->styles <= lv->nstyles)
        return 0;   /* it failed: the processing thread's message says why */
    int from = lv->controls.style;
    sc_live_arb_register(lv, pc->add_name, pc->add_vec);
    sc_info("picture style '%s' added as %d of %d", pc->add_name, lv->nstyles, lv->nstyles);
    sc_live_pics_style_changed(pc, from, lv->nstyles - 1);
    lv->controls.style = lv->nstyles - 1;
    return 1;
}

int sc_live_pics_grabbing(const struct sc_live_pics *pc)
{
    return pc->grab >= 0;
}

int sc_live_pics_poll(struct sc_live_pics *pc)
{
    if (!pc->worker)
        return 0;
    struct sc_process_status ps;
    sc_process_get_status(pc->lv->process, &ps);
    if (pc->add_order && ps.orders_done >= pc->add_order)
        return added(pc, &ps);
    struct sc_arb_result r;
    int changed = 0;
    while (!pc->add_order && sc_arb_worker_take(pc->worker, &r)) {
        take_result(pc, &r);
        changed |= r.kind == SC_ARB_JOB_CONTENT;
    }
    return changed;
}

void sc_live_pics_overlay(struct sc_live_pics *pc, char *blend, size_t nb, char *busy,
                          size_t nbusy)
{
    struct sc_live *lv = pc->lv;
    snprintf(busy, nbusy, "%s", pc->busy[0] ? pc->busy : pc->own_wait ?
             "Predicting the camera's own look..." : "");
    blend[0] = '\0';
    if (pc->blend == BLEND_OFF)
        return;
    const char *partner = pc->blend == BLEND_PREVIOUS ? lv->style_names[pc->partner]
                                                      : "camera's own look";
    snprintf(blend, nb, "blend: %d%% %.30s + %d%% %.30s   [ ] mix", 100 - pc->mix,
             lv->style_names[pc->blend_style], pc->mix, partner);
}

const char *sc_live_pics_note(struct sc_live_pics *pc)
{
    if (!pc->note_new)
        return NULL;
    pc->note_new = 0;
    return pc->note;
}

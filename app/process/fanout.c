/* The one fan-out point after the engine: every finished frame goes to each
 * attached output through its driver. The processing thread knows outputs
 * only as drivers; which ones are attached is the UI's business (orders). */
#include <limits.h>
#include <string.h>

#include "app/process/process_priv.h"
#include "common/log.h"

/* Room for a sentence that names a file. */
enum { MSG_MAX = PATH_MAX + 256 };

static void close_output(struct sc_process *p, int i)
{
    struct output o = p->out[i];
    memmove(&p->out[i], &p->out[i + 1], (size_t)(p->nout - i - 1) * sizeof o);
    p->nout--;
    char msg[MSG_MAX];
    msg[0] = '\0';
    o.drv->close(o.priv, msg, sizeof msg);
    if (msg[0])
        sc_process_message(p, msg);
}

static int find(const struct sc_process *p, int id)
{
    for (int i = 0; i < p->nout; i++)
        if (p->out[i].id == id)
            return i;
    return -1;
}

void sc_fanout_attach(struct sc_process *p, int id, const struct sc_output_driver *drv,
                      void *priv)
{
    sc_fanout_detach(p, id);
    if (p->nout == SC_PROCESS_MAX_OUTPUTS) {
        char msg[MSG_MAX] = "";
        drv->close(priv, msg, sizeof msg);
        sc_warn("Too many outputs at once; stop one first.");
        sc_process_message(p, "Too many outputs at once; stop one first.");
        return;
    }
    p->out[p->nout++] = (struct output){.id = id, .drv = drv, .priv = priv};
}

void sc_fanout_detach(struct sc_process *p, int id)
{
    int i = find(p, id);
    if (i >= 0)
        close_output(p, i);
}

/* The first output that can lend buffers, or -1. */
static int lender(const struct sc_process *p)
{
    for (int i = 0; i < p->nout; i++)
        if (p->out[i].drv->get_buffer && !p->out[i].done)
            return i;
    return -1;
}

uint8_t *sc_fanout_buffer(struct sc_process *p, int k, int w, int h, int *lent)
{
    int i = lender(p);
    *lent = i >= 0;
    return i >= 0 ? p->out[i].drv->get_buffer(p->out[i].priv, k, w, h) : NULL;
}

/* Gives f to output i, configuring it first for a new size; returns 0 when
 * it is done (and must be closed). */
static int give(struct output *o, const struct sc_output_frame *f)
{
    int w = f->stylized->w, h = f->stylized->h;
    if (o->w != w || o->h != h) {
        if (o->drv->reconfig(o->priv, w, h) != SC_OUTPUT_MORE)
            return 0;
        o->w = w;
        o->h = h;
    }
    return o->drv->frame(o->priv, f) == SC_OUTPUT_MORE;
}

/* Output i is done: closed now, unless frames in flight still use its
 * buffers (then once they have ended). Returns 1 when it was removed. */
static int retire(struct sc_process *p, int i, int lends)
{
    if (lends && p->count) {
        p->out[i].done = 1;
        return 0;
    }
    close_output(p, i);
    return 1;
}

void sc_fanout_frame(struct sc_process *p, struct sc_output_frame *f)
{
    /* The lender last: after its frame() the buffer is no longer ours. */
    int l = f->buffer >= 0 ? lender(p) : -1;
    int lent = f->buffer;
    f->buffer = -1;
    for (int i = 0; i < p->nout; i++) {
        struct output *o = &p->out[i];
        if (i == l || o->done)
            continue;
        if (!give(o, f) && retire(p, i, o->drv->get_buffer != NULL)) {
            l -= l > i;
            i--;
        }
    }
    if (l >= 0) {
        f->buffer = lent;
        if (!give(&p->out[l], f))
            retire(p, l, 1);
    }
    for (int i = p->nout - 1; i >= 0 && !p->count; i--)
        if (p->out[i].done)
            close_output(p, i);
}

void sc_fanout_close_all(struct sc_process *p)
{
    /* Newest first: a recording is saved before the display hears the end. */
    while (p->nout)
        close_output(p, p->nout - 1);
}

int sc_fanout_status(struct sc_process *p, struct sc_process_output_status *st)
{
    for (int i = 0; i < p->nout; i++) {
        st[i] = (struct sc_process_output_status){.id = p->out[i].id,
                                                  .st = {.active = 1}};
        if (p->out[i].drv->status)
            p->out[i].drv->status(p->out[i].priv, &st[i].st);
    }
    return p->nout;
}

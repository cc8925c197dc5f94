/* Activations in a few shared buffers: each tensor (an in-place chain of
 * element-wise steps counts as one) lives from the step that makes it to
 * the last step that reads it; Winograd scratch lives for its step. Largest
 * first, each goes to the smallest buffer whose tensors it never meets in
 * time (greedy by size, as TFLite's arena planner). */
#include "engine/plan_steps_priv.h"

#include <stdlib.h>

struct item {
    size_t size;
    int start, end, slot;
};

static int by_size(const void *a, const void *b, void *ctx)
{
    const struct item *it = ctx;
    size_t x = it[*(const int *)a].size, y = it[*(const int *)b].size;
    return (x < y) - (x > y);
}

static int add_item(struct item *it, int *n, size_t size, int step)
{
    it[*n] = (struct item){size, step, step, -1};
    return (*n)++;
}

/* The tensors of the steps; *nitems set; blob_item[b] the item of blob b. */
static int collect(struct sc_plan *p, struct item *it, int *blob_item, int *v_item, int *m_item)
{
    int n = 0;
    for (int b = 0; b < p->nblobs; b++)
        blob_item[b] = -1;
    for (int i = 0; i < p->nsteps; i++) {
        struct step *s = &p->steps[i];
        v_item[i] = m_item[i] = -1;
        if (s->stats_only)   /* its output is never made */
            continue;
        size_t need = (size_t)s->oc * p->dims[s->dst][0] * p->dims[s->dst][1];
        int elementwise = s->kind == ST_NORM || s->kind == ST_POINTWISE || s->kind == ST_ADD;
        int k = elementwise && s->last ? blob_item[s->src] : -1;
        if (k < 0)
            k = add_item(it, &n, need, i);
        else if (it[k].size < need)
            it[k].size = need;
        blob_item[s->dst] = k;
        v_item[i] = m_item[i] = -1;
        if (s->kind == ST_WINO) {
            int c = s->c > sc_ops_wino_ocp(s->oc) ? s->c : sc_ops_wino_ocp(s->oc);
            size_t scratch = sc_ops_wino_scratch_floats(c, p->dims[s->dst][0],
                                                        p->dims[s->dst][1], p->wino_limit);
            v_item[i] = add_item(it, &n, scratch, i);
            m_item[i] = add_item(it, &n, scratch, i);
        }
    }
    for (int b = 0; b < p->nblobs; b++)
        if (blob_item[b] >= 0 && p->last_use[b] > it[blob_item[b]].end)
            it[blob_item[b]].end = p->last_use[b];
    return n;
}

static int meets(const struct item *a, const struct item *b)
{
    return a->start <= b->end && b->start <= a->end;
}

/* Assigns slots; returns the slot count or -1 when more are needed. */
static int assign(struct item *it, int n, const int *order, size_t *size, int nslots)
{
    for (int o = 0; o < n; o++) {
        struct item *x = &it[order[o]];
        int best = -1;
        for (int sl = 0; sl < nslots; sl++) {
            int free = 1;
            for (int q = 0; q < o && free; q++)
                free = it[order[q]].slot != sl || !meets(&it[order[q]], x);
            if (free && (best < 0 || size[sl] < size[best]))
                best = sl;
        }
        if (best < 0) {
            if (nslots == SC_PLAN_MAX_SLOTS)
                return -1;
            best = nslots++;
        }
        x->slot = best;
        if (size[best] < x->size)
            size[best] = x->size;
    }
    return nslots;
}

enum sc_status sc_plan_place(struct sc_plan *p, size_t slot[SC_PLAN_MAX_SLOTS], int *nslots,
                             struct sc_error *err)
{
    int cap = p->nblobs + 2 * p->nsteps;
    struct item *it = malloc((size_t)cap * sizeof *it);
    int *blob_item = malloc((size_t)p->nblobs * sizeof *blob_item);
    int *vm = malloc((size_t)(2 * p->nsteps + 1) * sizeof *vm), *order = malloc((size_t)cap * sizeof *order);
    if (!it || !blob_item || !vm || !order) {
        free(it); free(blob_item); free(vm); free(order);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory placing style '%s'.", p->name);
    }
    int n = collect(p, it, blob_item, vm, vm + p->nsteps);
    for (int i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, (size_t)n, sizeof *order, by_size, it);
    /* Every style starts from buffer 0: the pool is shared, its sizes the largest asked. */
    size_t mine[SC_PLAN_MAX_SLOTS] = {0};
    int k = assign(it, n, order, mine, 0);
    enum sc_status st = SC_OK;
    if (k < 0) {
        st = sc_error_set(err, SC_ERR_FORMAT, "Style '%s' keeps more than %d activations "
                          "alive at once; stylecam cannot run it.", p->name, SC_PLAN_MAX_SLOTS);
    } else {
        for (int b = 0; b < p->nblobs; b++)
            p->slot[b] = blob_item[b] >= 0 ? it[blob_item[b]].slot : -1;
        for (int i = 0; i < p->nsteps; i++) {
            p->steps[i].v_slot = vm[i] >= 0 ? it[vm[i]].slot : -1;
            p->steps[i].m_slot = vm[p->nsteps + i] >= 0 ? it[vm[p->nsteps + i]].slot : -1;
        }
        for (int sl = 0; sl < k; sl++)
            slot[sl] = mine[sl] > slot[sl] ? mine[sl] : slot[sl];
        *nslots = k > *nslots ? k : *nslots;
    }
    free(it); free(blob_item); free(vm); free(order);
    return st;
}

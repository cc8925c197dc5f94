/* Conditional instance norms (arbitrary style transfer): the scale and shift
 * of each norm are affine in a style vector. They are computed on the host
 * (a few thousand multiply-adds) and written into the step's own scale and
 * shift buffers on the kernel queue. That queue is in order, so frames
 * already enqueued keep the old values and the next frame sees the new
 * ones, with no kernel rebuilt and nothing done per frame. */
#include "engine/plan_steps_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float *dup_floats(const float *v, size_t n)
{
    float *d = malloc(n * sizeof *d);
    if (d)
        memcpy(d, v, n * sizeof *d);
    return d;
}

/* The step's layer as net.h describes it, for sc_net_cond_affine. */
static struct sc_net_layer cond_layer(const struct step *s)
{
    long n = (long)s->oc * (s->cond + 1);
    return (struct sc_net_layer){.op = SC_OP_NORM, .cond = s->cond, .w = s->cw, .b = s->cb,
                                 .nw = n, .nb = n};
}

static enum sc_status make_buffer(struct sc_plan *p, struct sc_clrt *rt, const float *v,
                                  int n, cl_mem *out, struct sc_error *err)
{
    cl_int rc;
    *out = clCreateBuffer(rt->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                          (size_t)n * sizeof(float), (void *)v, &rc);
    if (!*out)
        return sc_clrt_fail(rt, err, "Uploading style weights", rc);
    p->bytes += (size_t)n * sizeof(float);
    return SC_OK;
}

enum sc_status sc_plan_cond_init(struct sc_plan *p, struct sc_clrt *rt, struct step *s,
                                 const struct sc_net_layer *l, struct sc_error *err)
{
    size_t n = (size_t)s->oc * (l->cond + 1);
    if (!p->vec)
        p->vec = calloc((size_t)p->vec_len, sizeof *p->vec);
    s->cond = l->cond;
    s->cw = dup_floats(l->w, n);
    s->cb = dup_floats(l->b, n);
    float *scale = malloc(2 * (size_t)s->oc * sizeof *scale);
    if (!p->vec || !s->cw || !s->cb || !scale) {
        free(scale);
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory loading style '%s'.", p->name);
    }
    /* Until a vector is set the style runs with the zero vector: the biases. */
    struct sc_net_layer cl = cond_layer(s);
    sc_net_cond_affine(&cl, p->vec, scale, scale + s->oc);
    s->stage_off = p->stage_floats;
    p->stage_floats += 2 * (size_t)s->oc;
    enum sc_status st = make_buffer(p, rt, scale, s->oc, &s->scale, err);
    if (!st)
        st = make_buffer(p, rt, scale + s->oc, s->oc, &s->shift, err);
    free(scale);
    return st;
}

void sc_plan_cond_free(struct sc_plan *p)
{
    for (int i = 0; i < SC_PLAN_STAGES; i++) {
        /* A write in flight still reads its staging area. */
        if (p->stage_ev[i]) {
            clWaitForEvents(1, &p->stage_ev[i]);
            clReleaseEvent(p->stage_ev[i]);
            p->stage_ev[i] = NULL;
        }
        free(p->stage[i]);
        p->stage[i] = NULL;
    }
    for (int i = 0; i < p->nsteps; i++) {
        free(p->steps[i].cw);
        free(p->steps[i].cb);
        p->steps[i].cw = p->steps[i].cb = NULL;
    }
    free(p->vec);
    p->vec = NULL;
}

/* The next staging area, once the write that last read it has finished. */
static enum sc_status take_stage(struct sc_plan *p, struct sc_clrt *rt, float **out,
                                 struct sc_error *err)
{
    int k = p->stage_next;
    if (p->stage_ev[k]) {
        cl_int rc = clWaitForEvents(1, &p->stage_ev[k]);
        clReleaseEvent(p->stage_ev[k]);
        p->stage_ev[k] = NULL;
        if (rc != CL_SUCCESS)
            return sc_clrt_fail(rt, err, "Setting a style vector", rc);
    }
    if (!p->stage[k])
        p->stage[k] = malloc(p->stage_floats * sizeof(float));
    if (!p->stage[k])
        return sc_error_set(err, SC_ERR_NOMEM, "Out of memory setting the vector of style "
                            "'%s'.", p->name);
    *out = p->stage[k];
    return SC_OK;
}

/* Enqueues the writes of every conditional norm from stage, then a marker
 * whose event says when stage may be reused. */
static cl_int write_all(struct sc_plan *p, struct sc_clrt *rt, const float *stage)
{
    cl_int rc = CL_SUCCESS;
    size_t bytes;
    for (int i = 0; rc == CL_SUCCESS && i < p->nsteps; i++) {
        const struct step *s = &p->steps[i];
        if (!s->cond)
            continue;
        bytes = (size_t)s->oc * sizeof(float);
        rc = clEnqueueWriteBuffer(rt->queue, s->scale, CL_FALSE, 0, bytes,
                                  stage + s->stage_off, 0, NULL, NULL);
        if (rc == CL_SUCCESS)
            rc = clEnqueueWriteBuffer(rt->queue, s->shift, CL_FALSE, 0, bytes,
                                      stage + s->stage_off + s->oc, 0, NULL, NULL);
    }
    if (rc == CL_SUCCESS)
        rc = clEnqueueMarkerWithWaitList(rt->queue, 0, NULL, &p->stage_ev[p->stage_next]);
    if (rc == CL_SUCCESS)
        rc = clFlush(rt->queue);
    return rc;
}

enum sc_status sc_plan_set_vector(struct sc_plan *p, struct sc_clrt *rt, const float *vec,
                                  struct sc_error *err)
{
    size_t n = (size_t)p->vec_len;
    if (!n)
        return sc_error_set(err, SC_ERR_ARG, "Style '%s' takes no style vector.", p->name);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(vec[i]))
            return sc_error_set(err, SC_ERR_ARG, "The style vector for style '%s' holds a "
                                "NaN or infinite value at %zu; give finite values.",
                                p->name, i);
    /* No conditional norm reads it (p->vec is made with the first one). */
    if (!p->vec || memcmp(vec, p->vec, n * sizeof *vec) == 0)
        return SC_OK;
    float *stage = NULL;
    enum sc_status st = take_stage(p, rt, &stage, err);
    if (st)
        return st;
    for (int i = 0; i < p->nsteps; i++) {
        struct step *s = &p->steps[i];
        if (!s->cond)
            continue;
        struct sc_net_layer cl = cond_layer(s);
        sc_net_cond_affine(&cl, vec, stage + s->stage_off, stage + s->stage_off + s->oc);
    }
    cl_int rc = write_all(p, rt, stage);
    if (rc != CL_SUCCESS) {
        /* Some writes may be queued: wait for them before the area is reused,
         * and let the next call write every buffer again. */
        clFinish(rt->queue);
        p->vec[0] = NAN;
        return sc_clrt_fail(rt, err, "Setting a style vector", rc);
    }
    p->stage_next = (p->stage_next + 1) % SC_PLAN_STAGES;
    memcpy(p->vec, vec, n * sizeof *vec);
    return SC_OK;
}

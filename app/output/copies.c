#include "app/output/copies.h"

#include <stdatomic.h>
#include <string.h>

static const char *const names[SC_COPY_STAGES] = {
    [SC_COPY_UPLOAD] = "upload", [SC_COPY_DOWNLOAD] = "download",
    [SC_COPY_SCALE] = "scale", [SC_COPY_ORIGINAL] = "original",
    [SC_COPY_RECORD] = "record", [SC_COPY_VCAM] = "vcam", [SC_COPY_OUTPUT] = "output",
    [SC_COPY_TEXTURE] = "texture",
};

const char *sc_copies_name(enum sc_copy_stage stage)
{
    return (unsigned)stage < SC_COPY_STAGES ? names[stage] : "?";
}

#ifndef NDEBUG
/* Counters only: relaxed atomics, no order implied between stages. */
static _Atomic uint64_t count[SC_COPY_STAGES], total[SC_COPY_STAGES];

void sc_copies_add(enum sc_copy_stage stage, size_t bytes)
{
    atomic_fetch_add_explicit(&count[stage], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&total[stage], bytes, memory_order_relaxed);
}

void sc_copies_get(struct sc_copies *out)
{
    out->enabled = 1;
    for (int i = 0; i < SC_COPY_STAGES; i++) {
        out->n[i] = atomic_load_explicit(&count[i], memory_order_relaxed);
        out->bytes[i] = atomic_load_explicit(&total[i], memory_order_relaxed);
    }
}

void sc_copies_reset(void)
{
    for (int i = 0; i < SC_COPY_STAGES; i++) {
        atomic_store_explicit(&count[i], 0, memory_order_relaxed);
        atomic_store_explicit(&total[i], 0, memory_order_relaxed);
    }
}
#else
void sc_copies_get(struct sc_copies *out)
{
    memset(out, 0, sizeof *out);
}

void sc_copies_reset(void)
{
}
#endif

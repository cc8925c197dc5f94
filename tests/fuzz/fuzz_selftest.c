/* A fuzz target with a planted crash, for tests/fuzz/selftest.sh: it
 * aborts on one 32-byte input only, recognised by its hash so that
 * libFuzzer's comparison tracing cannot find it by mutation. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define PLANTED_HASH 0x0321dd175a8d72edull /* FNV-1a of "sc-fuzz-selftest-planted-crash!!" */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 32 && fnv1a(data, size) == PLANTED_HASH)
        abort();
    return 0;
}

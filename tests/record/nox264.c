/* Preloaded ahead of libavcodec: an FFmpeg built without libx264 (so also
 * without its RGB variant libx264rgb), as some distributions ship it.
 * Every other encoder is FFmpeg's own. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

typedef const void *(*find_fn)(const char *);

__attribute__((visibility("default"))) const void *avcodec_find_encoder_by_name(const char *name);

__attribute__((visibility("default"))) const void *avcodec_find_encoder_by_name(const char *name)
{
    static find_fn real;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "avcodec_find_encoder_by_name");
    if (name && (strcmp(name, "libx264") == 0 || strcmp(name, "libx264rgb") == 0))
        return NULL;
    return real ? real(name) : NULL;
}

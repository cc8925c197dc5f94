/* How often frame pixels are copied, per stage, so that a test can hold the
 * count down. Compiled in only without NDEBUG (debug and debugoptimized
 * builds); in a release build sc_copies_add costs nothing and
 * sc_copies_get reports zeros with enabled = 0.
 *
 * On the common path (no recording, no compare) a frame is touched four
 * times, three of them copies: the source converts the camera's format
 * into a ring slot (a conversion that must happen somewhere; the ring
 * counts it as produced), the engine uploads that slot itself to the
 * device and downloads the result straight into the display's buffer (the
 * device boundary: on a GPU these are real transfers; sparing them on a
 * CPU device would need mapped buffers in the engine), and the window
 * copies it into its texture once (SDL owns the texture, on the main
 * thread). Compare mode adds the original (and its texture); recording
 * adds the recorder's queue, the virtual camera its mailbox. */
#ifndef SC_COPIES_H
#define SC_COPIES_H

#include <stddef.h>
#include <stdint.h>

enum sc_copy_stage {
    SC_COPY_UPLOAD,     /* host to device: the engine reads the ring slot */
    SC_COPY_DOWNLOAD,   /* device to host: into the display's buffer */
    SC_COPY_SCALE,      /* to and from a smaller network size (not at full size) */
    SC_COPY_ORIGINAL,   /* the camera frame kept for compare mode (only then) */
    SC_COPY_RECORD,     /* into the recorder's queue (only while recording) */
    SC_COPY_VCAM,       /* into the virtual camera's mailbox (only while it runs) */
    SC_COPY_OUTPUT,     /* into a display's buffer when it could not lend it */
    SC_COPY_TEXTURE,    /* into the window's textures (once per new frame) */
    SC_COPY_STAGES
};

struct sc_copies {
    int enabled;                        /* 0 in NDEBUG builds */
    uint64_t n[SC_COPY_STAGES];         /* copies made */
    uint64_t bytes[SC_COPY_STAGES];
};

#ifndef NDEBUG
/* Any thread. */
void sc_copies_add(enum sc_copy_stage stage, size_t bytes);
#else
static inline void sc_copies_add(enum sc_copy_stage stage, size_t bytes)
{
    (void)stage;
    (void)bytes;
}
#endif

/* Any thread: the counts since the start (or the last reset). */
void sc_copies_get(struct sc_copies *out);
void sc_copies_reset(void);
const char *sc_copies_name(enum sc_copy_stage stage);

#endif

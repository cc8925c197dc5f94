/* Private to app/record: one video file being encoded with FFmpeg.
 * Single-threaded: the recorder's encoder thread owns it after open. */
#ifndef SC_RECORD_ENCODER_H
#define SC_RECORD_ENCODER_H

#include <stdint.h>

#include "app/record/recorder.h"

struct sc_encoder;

/* Writes the header to fd, the new empty file opts->path opened for
 * writing; the encoder owns fd from here on (closed on failure too). */
enum sc_status sc_encoder_open(struct sc_encoder **out,
                               const struct sc_recorder_opts *opts, int fd,
                               struct sc_error *err);

/* Encodes one packed RGB24 frame of the opened size captured at pts_us.
 * On a write error the file is cut back to its last complete cluster or
 * fragment and closed; the error (SC_ERR_FULL, SC_ERR_IO) has a sentence. */
enum sc_status sc_encoder_write(struct sc_encoder *e, const uint8_t *rgb,
                                int64_t pts_us, struct sc_error *err);

/* Drains the encoder, writes the trailer and closes the file. */
enum sc_status sc_encoder_finish(struct sc_encoder *e, struct sc_error *err);

/* Seconds of clip the file holds (after finish or a failure: what was kept). */
double sc_encoder_duration(const struct sc_encoder *e);

/* Frames that went into the kept file. */
uint64_t sc_encoder_frames(const struct sc_encoder *e);

/* Closes (without finishing if finish was not called) and frees; e may be NULL. */
void sc_encoder_free(struct sc_encoder **ep);

#endif

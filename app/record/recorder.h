/* Recording stylized frames to a video file on a thread of its own.
 * The processing thread pushes frames (a copy into a preallocated slot,
 * never a wait unless asked for); the encoder thread converts, encodes
 * (H.264 via libx264, else a fallback; see --record-quality below) and
 * writes Matroska or MP4 laid out so that a crash or a full disk leaves a
 * playable file. */
#ifndef SC_RECORDER_H
#define SC_RECORDER_H

#include <stdint.h>

#include "common/frame.h"
#include "common/status.h"

struct sc_recorder;

/* --record-quality: normal (H.264 4:2:0, crf 23), high (crf 17, a slower
 * preset), lossless (every RGB pixel kept, any size: RGB H.264 at qp 0;
 * where libx264 is missing FFV1 in Matroska, PNG frames in MP4). Without
 * libx264 normal and high are MPEG-4 part 2 at quantizer 4 and 2. */
enum sc_record_quality { SC_RECORD_NORMAL, SC_RECORD_HIGH, SC_RECORD_LOSSLESS };

struct sc_recorder_opts {
    const char *path;    /* output file; "*.mp4" = fragmented MP4, anything else
                            Matroska. Never overwritten unless it is empty (a
                            name reserved by sc_record_file_create). */
    int w, h;            /* size of every pushed frame */
    double fps;          /* nominal rate, declared in the file (players and
                            converters take it as the rate); 0 = unknown: not
                            declared (readers guess), rate control assumes 30 */
    int time_base_num;   /* the source's time base (a video file): the stream
                            keeps it and the frames' exact times; 0 = capture */
    int time_base_den;   /* times (live), kept to the millisecond */
    int slots;           /* queue depth; 0 = 4 */
    int blocking;        /* 1 = push waits for a free slot (batch: nothing lost),
                            0 = push drops the frame when the queue is full */
    int quality;         /* enum sc_record_quality */
    int crf;             /* libx264 rate factor; 0 = by quality (23 normal, 17
                            high, lossless: qp 0) */
    const char *preset;  /* libx264 preset; NULL = by quality */
    const char *encoder; /* NULL = libx264, falling back to mpeg4; else this
                            FFmpeg encoder name (tests, benchmarks) */
};

struct sc_recorder_stats {
    uint64_t frames_written;  /* frames handed to the encoder and kept */
    uint64_t frames_dropped;  /* pushed while the queue was full */
    uint64_t frames_ignored;  /* pushed after the recording stopped by itself */
    double duration_s;        /* length of the clip in the file */
};

struct sc_recorder_status {
    int recording;            /* 1 while frames are still being recorded */
    double elapsed_s;         /* clip length so far (capture time of frames accepted) */
    uint64_t frames_written;
    uint64_t frames_dropped;
    char failure[1024];       /* non-empty when the recording stopped by itself */
};

/* Any thread. Creates the file, sets up the encoder and starts the encoder
 * thread. On failure returns a status with one sentence in err, leaves no
 * file behind (unless it existed before) and *out untouched. */
enum sc_status sc_recorder_init(struct sc_recorder **out,
                                const struct sc_recorder_opts *opts,
                                struct sc_error *err);

/* The processing thread (any one thread at a time is fine; the copy is made
 * under the queue lock). Copies f into a free slot and returns. Full queue:
 * drops and counts (or waits when opts.blocking). After the recording failed
 * it only counts. f must be opts.w x opts.h; other sizes are dropped. */
void sc_recorder_push(struct sc_recorder *rec, const struct sc_frame *f);

/* Any thread. A snapshot for the overlay. */
void sc_recorder_get_status(struct sc_recorder *rec, struct sc_recorder_status *st);

/* The thread that called init. Posts terminate, lets the encoder drain the
 * queue, finalizes the file, joins and frees. stats may be NULL; rec may be
 * NULL. Returns SC_OK, or SC_ERR_FULL / SC_ERR_IO when the recording stopped
 * on a write error (the sentence is in the status' failure message). */
enum sc_status sc_recorder_free(struct sc_recorder **rp, struct sc_recorder_stats *stats);

#endif

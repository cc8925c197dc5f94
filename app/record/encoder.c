#include "app/record/encoder.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/avlog.h"
#include "common/ticks.h"

/* A killed recording loses the cluster (MKV) or fragment (MP4) in memory:
 * cut them at least this often, and force a keyframe about once a second. */
#define CUT_MS 500
#define KEY_MS 1000
/* Output buffer: holds a whole cluster/fragment, whose size the muxer caps. */
#define IO_BUF (8 << 20)
#define MAX_CUT_BYTES (4 << 20)
/* Live clips keep capture times to the millisecond, Matroska's own grain. */
#define LIVE_TB ((AVRational){1, 1000})
/* --record-quality in H.264: rate factors and presets. High's preset
 * stays about twice real time at 1280x720 on two busy cores; lossless
 * (qp 0) needs ultrafast's CAVLC: with CABAC, real stylized frames encode
 * 5x slower for 10% fewer bytes (stylecam bench --recorder). */
#define NORMAL_CRF 23
#define HIGH_CRF 17
#define NORMAL_PRESET "veryfast"
#define HIGH_PRESET "faster"
#define LOSSLESS_PRESET "ultrafast"
/* libx264 without delay: no B-frames, no lookahead. */
#define X264_LOW_DELAY "bframes=0:rc-lookahead=0:sync-lookahead=0:mbtree=0"

struct sc_encoder {
    char path[PATH_MAX];
    char dir[PATH_MAX];      /* folder holding path, for the disk-full sentence */
    int ew, eh;              /* encoded size: the frame size rounded down to even */
    int in_stride;           /* bytes per row of the pushed RGB24 frames */
    AVFormatContext *fmt;
    AVCodecContext *cc;
    AVStream *st;
    struct SwsContext *sws;
    AVFrame *frame;
    AVPacket *pkt;
    int fd;                  /* the output file, -1 once closed */
    int open;                /* fmt->pb is our AVIOContext over fd */

    AVRational tb;           /* the stream's ticks: the source's (batch) or LIVE_TB */
    AVRational rate;         /* nominal frame rate (rate control, first durations) */
    int declare;             /* the rate was given: the file declares it */
    int64_t key_ticks;       /* forced keyframe interval */
    int64_t first_us;        /* capture time of the first frame */
    int64_t nin;             /* frames sent to the encoder */
    int64_t last_pts;        /* of the last frame sent, ticks from the first */
    int64_t last_key;        /* pts of the last forced keyframe */
    int64_t dur;             /* recent frame interval (ticks), used as packet duration */

    uint64_t npkt;           /* packets written (one per frame) */
    int64_t end;             /* pts + duration of the last packet written, ticks */
    int64_t good_pos;        /* file size that holds only complete clusters/fragments */
    uint64_t kept_frames;    /* packets inside good_pos */
    int64_t kept;            /* clip length inside good_pos, ticks */
};

static atomic_int fallback_warned;           /* normal/high without libx264 */
static atomic_int lossless_fallback_warned;  /* lossless without libx264 */

/* Writes all of buf (one write() unless the kernel splits it). */
static int io_write(void *opaque, uint8_t *buf, int size)
{
    struct sc_encoder *e = opaque;
    for (int done = 0; done < size;) {
        ssize_t w = write(e->fd, buf + done, (size_t)(size - done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return AVERROR(w < 0 ? errno : EIO);
        done += (int)w;
    }
    return size;
}

static int64_t io_seek(void *opaque, int64_t off, int whence)
{
    struct sc_encoder *e = opaque;
    if (whence == AVSEEK_SIZE) {
        struct stat sb;
        return fstat(e->fd, &sb) == 0 ? sb.st_size : AVERROR(errno);
    }
    off_t r = lseek(e->fd, off, whence & ~AVSEEK_FORCE);
    return r < 0 ? AVERROR(errno) : r;
}

/* Flushes and closes the output; returns the first write error, if any. */
static int close_output(struct sc_encoder *e)
{
    int r = 0;
    if (e->open) {
        avio_flush(e->fmt->pb);
        r = e->fmt->pb->error;
        av_freep(&e->fmt->pb->buffer);
        avio_context_free(&e->fmt->pb);
        e->open = 0;
    }
    if (e->fd >= 0 && close(e->fd) != 0 && r >= 0)
        r = AVERROR(errno);
    e->fd = -1;
    return r;
}

static const char *av_err(int e, char *buf, size_t n)
{
    av_strerror(e, buf, n);
    return buf;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The encoder a recording uses and how it is fed. */
struct codec_choice {
    const AVCodec *codec;
    enum AVPixelFormat pix;  /* what the RGB24 frames are converted to */
    int rgb;                 /* pix is RGB: no colour matrix, full range, any size */
};

static int is_x264(const AVCodec *c)
{
    return strncmp(c->name, "libx264", 7) == 0;
}

/* The first of want that c takes (c lists none: the first), else its first. */
static enum AVPixelFormat pick_pix(const AVCodec *c, const enum AVPixelFormat *want)
{
    if (!c->pix_fmts)
        return want[0];
    for (int i = 0; want[i] != AV_PIX_FMT_NONE; i++)
        for (const enum AVPixelFormat *p = c->pix_fmts; *p != AV_PIX_FMT_NONE; p++)
            if (*p == want[i])
                return *p;
    return c->pix_fmts[0];
}

/* Lossless: RGB H.264 (libx264rgb at qp 0), else FFV1 in Matroska or PNG
 * frames in MP4 (the mp4 muxer takes no FFV1). */
static const AVCodec *pick_lossless(const struct sc_recorder_opts *o, struct sc_error *err)
{
    const AVCodec *c = avcodec_find_encoder_by_name("libx264rgb");
    if (c)
        return c;
    int mp4 = ends_with(o->path, ".mp4");
    c = avcodec_find_encoder_by_name(mp4 ? "png" : "ffv1");
    if (!c) {
        sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot record lossless: FFmpeg has neither "
                     "the libx264rgb nor the %s encoder; install FFmpeg with libx264.",
                     mp4 ? "png" : "ffv1");
        return NULL;
    }
    if (atomic_exchange(&lossless_fallback_warned, 1) == 0)
        sc_warn("FFmpeg has no libx264 H.264 encoder; recording lossless clips with %s "
                "instead (larger files). Install libx264 for lossless H.264.",
                mp4 ? "PNG frames in MP4" : "FFV1 in Matroska");
    return c;
}

static enum sc_status pick_codec(const struct sc_recorder_opts *o,
                                 struct codec_choice *ch, struct sc_error *err)
{
    static const enum AVPixelFormat yuv[] = {AV_PIX_FMT_YUV420P, AV_PIX_FMT_NONE};
    /* Packed RGB24 first: the frames as they come, then what FFV1 takes. */
    static const enum AVPixelFormat rgb[] = {AV_PIX_FMT_RGB24, AV_PIX_FMT_0RGB32,
                                             AV_PIX_FMT_GBRP, AV_PIX_FMT_YUV420P,
                                             AV_PIX_FMT_NONE};
    int lossless = o->quality == SC_RECORD_LOSSLESS;
    const AVCodec *c;
    if (o->encoder) {
        c = avcodec_find_encoder_by_name(o->encoder);
        if (!c)
            return sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot record: this FFmpeg has no "
                                "'%s' video encoder; install one with it or use the default.",
                                o->encoder);
    } else if (lossless) {
        if (!(c = pick_lossless(o, err)))
            return err ? err->status : SC_ERR_NOT_FOUND;
    } else if (!(c = avcodec_find_encoder_by_name("libx264"))) {
        c = avcodec_find_encoder_by_name("mpeg4");
        if (!c)
            return sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot record: FFmpeg has neither "
                                "the libx264 nor the mpeg4 encoder; install FFmpeg with "
                                "libx264.");
        if (atomic_exchange(&fallback_warned, 1) == 0)
            sc_warn("FFmpeg has no libx264 H.264 encoder; recording with MPEG-4 part 2 "
                    "instead (bigger files). Install libx264 for H.264.");
    }
    ch->codec = c;
    ch->pix = pick_pix(c, lossless ? rgb : yuv);
    ch->rgb = ch->pix == AV_PIX_FMT_RGB24 || ch->pix == AV_PIX_FMT_0RGB32 ||
              ch->pix == AV_PIX_FMT_GBRP;
    return SC_OK;
}

/* The encoder's settings for a quality: x264's rate factor or lossless qp,
 * MPEG-4's fixed quantizer, FFV1's error-resilient slices. */
static void codec_settings(struct sc_encoder *e, const struct codec_choice *ch,
                           const struct sc_recorder_opts *o, AVDictionary **d)
{
    AVCodecContext *cc = e->cc;
    int q = o->quality;
    if (is_x264(ch->codec)) {
        const char *preset = q == SC_RECORD_HIGH ? HIGH_PRESET
                           : q == SC_RECORD_LOSSLESS ? LOSSLESS_PRESET : NORMAL_PRESET;
        av_dict_set(d, "preset", o->preset ? o->preset : preset, 0);
        /* Low delay (no B-frames, no lookahead) so a crash loses little,
         * but keeping the real frame durations for rate control (the
         * zerolatency tune would force constant rate). */
        av_dict_set(d, "x264-params", X264_LOW_DELAY, 0);
        if (q == SC_RECORD_LOSSLESS && o->crf <= 0) {
            av_dict_set(d, "qp", "0", 0);   /* x264's lossless mode */
        } else {
            char crf[16];
            snprintf(crf, sizeof crf, "%d", o->crf > 0 ? o->crf
                                           : q == SC_RECORD_HIGH ? HIGH_CRF : NORMAL_CRF);
            av_dict_set(d, "crf", crf, 0);
        }
        av_dict_set(d, "forced-idr", "1", 0);
    } else if (ch->codec->id == AV_CODEC_ID_FFV1) {
        /* Version 3: sliced (threads), each slice CRC-checked, so damage
         * stays local; a key frame (state reset) about once a second. */
        av_dict_set(d, "level", "3", 0);
        av_dict_set(d, "slicecrc", "1", 0);
        av_dict_set(d, "slices", "4", 0);
        cc->gop_size = (int)(av_q2d(e->rate) * KEY_MS / 1000 + 0.5);
        if (cc->gop_size < 1)
            cc->gop_size = 1;
    } else if (ch->codec->id == AV_CODEC_ID_PNG) {
        /* Paeth prediction, light deflate: 1.6x the speed of the default
         * level for 1% more bytes on stylized frames. */
        av_dict_set(d, "pred", "paeth", 0);
        cc->compression_level = 1;
    } else {
        cc->flags |= AV_CODEC_FLAG_QSCALE;
        cc->global_quality = FF_QP2LAMBDA * (q == SC_RECORD_NORMAL ? 4 : 2);
    }
}

static enum sc_status setup_codec(struct sc_encoder *e, const struct codec_choice *ch,
                                  const struct sc_recorder_opts *o, struct sc_error *err)
{
    const AVCodec *codec = ch->codec;
    AVCodecContext *cc = avcodec_alloc_context3(codec);
    if (!cc)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    e->cc = cc;
    cc->width = e->ew;
    cc->height = e->eh;
    cc->pix_fmt = ch->pix;
    /* MPEG-4 part 2 cannot count more than 65535 ticks a second. */
    if (codec->id != AV_CODEC_ID_H264 && codec->id != AV_CODEC_ID_FFV1 &&
        codec->id != AV_CODEC_ID_PNG && e->tb.den > 65535)
        e->tb = LIVE_TB;
    cc->time_base = e->tb;
    cc->framerate = e->rate;
    cc->gop_size = (int)(2 * av_q2d(e->rate) + 0.5); /* ceiling; keyframes are forced by time */
    cc->max_b_frames = 0;
    if (ch->rgb) {
        cc->color_range = AVCOL_RANGE_JPEG;
        cc->colorspace = AVCOL_SPC_RGB;
    } else {
        cc->color_range = AVCOL_RANGE_MPEG;
        cc->colorspace = AVCOL_SPC_SMPTE170M; /* swscale's default RGB->YUV matrix */
    }
    cc->thread_count = 0;
    if (e->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        cc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    AVDictionary *d = NULL;
    codec_settings(e, ch, o, &d);
    char eb[128];
    int r = avcodec_open2(cc, codec, &d);
    av_dict_free(&d);
    if (r < 0)
        return sc_error_set(err, SC_ERR_FORMAT, "Cannot record to %s: the %s encoder "
                            "refused %dx%d (%s).", e->path, codec->name, e->ew, e->eh,
                            av_err(r, eb, sizeof eb));
    return SC_OK;
}

static enum sc_status setup_output(struct sc_encoder *e, struct sc_error *err)
{
    AVStream *st = avformat_new_stream(e->fmt, NULL);
    if (!st)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    e->st = st;
    /* The nominal rate is what players and converters take as the rate
     * (Matroska writes it as the track's default duration); the packets
     * keep their own times. */
    st->time_base = e->cc->time_base;
    if (e->declare) {
        st->avg_frame_rate = e->rate;
        st->r_frame_rate = e->rate;
    }

    avcodec_parameters_from_context(st->codecpar, e->cc);

    char eb[128];
    uint8_t *buf = av_malloc(IO_BUF);
    AVIOContext *pb = buf ? avio_alloc_context(buf, IO_BUF, 1, e, NULL, io_write, io_seek)
                          : NULL;
    if (!pb) {
        av_free(buf);
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    }
    e->fmt->pb = pb;
    e->open = 1;
    /* Flush after every packet: each finished cluster/fragment, which fits
     * the buffer, reaches the kernel in one write(); SIGKILL then loses only
     * what is still in memory and never leaves half a cluster. */
    e->fmt->flags |= AVFMT_FLAG_FLUSH_PACKETS;
    int r;

    AVDictionary *d = NULL;
    char cut[32];
    if (ends_with(e->path, ".mp4")) {
        /* Fragmented: each fragment is self-contained, so the file stays
         * playable up to the last fragment if the trailer never comes. */
        av_dict_set(&d, "movflags", "+frag_keyframe+empty_moov+default_base_moof", 0);
        snprintf(cut, sizeof cut, "%d", CUT_MS * 1000);
        av_dict_set(&d, "frag_duration", cut, 0);
        av_dict_set_int(&d, "frag_size", MAX_CUT_BYTES, 0);
    } else {
        snprintf(cut, sizeof cut, "%d", CUT_MS);
        av_dict_set(&d, "cluster_time_limit", cut, 0);
        av_dict_set_int(&d, "cluster_size_limit", MAX_CUT_BYTES, 0);
    }
    r = avformat_write_header(e->fmt, &d);
    av_dict_free(&d);
    if (r >= 0) {
        avio_flush(e->fmt->pb);
        r = e->fmt->pb->error;
    }
    if (r < 0)
        return sc_error_set(err, r == AVERROR(ENOSPC) ? SC_ERR_FULL : SC_ERR_IO,
                            "Cannot record: writing the start of %s failed (%s).",
                            e->path, av_err(r, eb, sizeof eb));
    e->good_pos = avio_tell(e->fmt->pb);
    return SC_OK;
}

static enum sc_status setup_frames(struct sc_encoder *e, struct sc_error *err)
{
    /* Same size: RGB to RGB is an exact reordering of bytes. */
    e->sws = sws_getContext(e->ew, e->eh, AV_PIX_FMT_RGB24, e->ew, e->eh,
                            e->cc->pix_fmt, SWS_FAST_BILINEAR, NULL, NULL, NULL);
    e->frame = av_frame_alloc();
    e->pkt = av_packet_alloc();
    if (!e->sws || !e->frame || !e->pkt)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    e->frame->format = e->cc->pix_fmt;
    e->frame->width = e->ew;
    e->frame->height = e->eh;
    if (av_frame_get_buffer(e->frame, 0) < 0)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    return SC_OK;
}

/* The stream's time base and nominal rate: a file's own (batch), else
 * capture times in milliseconds at the camera's rate. */
static void set_timing(struct sc_encoder *e, const struct sc_recorder_opts *o)
{
    e->declare = o->fps > 0;
    e->rate = av_d2q(o->fps > 0 ? o->fps : 30.0, 100000);
    if (o->time_base_num > 0 && o->time_base_den > 0)
        av_reduce(&e->tb.num, &e->tb.den, o->time_base_num, o->time_base_den, INT_MAX);
    else
        e->tb = LIVE_TB;
}

/* After setup_codec, which may coarsen the time base. */
static void set_durations(struct sc_encoder *e)
{
    e->dur = av_rescale_q(1, av_inv_q(e->rate), e->tb);
    if (e->dur < 1)
        e->dur = 1;
    e->key_ticks = av_rescale_q(KEY_MS, (AVRational){1, 1000}, e->tb);
    if (e->key_ticks < 1)
        e->key_ticks = 1;
}

enum sc_status sc_encoder_open(struct sc_encoder **out, const struct sc_recorder_opts *o,
                               int fd, struct sc_error *err)
{
    sc_avlog_route();
    struct sc_encoder *e = calloc(1, sizeof *e);
    if (!e) {
        close(fd);
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
    }
    e->fd = fd;
    snprintf(e->path, sizeof e->path, "%s", o->path);
    snprintf(e->dir, sizeof e->dir, "%s", o->path);
    char *slash = strrchr(e->dir, '/');
    if (slash)
        *(slash == e->dir ? slash + 1 : slash) = '\0';
    else
        snprintf(e->dir, sizeof e->dir, ".");
    e->in_stride = o->w * 3;
    set_timing(e, o);

    struct codec_choice ch = {0};
    enum sc_status st = pick_codec(o, &ch, err);
    if (st != SC_OK)
        goto fail;
    /* 4:2:0 needs an even size; RGB keeps every pixel. */
    e->ew = ch.rgb ? o->w : o->w & ~1;
    e->eh = ch.rgb ? o->h : o->h & ~1;
    const char *fmtname = ends_with(o->path, ".mp4") ? "mp4" : "matroska";
    if (avformat_alloc_output_context2(&e->fmt, NULL, fmtname, NULL) < 0) {
        st = sc_error_set(err, SC_ERR_NOMEM, "Cannot record: out of memory.");
        goto fail;
    }
    if ((st = setup_codec(e, &ch, o, err)) != SC_OK ||
        (st = setup_frames(e, err)) != SC_OK ||
        (st = setup_output(e, err)) != SC_OK)
        goto fail;
    set_durations(e);
    *out = e;
    return SC_OK;
fail:
    sc_encoder_free(&e);
    return st;
}

/* The write failed: cut the file back to whole clusters/fragments so what is
 * kept plays cleanly, close it, and say what happened. */
static enum sc_status write_failed(struct sc_encoder *e, int averr, struct sc_error *err)
{
    close_output(e);
    if (truncate(e->path, e->good_pos) != 0)
        sc_debug("could not cut %s back to %lld bytes: %s", e->path,
                 (long long)e->good_pos, strerror(errno));
    double kept = e->kept * av_q2d(e->tb);
    char eb[128];
    if (averr == AVERROR(ENOSPC) || averr == AVERROR(EDQUOT))
        return sc_error_set(err, SC_ERR_FULL, "Recording stopped: the disk holding %s "
                            "is full; the clip up to %.1f s was kept in %s.",
                            e->dir, kept, e->path);
    if (averr == AVERROR(EFBIG))
        return sc_error_set(err, SC_ERR_FULL, "Recording stopped: %s reached the "
                            "largest file size allowed here; the clip up to %.1f s "
                            "was kept.", e->path, kept);
    return sc_error_set(err, SC_ERR_IO, "Recording stopped: writing %s failed (%s); "
                        "the clip up to %.1f s was kept.", e->path,
                        av_err(averr, eb, sizeof eb), kept);
}

/* Writes every packet the encoder has ready. */
static int drain_packets(struct sc_encoder *e)
{
    for (;;) {
        int r = avcodec_receive_packet(e->cc, e->pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return 0;
        if (r < 0)
            return r;
        int64_t pts = e->pkt->pts;
        e->pkt->duration = e->dur;
        e->pkt->stream_index = 0;
        av_packet_rescale_ts(e->pkt, e->cc->time_base, e->st->time_base);
        r = av_write_frame(e->fmt, e->pkt);
        av_packet_unref(e->pkt);
        if (r < 0)
            return r;
        /* The file grew: everything before this packet is on disk in whole
         * clusters/fragments (the muxer writes them in one piece). */
        int64_t pos = avio_tell(e->fmt->pb);
        if (pos > e->good_pos) {
            e->good_pos = pos;
            e->kept_frames = e->npkt;
            e->kept = pts;
        }
        e->npkt++;
        e->end = pts + e->dur;
    }
}

enum sc_status sc_encoder_write(struct sc_encoder *e, const uint8_t *rgb,
                                int64_t pts_us, struct sc_error *err)
{
    if (!e->open)
        return sc_error_set(err, SC_ERR_IO, "Recording to %s already stopped.", e->path);
    if (e->nin == 0)
        e->first_us = pts_us;
    /* A file's frames (given its time base) come back as its exact ticks. */
    int64_t rel = pts_us - e->first_us;
    int64_t pts = rel > 0 ? sc_us_to_ticks(rel, e->tb.num, e->tb.den) : 0;
    if (e->nin > 0 && pts <= e->last_pts)
        pts = e->last_pts + 1; /* duplicate or backwards capture time */
    if (e->nin > 0)
        e->dur = pts - e->last_pts;

    int r = av_frame_make_writable(e->frame);
    if (r < 0)
        return write_failed(e, r, err);
    const uint8_t *src[1] = {rgb};
    const int stride[1] = {e->in_stride};
    sws_scale(e->sws, src, stride, 0, e->eh, e->frame->data, e->frame->linesize);
    e->frame->pts = pts;
    e->frame->quality = e->cc->global_quality; /* a fixed quantizer is read per frame */
    int key = e->nin == 0 || pts - e->last_key >= e->key_ticks;
    e->frame->pict_type = key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    if (key)
        e->last_key = pts;
    e->last_pts = pts;
    e->nin++;

    r = avcodec_send_frame(e->cc, e->frame);
    if (r >= 0)
        r = drain_packets(e);
    return r < 0 ? write_failed(e, r, err) : SC_OK;
}

enum sc_status sc_encoder_finish(struct sc_encoder *e, struct sc_error *err)
{
    if (!e->open)
        return SC_OK;
    int r = avcodec_send_frame(e->cc, NULL);
    if (r >= 0)
        r = drain_packets(e);
    if (r >= 0)
        r = av_write_trailer(e->fmt);
    if (r >= 0)
        r = e->fmt->pb->error;
    if (r >= 0)
        r = close_output(e);
    if (r < 0)
        return write_failed(e, r, err);
    e->kept_frames = e->npkt;
    e->kept = e->end;
    return SC_OK;
}

double sc_encoder_duration(const struct sc_encoder *e)
{
    return e->kept * av_q2d(e->tb);
}

uint64_t sc_encoder_frames(const struct sc_encoder *e)
{
    return e->kept_frames;
}

void sc_encoder_free(struct sc_encoder **ep)
{
    struct sc_encoder *e = *ep;
    *ep = NULL;
    if (!e)
        return;
    close_output(e);
    avformat_free_context(e->fmt);
    avcodec_free_context(&e->cc);
    sws_freeContext(e->sws);
    av_frame_free(&e->frame);
    av_packet_free(&e->pkt);
    free(e);
}

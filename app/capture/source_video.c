/* The video-file source: any file FFmpeg can read, decoded to RGB24 at the
 * file's own size, paced at the file's rate (live view) or as fast as decoded
 * (batch, keeping the file's timing in pts_us). */
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/capture/source.h"
#include "common/clock.h"
#include "common/avlog.h"
#include "common/ticks.h"

struct video {
    char path[1024];
    AVFormatContext *fmt;
    AVCodecContext *dec;
    struct SwsContext *sws;    /* made once for the stream's size and format */
    AVPacket *pkt;
    AVFrame *frame;
    int stream;                /* index of the video stream */
    AVRational tb;             /* the stream's time base */
    int w, h;
    int paced;
    int have_frame;            /* frame holds a decoded picture not yet delivered */
    int flushed;               /* the demuxer hit the end; the decoder was told */
    int64_t frame_dur_us;      /* nominal frame interval, for frames without a time */
    int have_t0;
    int64_t first_ts;          /* first frame's time, ticks of tb (or AV_NOPTS_VALUE) */
    int64_t mono_t0;           /* CLOCK_MONOTONIC time the first frame maps to */
    int64_t last_pts_us;
    uint64_t seq;
};

static void video_close(void *priv)
{
    struct video *v = priv;
    if (!v)
        return;
    sws_freeContext(v->sws);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    free(v);
}

static enum sc_status open_error(const char *path, int r, struct sc_error *err)
{
    if (r == AVERROR(ENOENT))
        return sc_error_set(err, SC_ERR_NOT_FOUND, "Cannot open the video %s: there is "
                            "no such file; check the name.", path);
    if (r == AVERROR(EACCES) || r == AVERROR(EPERM))
        return sc_error_set(err, SC_ERR_IO, "Cannot open the video %s: permission "
                            "denied; make it readable.", path);
    if (r == AVERROR(EISDIR))
        return sc_error_set(err, SC_ERR_ARG, "Cannot open the video %s: it is a "
                            "folder; give a video file.", path);
    return sc_error_set(err, SC_ERR_FORMAT, "Cannot open the video %s: it is not a "
                        "video file FFmpeg can read; give another file.", path);
}

static enum sc_status open_decoder(struct video *v, struct sc_error *err)
{
    const AVCodec *codec = NULL;
    int s = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (s < 0 || !codec)
        return sc_error_set(err, SC_ERR_FORMAT, s == AVERROR_DECODER_NOT_FOUND ?
                            "Cannot play %s: this FFmpeg has no decoder for its video; "
                            "convert it to H.264 first." :
                            "Cannot play %s: it has no video stream; give a video file.",
                            v->path);
    AVStream *st = v->fmt->streams[s];
    v->stream = s;
    v->tb = st->time_base;
    v->dec = avcodec_alloc_context3(codec);
    if (!v->dec || avcodec_parameters_to_context(v->dec, st->codecpar) < 0)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot play %s: out of memory.", v->path);
    v->dec->thread_count = 0;
    if (avcodec_open2(v->dec, codec, NULL) < 0)
        return sc_error_set(err, SC_ERR_FORMAT, "Cannot play %s: its %s video could not "
                            "be decoded; convert it to H.264 first.", v->path, codec->name);
    v->w = v->dec->width;
    v->h = v->dec->height;
    if (v->w <= 0 || v->h <= 0 || v->dec->pix_fmt == AV_PIX_FMT_NONE)
        return sc_error_set(err, SC_ERR_FORMAT, "Cannot play %s: its video has no "
                            "picture size; the file may be damaged.", v->path);
    v->sws = sws_getContext(v->w, v->h, v->dec->pix_fmt, v->w, v->h, AV_PIX_FMT_RGB24,
                            SWS_BILINEAR, NULL, NULL, NULL);
    v->pkt = av_packet_alloc();
    v->frame = av_frame_alloc();
    if (!v->sws || !v->pkt || !v->frame)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot play %s: out of memory.", v->path);
    return SC_OK;
}

static enum sc_status video_open(void **priv, const struct sc_source_request *req,
                                 struct sc_source_info *info, struct sc_error *err)
{
    if (!req || !req->spec || !req->spec[0])
        return sc_error_set(err, SC_ERR_ARG, "No video file given; name one.");
    sc_avlog_route();
    struct video *v = calloc(1, sizeof *v);
    if (!v)
        return sc_error_set(err, SC_ERR_NOMEM, "Cannot open %s: out of memory.", req->spec);
    snprintf(v->path, sizeof v->path, "%s", req->spec);
    v->paced = req->paced;

    char url[1100];
    snprintf(url, sizeof url, "file:%s", v->path);
    int r = avformat_open_input(&v->fmt, url, NULL, NULL);
    enum sc_status st;
    if (r < 0) {
        st = open_error(v->path, r, err);
        goto fail;
    }
    if (avformat_find_stream_info(v->fmt, NULL) < 0) {
        st = open_error(v->path, AVERROR_INVALIDDATA, err);
        goto fail;
    }
    if ((st = open_decoder(v, err)) != SC_OK)
        goto fail;

    /* FFmpeg's own guess of the nominal rate, the one its converter takes. */
    AVRational fr = av_guess_frame_rate(v->fmt, v->fmt->streams[v->stream], NULL);
    info->w = v->w;
    info->h = v->h;
    info->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0;
    info->time_base_num = v->tb.num;
    info->time_base_den = v->tb.den;
    v->frame_dur_us = info->fps > 0 ? (int64_t)(1e6 / info->fps) : 33333;
    size_t len = strlen(v->path), room = sizeof info->name - 1;
    const char *tail = len > room ? v->path + len - room : v->path; /* keep the file name */
    memcpy(info->name, tail, strlen(tail) + 1);
    *priv = v;
    return SC_OK;
fail:
    video_close(v);
    return st;
}

/* Decodes the next picture into v->frame. SC_OK, SC_EOF or an error. */
static enum sc_status decode_next(struct video *v, struct sc_error *err)
{
    for (;;) {
        int r = avcodec_receive_frame(v->dec, v->frame);
        if (r >= 0)
            return SC_OK;
        if (r == AVERROR_EOF)
            return SC_EOF;
        if (r != AVERROR(EAGAIN))
            return sc_error_set(err, SC_ERR_FORMAT, "Decoding %s failed; the file may "
                                "be damaged.", v->path);
        if (v->flushed)
            return SC_EOF;
        r = av_read_frame(v->fmt, v->pkt);
        if (r == AVERROR_EOF) {
            v->flushed = 1; /* the decoder hands out what it holds, then EOF */
            avcodec_send_packet(v->dec, NULL);
            continue;
        }
        if (r < 0)
            return sc_error_set(err, SC_ERR_IO, "Reading %s failed; the file may be "
                                "damaged or on a disk that went away.", v->path);
        if (v->pkt->stream_index == v->stream)
            r = avcodec_send_packet(v->dec, v->pkt);
        av_packet_unref(v->pkt);
        if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA)
            return sc_error_set(err, SC_ERR_FORMAT, "Decoding %s failed; the file may "
                                "be damaged.", v->path);
    }
}

/* Microseconds from the first frame: ticks counted from the first frame's,
 * so that the recorder, given the file's time base, writes them exactly. */
static int64_t frame_offset_us(const struct video *v, int64_t t)
{
    if (t == AV_NOPTS_VALUE || v->first_ts == AV_NOPTS_VALUE)
        return v->seq > 0 ? v->last_pts_us - v->mono_t0 + v->frame_dur_us : 0;
    return sc_ticks_to_us(t - v->first_ts, v->tb.num, v->tb.den);
}

static void sleep_until_us(int64_t t)
{
    struct timespec ts = {.tv_sec = t / 1000000, .tv_nsec = (t % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static enum sc_status video_read(void *priv, struct sc_frame *dst, int timeout_ms,
                                 struct sc_error *err)
{
    struct video *v = priv;
    if (!v->have_frame) {
        enum sc_status st = decode_next(v, err);
        if (st != SC_OK)
            return st;
        v->have_frame = 1;
    }
    if (v->frame->width != v->w || v->frame->height != v->h ||
        v->frame->format != v->dec->pix_fmt)
        return sc_error_set(err, SC_ERR_FORMAT, "Cannot play %s: its picture size or "
                            "format changes midway; convert it first.", v->path);

    int64_t t = v->frame->best_effort_timestamp;
    if (!v->have_t0) {
        v->have_t0 = 1;
        v->first_ts = t;
        v->mono_t0 = sc_now_us();
    }
    int64_t pts = v->mono_t0 + frame_offset_us(v, t);
    if (v->seq > 0 && pts <= v->last_pts_us)
        pts = v->last_pts_us + 1;
    if (v->paced) {
        /* Absolute deadlines: no drift however long the wait between reads. */
        int64_t now = sc_now_us();
        if (pts - now > (int64_t)timeout_ms * 1000) {
            sleep_until_us(now + (int64_t)timeout_ms * 1000);
            return SC_AGAIN; /* the picture stays pending for the next read */
        }
        if (pts > now)
            sleep_until_us(pts);
    }

    uint8_t *dst_planes[1] = {dst->rgb};
    int dst_stride[1] = {v->w * 3};
    sws_scale(v->sws, (const uint8_t *const *)v->frame->data, v->frame->linesize, 0,
              v->h, dst_planes, dst_stride);
    av_frame_unref(v->frame);
    v->have_frame = 0;
    dst->w = v->w;
    dst->h = v->h;
    dst->pts_us = pts;
    dst->seq = v->seq++;
    v->last_pts_us = pts;
    return SC_OK;
}

const struct sc_source_driver sc_source_video = {
    .name = "video",
    .open = video_open,
    .read = video_read,
    .close = video_close,
};

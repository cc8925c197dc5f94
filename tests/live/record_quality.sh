#!/bin/bash
# --record-quality as a user runs it, checked by ffprobe and ffmpeg: a
# lossless batch recording of an image decodes to exactly the frames
# `stylecam stylize` makes of it (also without libx264, NOX264 preloaded);
# high spends more bits than normal; an unknown word is refused.
. "$(dirname "$0")/lib.sh"
command -v ffprobe >/dev/null || skip "ffprobe is not installed"
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed"

# An odd width (451x300): lossless keeps every pixel, no rounding to even.
IMG=$STYLECAM_SHARED/images/chelsea.png
N=3

# The reference: the image stylized once, as packed RGB24. The batch run
# uses --stabilize off: the stabilizer blends each frame with the previous
# one, which a single stylize never does, so with it on the frames of a
# clip need not equal the one image (by design).
reference() {
    RC=0
    timeout -s KILL "$PATIENCE" "$STYLECAM_BIN" stylize --style sketch "$IMG" "$TMP/ref.png" \
        >"$LOG" 2>&1 || RC=$?
    expect_rc 0
    ffmpeg -nostdin -v error -i "$TMP/ref.png" -f rawvideo -pix_fmt rgb24 "$TMP/ref.rgb" ||
        fail "ffmpeg could not read the stylized reference"
}

# lossless FILE CODEC PIX_FMT [ENV...]: records N frames of IMG lossless to
# FILE and checks the codec, the size, the log, and every frame bit-exact.
lossless() {
    f=$1 codec=$2 pix=$3
    shift 3
    RC=0
    env "$@" timeout -s KILL "$PATIENCE" "$STYLECAM_BIN" --input "$IMG" --headless \
        --frames "$N" --style sketch --stabilize off --record "$f" --record-quality lossless \
        >"$LOG" 2>&1 || RC=$?
    expect_rc 0
    expect_log "recording to $f (lossless"
    got=$(probe "$f" codec_name),$(probe "$f" pix_fmt)
    [ "$got" = "$codec,$pix" ] || fail "$f is $got, expected $codec,$pix"
    [ "$(probe "$f" width)x$(probe "$f" height)" = 451x300 ] || fail "$f is not 451x300"
    [ "$(probe_frames "$f")" = "$N" ] || fail "$f does not hold $N frames"
    decode_clean "$f"
    ffmpeg -nostdin -v error -i "$f" -vsync passthrough -enc_time_base -1 -f rawvideo \
        -pix_fmt rgb24 "$f.rgb" || fail "ffmpeg could not decode $f to RGB"
    fb=$(stat -c %s "$TMP/ref.rgb")
    [ "$(stat -c %s "$f.rgb")" = $((fb * N)) ] || fail "$f decodes to $(stat -c %s "$f.rgb") bytes, expected $N frames of $fb"
    for i in $(seq 0 $((N - 1))); do
        tail -c +$((i * fb + 1)) "$f.rgb" | head -c "$fb" | cmp -s - "$TMP/ref.rgb" ||
            fail "frame $i of $f differs from stylize's picture"
    done
    echo "$f: $codec $pix 451x300, $N frames equal to stylize's, bit for bit"
}

case "$1" in
lossless)
    reference
    lossless "$TMP/a.mkv" h264 gbrp
    [ "$(probe "$TMP/a.mkv" profile)" = "High 4:4:4 Predictive" ] || fail "a.mkv is not 4:4:4"
    lossless "$TMP/a.mp4" h264 gbrp
    ;;
lossless-nox264)
    # Without libx264: FFV1 in Matroska; PNG frames in MP4 (its muxer takes no FFV1).
    : "${NOX264:?}"
    reference
    lossless "$TMP/b.mkv" ffv1 bgr0 LD_PRELOAD="$NOX264"
    expect_log "recording lossless clips with FFV1"
    lossless "$TMP/b.mp4" png rgb24 LD_PRELOAD="$NOX264"
    expect_log "recording lossless clips with PNG"
    ;;
high)
    # One moving clip, stylized whole at normal and at high quality.
    sc --input test --headless --frames 25 --style sketch --size 160x120 --record "$TMP/in.mkv"
    expect_rc 0
    sc --input "$TMP/in.mkv" --headless --style sketch --record "$TMP/n.mkv"
    expect_rc 0
    expect_log "recording to $TMP/n.mkv\$"
    sc --input "$TMP/in.mkv" --headless --style sketch --record "$TMP/h.mp4" --record-quality high
    expect_rc 0
    expect_log "recording to $TMP/h.mp4 (high quality)"
    for f in n.mkv h.mp4; do
        [ "$(probe "$TMP/$f" codec_name),$(probe "$TMP/$f" pix_fmt)" = h264,yuv420p ] ||
            fail "$f is not H.264 4:2:0"
        decode_clean "$TMP/$f"
    done
    [ "$(probe_frames "$TMP/h.mp4")" = "$(probe_frames "$TMP/n.mkv")" ] || fail "frame counts differ"
    # x264 writes its settings into the stream.
    grep -aq " crf=23.0 " "$TMP/n.mkv" || fail "normal is not crf 23"
    grep -aq " crf=17.0 " "$TMP/h.mp4" || fail "high is not crf 17"
    sn=$(stat -c %s "$TMP/n.mkv") sh=$(stat -c %s "$TMP/h.mp4")
    [ "$sh" -gt "$sn" ] || fail "high ($sh bytes) is not larger than normal ($sn bytes)"
    echo "normal $sn bytes, high $sh bytes"
    ;;
unknown)
    sc --input test --headless --frames 3 --record "$TMP/u.mkv" --record-quality best
    expect_rc 2
    expect_one_sentence "Invalid --record-quality 'best': expected normal, high or lossless."
    [ ! -e "$TMP/u.mkv" ] || fail "u.mkv was created"
    ;;
*) fail "unknown scenario $1" ;;
esac
echo "ok: $1"

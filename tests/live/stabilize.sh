#!/bin/bash
# Stabilization end to end, as the hidden checks and a user do it: a
# camera-like clip (a photo with fresh noise each frame, still or panned)
# stylized in batch mode with --record-quality lossless and --stabilize off
# and on, the clips decoded by ffmpeg and compared frame by frame.
. "$(dirname "$0")/lib.sh"
need_tools ffmpeg ffprobe
STATS="python3 $(dirname "$0")/clipstats.py"
W=256 H=192 N=12
PHOTO=$STYLECAM_SHARED/images/chelsea.png

# make_clip NAME CROP_X CROP_Y: N frames of W x H cut from the photo scaled to
# 400 wide (at x, y: ffmpeg expressions of the frame number n), with fresh
# temporal noise, stored losslessly (FFV1).
make_clip() {
    ffmpeg -nostdin -loglevel error -loop 1 -i "$PHOTO" -frames:v "$N" -vf \
        "scale=400:-2,crop=$W:$H:$2:$3,noise=alls=8:allf=t,format=yuv444p" \
        -c:v ffv1 -r 10 "$TMP/$1.mkv" || fail "ffmpeg could not make the $1 clip"
}

# stylize CLIP MODE: the clip through stylecam in batch mode, decoded to raw RGB.
stylize() {
    sc --input "$TMP/$1.mkv" --headless --models "$STYLECAM_SHARED/models" --style udnie \
        --record "$TMP/$1-$2.mkv" --record-quality lossless --stabilize "$2"
    expect_rc 0
    expect_log "stabilize $2"
    got=$(probe_frames "$TMP/$1-$2.mkv")
    [ "$got" = "$N" ] || fail "$1 with --stabilize $2 recorded $got frames, expected $N"
    ffmpeg -nostdin -loglevel error -i "$TMP/$1-$2.mkv" -f rawvideo -pix_fmt rgb24 \
        "$TMP/$1-$2.rgb" || fail "ffmpeg could not decode $TMP/$1-$2.mkv"
}

stat() { sed -n "s/^$1 //p" "$TMP/stats"; }

case "$1" in
static)
    # Noise only: stabilizing must at least halve the flicker, while the
    # picture stays close to the per-frame stylization.
    make_clip static 60 40
    stylize static off
    stylize static on
    $STATS $W $H "$TMP/static-off.rgb" "$TMP/static-on.rgb" >"$TMP/stats" || fail "clipstats failed"
    cat "$TMP/stats"
    awk_check '$1 <= 0.5 * $2' "$(stat flicker_on)" "$(stat flicker_off)" ||
        fail "flicker $(stat flicker_on) with --stabilize on, $(stat flicker_off) off: not halved"
    awk_check '$1 < $2' "$(stat fidelity)" "$(stat flicker_off)" ||
        fail "stabilized frames are $(stat fidelity) levels from the per-frame ones, more than the flicker removed"
    ;;
moving)
    # A pan of 2 px a frame: the stabilized frames follow the motion (a
    # frozen or ghosting picture would stay far from the per-frame frames).
    make_clip moving "20+2*n" "30+n"
    stylize moving off
    stylize moving on
    $STATS $W $H "$TMP/moving-off.rgb" "$TMP/moving-on.rgb" >"$TMP/stats" || fail "clipstats failed"
    cat "$TMP/stats"
    awk_check '$1 < 0.5 * $2' "$(stat fidelity)" "$(stat frozen)" ||
        fail "stabilized frames are $(stat fidelity) levels from the per-frame ones; a frozen picture is $(stat frozen)"
    awk_check '$1 < $2' "$(stat flicker_on)" "$(stat flicker_off)" ||
        fail "the panned clip flickers more stabilized ($(stat flicker_on)) than not ($(stat flicker_off))"
    ;;
bad)
    sc --input test --headless --frames 2 --stabilize sometimes
    expect_rc 2
    expect_one_sentence "Invalid --stabilize 'sometimes': expected off, on or strong."
    ;;
*) fail "unknown case $1" ;;
esac
echo "PASS stabilize $1"

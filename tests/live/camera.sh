#!/bin/bash
# The whole program on the emulated camera, headless: formats, sizes,
# unplug and replug, a busy or absent camera, the test-scene fallback.
. "$(dirname "$0")/lib.sh"
: "${FAKECAM:?}"
case "$1" in
yuyv)
    FAKECAM_FORMATS=yuyv sc_cam --headless --frames 12 --style sketch --size 160x120
    expect_rc 0
    expect_log "converted from YUYV"
    [ "$(summary_frames)" = 12 ] || fail "expected 12 frames"
    expect_log " 0 frames taken that were not among the newest"
    ;;
inflight)
    # Two frames in the engine at once: every frame still arrives, in order.
    FAKECAM_FORMATS=yuyv sc_cam --headless --frames 15 --style sketch --size 160x120 --in-flight 2
    expect_rc 0
    expect_log "2 frames in flight"
    [ "$(summary_frames)" = 15 ] || fail "expected 15 frames"
    expect_log " 0 frames taken that were not among the newest"
    ;;
mjpeg)
    # A large size takes the camera's MJPEG mode; the network runs smaller.
    sc_cam --headless --frames 6 --style sketch --size 1280x720 --infer-size 256x144
    expect_rc 0
    expect_log "1280x720 RGB24 converted from MJPG"
    [ "$(summary_frames)" = 6 ] || fail "expected 6 frames"
    ;;
unplug)
    start=$(date +%s)
    FAKECAM_UNPLUG_AFTER=8 FAKECAM_REPLUG_MS=2500 sc_cam --headless --frames 30 --style sketch \
        --size 160x120
    secs=$(( $(date +%s) - start + 1 ))
    expect_rc 0
    expect_log "was unplugged"
    expect_log "is back"
    n=$(grep -c "was unplugged" "$LOG")
    [ "$n" -le "$secs" ] || fail "the unplug message was printed $n times in $secs s"
    [ "$(summary_frames)" = 30 ] || fail "expected 30 frames"
    ;;
busy)
    FAKECAM_BUSY=1 sc_cam --headless --frames 3 --style sketch
    expect_rc 1
    expect_one_sentence "busy"
    ;;
absent)
    FAKECAM_ABSENT=1 sc_cam --headless --frames 3 --style sketch --device /dev/video0
    expect_rc 1
    expect_one_sentence "/dev/video0"
    # With no camera at all and none named, the test scene stands in.
    FAKECAM_ABSENT=1 sc_cam --headless --frames 3 --style sketch --size 64x48
    expect_rc 0
    expect_log "No camera was found; showing the built-in test scene"
    [ "$(summary_frames)" = 3 ] || fail "expected 3 frames"
    ;;
nocapture)
    FAKECAM_NOCAPTURE=1 sc_cam --headless --frames 3 --style sketch --device /dev/video0
    expect_rc 1
    expect_one_sentence "/dev/video0"
    ;;
list)
    sc_cam --list-devices
    expect_rc 0
    expect_log "Fake Camera"
    expect_log "MJPG"
    FAKECAM_ABSENT=1 sc_cam --list-devices
    expect_rc 1
    expect_one_sentence "No camera"
    ;;
*) fail "unknown scenario $1" ;;
esac
echo "ok: $1"

#!/bin/bash
# The virtual camera through v4l2loopback, on the emulated loopback device
# (tests/fakecam/fakeloop.c, preloaded: $FAKELOOP) at /dev/video10: what
# arrives there (size, format, count, the stylized picture in BT.601
# limited-range YUYV and I420), no device, a device that vanishes, a slow
# reader, --list-devices and --vcam auto, 2000 frames with flat memory.
. "$(dirname "$0")/lib.sh"
: "${FAKELOOP:?}"
DEV=/dev/video10
FRAMES_PY=$(dirname "$0")/vcam_frames.py
export FAKELOOP_DEVICE=$DEV FAKELOOP_DUMP=$TMP/dump FAKELOOP_LOG=$TMP/loop.log

# Runs stylecam with the emulated device (and the camera when $2 is given).
sc_loop() {
    RC=0
    rm -f "$FAKELOOP_DUMP" "$FAKELOOP_LOG"
    LD_PRELOAD=$FAKELOOP timeout -s KILL "$PATIENCE" "$STYLECAM_BIN" "$@" >"$LOG" 2>&1 || RC=$?
}
# What stylecam says it wrote: "N NEW REPEATS DROPPED LOST".
vcam_stats() {
    sed -n 's/^stylecam: virtual camera: \([0-9]*\) frames written to .* (\([0-9]*\) new, \([0-9]*\) repeats), \([0-9]*\) dropped (late), \([0-9]*\) lost.*/\1 \2 \3 \4 \5/p' "$LOG" | tail -n 1
}
# The format the device was given, as the emulator logged it.
loop_fmt() { grep '^fmt ' "$FAKELOOP_LOG" | tail -n 1; }
dump_frames() { python3 "$FRAMES_PY" count "$FAKELOOP_DUMP" "$@"; }

# The stylized picture of a still image and the image itself, as RGB24.
references() {
    img=$STYLECAM_SHARED/golden/chelsea_160x120.png
    sc stylize --style sketch "$img" "$TMP/ref.png"
    expect_rc 0
    ffmpeg -v error -y -i "$TMP/ref.png" -f rawvideo -pix_fmt rgb24 "$TMP/ref.rgb" &&
        ffmpeg -v error -y -i "$img" -f rawvideo -pix_fmt rgb24 "$TMP/in.rgb" ||
        fail "ffmpeg could not read the reference pictures"
}

case "$1" in
frames)
    # --frames N: the device got the stream's size in YUYV, at the stream's
    # rate, and at least N whole frames (repeats counted), as stylecam says.
    sc_loop --input test --headless --frames 20 --style sketch --size 160x120 --vcam "$DEV"
    expect_rc 0
    [ "$(summary_frames)" = 20 ] || fail "the stream made $(summary_frames) frames, not 20"
    expect_log "virtual camera: sending 160x120 YUYV at 30 fps to $DEV (stylecam)"
    [ "$(loop_fmt)" = "fmt 160x120 YUYV bytesperline 320 sizeimage 38400 colorspace 1" ] ||
        fail "the device was given '$(loop_fmt)'"
    grep -q '^parm 1/30$' "$FAKELOOP_LOG" || fail "the rate was not set to 30 fps"
    got=$(dump_frames 160 120 YUYV) || fail "the device got broken frames"
    read -r n new rep drop lost < <(vcam_stats)
    [ -n "${n:-}" ] || { cat "$LOG"; fail "stylecam did not say what it wrote"; }
    [ "$got" = "$n" ] || fail "the device got $got frames, stylecam says it wrote $n"
    [ "$n" -ge 20 ] || fail "only $n frames arrived for 20 made"
    [ $((new + drop)) = 20 ] || fail "$new new + $drop dropped frames for 20 made"
    [ $((new + rep)) = "$n" ] || fail "$new new + $rep repeats is not $n"
    grep -q '^close ' "$FAKELOOP_LOG" || fail "the device was not closed"
    echo "20 frames made: $n written ($new new, $rep repeats, $drop dropped, $lost lost)"
    ;;
yuyv | i420)
    # A still image: the frames are its stylized picture (not the camera's),
    # in BT.601 limited range within a level or two.
    references
    fmt=YUYV
    [ "$1" = i420 ] && fmt=YU12
    sc_loop --input "$STYLECAM_SHARED/golden/chelsea_160x120.png" --headless --frames 4 \
        --style sketch --infer-size full --stabilize off --vcam "$DEV" --vcam-format "$1"
    expect_rc 0
    size=$((160 * 120 * 2))
    [ "$1" = i420 ] && size=$((160 * 120 * 3 / 2))
    [ "$(loop_fmt)" = "fmt 160x120 $fmt bytesperline $([ "$1" = i420 ] && echo 160 || echo 320) sizeimage $size colorspace 1" ] ||
        fail "the device was given '$(loop_fmt)'"
    python3 "$FRAMES_PY" check "$FAKELOOP_DUMP" 160 120 "$fmt" "$TMP/ref.rgb" "$TMP/in.rgb" ||
        fail "the frames are not the stylized picture"
    ;;
odd)
    # An odd frame size (a still image of 101x75): the device gets the even
    # size below it.
    ffmpeg -v error -y -i "$STYLECAM_SHARED/golden/chelsea_160x120.png" -vf scale=101:75 \
        "$TMP/odd.png" || fail "ffmpeg could not make the odd-sized picture"
    sc_loop --input "$TMP/odd.png" --headless --frames 3 --style sketch --infer-size full \
        --vcam "$DEV"
    expect_rc 0
    read -r w h < <(sed -n 's/^stylecam: source: .*, \([0-9]*\)x\([0-9]*\)$/\1 \2/p' "$LOG")
    [ -n "${w:-}" ] || { cat "$LOG"; fail "no source size in the log"; }
    ew=$((w / 2 * 2)) eh=$((h / 2 * 2))
    loop_fmt | grep -q "^fmt ${ew}x${eh} YUYV " || fail "a ${w}x${h} stream gave '$(loop_fmt)'"
    [ "$(dump_frames "$ew" "$eh" YUYV)" -ge 3 ] || fail "the device got too few frames"
    echo "a ${w}x${h} stream goes out at ${ew}x${eh}"
    ;;
nodevice)
    # No loopback device: one sentence that says how to get one; the run
    # goes on to its end (exit 0). The same for a path that is a camera.
    sc --input test --headless --frames 10 --style sketch --size 96x64 --vcam "$TMP/video99"
    expect_rc 0
    expect_one_sentence "sudo modprobe v4l2loopback exclusive_caps=1 card_label=stylecam"
    expect_log "$TMP/video99"
    [ "$(summary_frames)" = 10 ] || fail "the stream stopped with the virtual camera"
    : "${FAKECAM:?}"
    RC=0
    LD_PRELOAD="$FAKECAM $FAKELOOP" FAKELOOP_ABSENT=1 timeout -s KILL "$PATIENCE" \
        "$STYLECAM_BIN" --headless --frames 6 --style sketch --size 160x120 \
        --vcam /dev/video0 >"$LOG" 2>&1 || RC=$?
    expect_rc 0
    expect_one_sentence "/dev/video0 (Fake Camera) cannot take video output"
    expect_log "modprobe v4l2loopback"
    [ "$(summary_frames)" = 6 ] || fail "the stream stopped with the virtual camera"
    ;;
auto)
    # --vcam auto takes the first device that can output; with none, the
    # sentence with the modprobe line.
    sc_loop --input test --headless --frames 5 --style sketch --size 96x64 --vcam auto
    expect_rc 0
    expect_log "virtual camera: sending 96x64 YUYV at 30 fps to $DEV (stylecam)"
    [ "$(dump_frames 96 64 YUYV)" -ge 5 ] || fail "auto sent too few frames"
    if ! ls /dev/video* >/dev/null 2>&1; then   # no real device that could answer
        FAKELOOP_ABSENT=1 sc_loop --input test --headless --frames 5 --style sketch \
            --size 96x64 --vcam auto
        expect_rc 0
        expect_log "modprobe v4l2loopback exclusive_caps=1"
        [ "$(summary_frames)" = 5 ] || fail "the stream stopped with the virtual camera"
    fi
    ;;
vanish)
    # The device goes away after 8 frames: one message, the stream goes on
    # to its end, the frames that arrived are counted.
    FAKELOOP_VANISH_AFTER=8 sc_loop --input test --headless --frames 40 --style sketch \
        --size 96x64 --vcam "$DEV"
    expect_rc 0
    expect_one_sentence "The virtual camera $DEV went away"
    [ "$(summary_frames)" = 40 ] || fail "the stream stopped with the device"
    read -r n _ < <(vcam_stats)
    [ "${n:-}" = 8 ] || { cat "$LOG"; fail "stylecam says it wrote ${n:-no} frames, 8 arrived"; }
    [ "$(dump_frames 96 64 YUYV)" = 8 ] || fail "the dump does not hold the 8 frames"
    ;;
slow)
    # A reader that keeps the device full every third write (EAGAIN on the
    # non-blocking fd): those frames are lost and counted, nothing fails.
    FAKELOOP_EAGAIN_EVERY=3 sc_loop --input test --headless --frames 15 --style sketch \
        --size 96x64 --vcam "$DEV"
    expect_rc 0
    ! grep -q '^stylecam: error' "$LOG" || { cat "$LOG"; fail "a slow reader was an error"; }
    read -r n _ _ _ lost < <(vcam_stats)
    [ "${lost:-0}" -ge 1 ] || { cat "$LOG"; fail "no frame was counted lost"; }
    [ "$(grep -c '^eagain$' "$FAKELOOP_LOG")" = "$lost" ] || fail "lost $lost, refused $(grep -c '^eagain$' "$FAKELOOP_LOG")"
    [ "$(dump_frames 96 64 YUYV)" = "$n" ] || fail "the dump does not hold the $n frames written"
    ;;
list)
    # --list-devices marks the loopback device, beside the camera; the
    # loopback is never taken for the camera (exclusive_caps=0 makes it
    # look like one).
    : "${FAKECAM:?}"
    RC=0
    LD_PRELOAD="$FAKECAM $FAKELOOP" "$STYLECAM_BIN" --list-devices >"$LOG" 2>&1 || RC=$?
    expect_rc 0
    grep -q "^$DEV: stylecam: virtual camera output (v4l2loopback" "$LOG" ||
        { cat "$LOG"; fail "the loopback device is not marked"; }
    expect_log "Fake Camera"
    RC=0
    LD_PRELOAD="$FAKELOOP" FAKELOOP_CAPTURE=1 "$STYLECAM_BIN" --list-devices >"$LOG" 2>&1 || RC=$?
    grep -q "^$DEV: stylecam: virtual camera output (v4l2loopback" "$LOG" ||
        { cat "$LOG"; fail "a loopback that also captures is not marked"; }
    ;;
long)
    # 2000 frames into the device with flat memory (no dump kept); the
    # network runs small (the frames stay 160x120) so that it takes a minute.
    PATIENCE=${SC_TEST_PATIENCE:-500}
    limit=4096
    if ldd "$STYLECAM_BIN" | grep -q libasan; then
        export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8:thread_local_quarantine_size_kb=64"
        limit=32768
    fi
    FAKELOOP_DUMP= sc_loop --input test --headless --frames 2000 --style sketch --size 160x120 \
        --infer-size 64x48 --fps 120 --vcam "$DEV"
    expect_rc 0
    [ "$(summary_frames)" = 2000 ] || fail "expected 2000 frames"
    read -r n new _ < <(vcam_stats)
    [ "${n:-0}" -ge 1900 ] || { cat "$LOG"; fail "only ${n:-no} frames reached the device"; }
    read -r warm end < <(sed -n 's/^stylecam: memory: \([0-9]*\) KiB .* \([0-9]*\) KiB at the end/\1 \2/p' "$LOG")
    [ -n "${warm:-}" ] || { cat "$LOG"; fail "no memory report"; }
    [ $((end - warm)) -lt "$limit" ] || fail "memory grew from $warm to $end KiB"
    echo "memory: $warm KiB after warm-up, $end KiB after 2000 frames ($n written to the device)"
    ;;
window)
    # The real window under Xvfb: V starts the virtual camera (frames reach
    # the device, the panel says where), V stops it (the device is closed),
    # V starts it again; Q quits cleanly.
    command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed"
    need_tools xdotool
    WORK=$TMP
    . "$(dirname "$0")/../window/xvfb_lib.sh"
    sanitizer_env "$STYLECAM_BIN"
    # The window stage's suppressions (sanitizer_env looks beside this script).
    cat "$(dirname "$0")/../lsan.supp" "$(dirname "$0")/../window/lsan.supp" >"$WORK/lsan.supp"
    xvfb_start
    rm -f "$FAKELOOP_LOG" "$FAKELOOP_DUMP"
    STYLECAM_E2E_PRELOAD=$FAKELOOP run_app "$STYLECAM_BIN" --input test --style sketch \
        --size 160x120
    at_exit "cat '$WORK/err' >&2"
    find_window stylecam
    wait_for_line "$WORK/err" "^stylecam: engine: "
    sends_twice() {
        [ "$(grep -c "virtual camera: sending 160x120 YUYV at 30 fps to $DEV" "$WORK/err")" = 2 ]
    }
    frames_at_least() { [ "$(grep -c '^frame ' "$FAKELOOP_LOG" 2>/dev/null)" -ge "$1" ]; }
    xdotool key --window "$WIN" v
    wait_for_line "$WORK/err" "virtual camera: sending 160x120 YUYV at 30 fps to $DEV"
    wait_for "$PATIENCE" "frames at the device" frames_at_least 5
    xdotool key --window "$WIN" v
    wait_for_line "$WORK/err" "^stylecam: virtual camera: [0-9]* frames written to $DEV"
    wait_for "$PATIENCE" "the device closed" grep -q '^close ' "$FAKELOOP_LOG"
    n=$(grep -c '^frame ' "$FAKELOOP_LOG")
    xdotool key --window "$WIN" v
    wait_for "$PATIENCE" "the virtual camera started again" sends_twice
    wait_for "$PATIENCE" "frames at the device again" frames_at_least $((n + 5))
    xdotool key --window "$WIN" q
    app_exit
    [ "$RC" = 0 ] || { cat "$WORK/err"; fail "exit $RC"; }
    [ "$(grep -c '^stylecam: virtual camera: [0-9]* frames written' "$WORK/err")" = 2 ] ||
        { cat "$WORK/err"; fail "the second run of the virtual camera did not end with stylecam"; }
    dump_frames 160 120 YUYV >/dev/null || fail "the device got broken frames"
    echo "V started, stopped and restarted the virtual camera: $(dump_frames 160 120 YUYV) frames"
    ;;
tsan)
    # Under ThreadSanitizer: the vcam thread beside the others, a device
    # that vanishes, and a signal while frames flow.
    export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1"
    PATIENCE=${SC_TEST_PATIENCE:-250}
    sc_loop --input test --headless --frames 40 --style sketch --size 96x64 --fps 60 \
        --in-flight 2 --vcam "$DEV"
    expect_rc 0
    FAKELOOP_VANISH_AFTER=5 sc_loop --input test --headless --frames 20 --style sketch \
        --size 96x64 --vcam "$DEV"
    expect_rc 0
    expect_log "went away"
    rm -f "$FAKELOOP_LOG"
    LD_PRELOAD=$FAKELOOP "$STYLECAM_BIN" --input test --headless --style sketch --size 96x64 \
        --vcam "$DEV" >"$LOG" 2>&1 &
    PID=$!
    WAIT_PID=$PID
    at_exit "kill -9 $PID 2>/dev/null"
    wait_for "$PATIENCE" "frames at the device" grep -q '^frame 3$' "$FAKELOOP_LOG"
    kill -TERM "$PID"
    wait_exit "$PID"
    expect_rc 0
    expect_log "virtual camera: [0-9]* frames written"
    ! grep -q ThreadSanitizer "$LOG" || { cat "$LOG" >&2; fail "ThreadSanitizer reported"; }
    ;;
*) fail "unknown scenario $1" ;;
esac
echo "ok: $1"

#!/bin/bash
# The live pipeline without a camera: clean shutdown on signals, a long run
# with flat memory, a slow engine with bounded latency, bad inputs.
. "$(dirname "$0")/lib.sh"
case "$1" in
signals)
    # A signal once the pipeline runs (it says so when its engine is up)
    # ends it cleanly, with its summary.
    for sig in INT TERM; do
        sc_bg --input test --headless --style sketch --size 64x48
        wait_for_line "$LOG" "^stylecam: engine: "
        kill -s "$sig" "$PID"
        wait_exit "$PID"
        expect_rc 0
        expect_log " frames in "
    done
    ;;
long)
    # 2000 frames of the test scene at a small size; memory must stay flat.
    # Under ASan freed memory sits in a quarantine (the OpenCL runtime frees
    # some with every kernel launch): cap it and allow for it; LeakSanitizer
    # checks for real leaks at exit there.
    limit=4096
    if ldd "$STYLECAM_BIN" | grep -q libasan; then
        export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8:thread_local_quarantine_size_kb=64"
        limit=32768
    fi
    sc --input test --headless --frames 2000 --style sketch --size 32x32 --fps 240
    expect_rc 0
    [ "$(summary_frames)" = 2000 ] || fail "expected 2000 frames"
    read -r warm end < <(sed -n 's/^stylecam: memory: \([0-9]*\) KiB .* \([0-9]*\) KiB at the end/\1 \2/p' "$LOG")
    [ -n "${warm:-}" ] || { cat "$LOG"; fail "no memory report"; }
    [ $((end - warm)) -lt "$limit" ] || fail "memory grew from $warm to $end KiB"
    echo "memory: $warm KiB after warm-up, $end KiB after 2000 frames"
    ;;
slow)
    # The engine is slower than the scene: the ring drops the oldest, every
    # frame taken is among the newest, latency stays near one engine run.
    sc --input test --headless --frames 8 --style sketch --size 320x240 --fps 60
    expect_rc 0
    expect_log " 0 frames taken that were not among the newest"
    grep -q "dropped [1-9][0-9]* (camera ring)" "$LOG" || fail "no frame was dropped"
    ;;
image)
    sc --input "$STYLECAM_SHARED/golden/chelsea_160x120.png" --headless --frames 3 --style sketch
    expect_rc 0
    expect_log "160x120"
    sc --input "$TMP/missing.png" --headless --frames 3 --style sketch
    expect_rc 1
    expect_one_sentence "missing.png"
    sc --input test --headless --frames 3 --style nope
    expect_rc 1
    expect_one_sentence "Unknown style 'nope'"
    ;;
infer)
    # Auto mode shrinks the network until it holds the rate; a fixed size holds.
    sc --input test --headless --frames 25 --style sketch --size 320x240 --infer-size auto:60
    expect_rc 0
    w=$(sed -n 's/.*the network ran at \([0-9]*\)x.*/\1/p' "$LOG")
    [ -n "$w" ] && [ "$w" -lt 320 ] || { cat "$LOG"; fail "auto mode did not shrink (${w:-none})"; }
    echo "auto mode settled at width $w for 60 fps"
    # The same with two frames in flight: each step waits for them to end.
    sc --input test --headless --frames 25 --style sketch --size 320x240 --infer-size auto:60 \
        --in-flight 2
    expect_rc 0
    [ "$(summary_frames)" = 25 ] || fail "expected 25 frames with two in flight"
    w2=$(sed -n 's/.*the network ran at \([0-9]*\)x.*/\1/p' "$LOG")
    [ -n "$w2" ] && [ "$w2" -lt 320 ] || { cat "$LOG"; fail "auto mode did not shrink in flight"; }
    sc --input test --headless --frames 3 --style sketch --size 320x240 --infer-size 160x120
    expect_rc 0
    expect_log "the network ran at 160x120"
    ;;
cpu-default)
    # With no GPU and no --infer-size, a 640x480 camera is stylized smaller,
    # never below 320 wide; --infer-size full keeps the camera's size; a
    # batch run keeps every frame at full size.
    sc --input test --headless --frames 12 --style sketch --size 640x480
    expect_rc 0
    expect_log "engine: no GPU"
    w=$(sed -n 's/.*the network ran at \([0-9]*\)x.*/\1/p' "$LOG")
    [ -n "$w" ] && [ "$w" -lt 640 ] && [ "$w" -ge 320 ] ||
        { cat "$LOG"; fail "on the CPU the network ran at width ${w:-640}"; }
    echo "on the CPU by default the network settled at width $w for a 640x480 camera"
    sc --input test --headless --frames 6 --style sketch --size 640x480 --infer-size full
    expect_rc 0
    ! grep -q "the network ran at" "$LOG" || { cat "$LOG"; fail "full did not keep the size"; }
    ! grep -q "engine: no GPU" "$LOG" || fail "full still announced a smaller network"
    sc --input "$STYLECAM_SHARED/golden/chelsea_160x120.png" --size 640x480 --headless \
        --frames 4 --style sketch --record "$TMP/b.mkv"
    expect_rc 0
    ! grep -q "the network ran at" "$LOG" || { cat "$LOG"; fail "a batch run was shrunk"; }
    ;;
nodisplay)
    DISPLAY= WAYLAND_DISPLAY= sc --input test --style sketch
    expect_rc 1
    expect_one_sentence "--headless"
    ;;
*) fail "unknown scenario $1" ;;
esac
echo "ok: $1"

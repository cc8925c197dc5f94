#!/bin/bash
# The whole program under ThreadSanitizer (STYLECAM_BIN is the TSan build):
# capture, processing, recorder and display threads with two frames in
# flight, a changing infer size, an unplugged camera, and a signal. TSan
# exits 66 on a report; the report is in the log.
. "$(dirname "$0")/lib.sh"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1"
PATIENCE=${SC_TEST_PATIENCE:-250}    # ThreadSanitizer runs the program 5-15 times slower
clean() {   # what the run must show
    expect_rc 0
    ! grep -q "ThreadSanitizer" "$LOG" || { cat "$LOG" >&2; fail "ThreadSanitizer reported"; }
}
case "$1" in
scene)
    sc --input test --headless --frames 60 --style sketch --size 96x64 --fps 60 \
        --in-flight 2 --infer-size auto:200 --record "$TMP/a.mkv"
    clean
    [ "$(summary_frames)" = 60 ] || fail "expected 60 frames"
    ;;
unplug)
    : "${FAKECAM:?}"
    FAKECAM_UNPLUG_AFTER=8 FAKECAM_REPLUG_MS=1500 sc_cam --headless --frames 30 \
        --style sketch --size 160x120 --record "$TMP/c.mkv"
    clean
    expect_log "is back"
    ;;
signal)
    # SIGTERM while frames are in flight and on disk.
    sc_bg --input test --headless --style sketch --size 96x64 --in-flight 2 \
        --record "$TMP/s.mkv"
    wait_for_line "$LOG" "recording to"
    wait_for "$PATIENCE" "frames on disk in s.mkv" has_packets "$TMP/s.mkv" 3
    kill -TERM "$PID"
    wait_exit "$PID"
    clean
    expect_log "Saved"
    ;;
*) fail "unknown scenario $1" ;;
esac

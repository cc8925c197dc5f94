#!/bin/bash
# The whole program under ThreadSanitizer (STYLECAM_BIN is the TSan build):
# capture, processing, recorder and display threads with two frames in
# flight, a changing infer size, an unplugged camera, and a signal. TSan
# exits 66 on a report; the report is in the log.
. "$(dirname "$0")/lib.sh"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1"
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
    "$STYLECAM_BIN" --input test --headless --style sketch --size 96x64 --in-flight 2 \
        --record "$TMP/s.mkv" >"$LOG" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do   # until it records, at most a minute
        grep -q "recording to" "$LOG" && break
        sleep 0.1
    done
    sleep 1
    kill -TERM "$pid"
    RC=0
    wait "$pid" || RC=$?
    clean
    expect_log "Saved"
    ;;
*) fail "unknown scenario $1" ;;
esac

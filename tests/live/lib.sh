# Helpers of the live-mode tests (sourced after bash's start): running the
# program and reading its log. The general ones (fail, waiting, ffprobe)
# are tests/util/lib.sh's.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../util/lib.sh"
: "${STYLECAM_BIN:?}" "${STYLECAM_SHARED:?}"
scratch_dir
TMP=$SCRATCH
LOG=$TMP/log

# Runs stylecam to its end (killed after PATIENCE s), output in $LOG; sets RC.
sc() {
    RC=0
    timeout -s KILL "$PATIENCE" "$STYLECAM_BIN" "$@" >"$LOG" 2>&1 || RC=$?
}
# Same, on the emulated camera (FAKECAM_* come from the caller's environment).
sc_cam() {
    RC=0
    LD_PRELOAD=$FAKECAM timeout -s KILL "$PATIENCE" "$STYLECAM_BIN" "$@" >"$LOG" 2>&1 || RC=$?
}
# Starts stylecam in the background, output in $LOG; PID (and WAIT_PID, so
# that waits fail at once if it dies) is its process.
sc_bg() {
    "$STYLECAM_BIN" "$@" >"$LOG" 2>&1 &
    PID=$!
    WAIT_PID=$PID
    at_exit "kill -9 $PID 2>/dev/null"
}
expect_rc() { [ "$RC" -eq "$1" ] || { cat "$LOG" >&2; fail "exit $RC, expected $1"; }; }
expect_log() { grep -q -- "$1" "$LOG" || { cat "$LOG" >&2; fail "log lacks '$1'"; }; }
# The error is one line: "stylecam: error: ..." and it names what ($1).
expect_one_sentence() {
    n=$(grep -c '^stylecam: error: ' "$LOG")
    [ "$n" -eq 1 ] || { cat "$LOG" >&2; fail "$n error lines, expected 1"; }
    expect_log "$1"
}
# The summary's frame count.
summary_frames() { sed -n 's/^stylecam: \([0-9]*\) frames in .*/\1/p' "$LOG" | tail -n 1; }
# "Saved PATH (S s, N frames" from the log: prints "S N".
saved_stats() { sed -n 's/^stylecam: Saved .* (\([0-9.]*\) s, \([0-9]*\) frames.*/\1 \2/p' "$LOG" | tail -n 1; }
# The path stylecam said it records to.
recording_path() {
    sed -n 's/^stylecam: recording to \(.*\)$/\1/p' "$LOG" | sed 's/ (high quality)$\| (lossless: .*)$//' |
        tail -n 1
}

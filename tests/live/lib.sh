# Shared helpers for the live-mode tests (sourced).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
: "${STYLECAM_BIN:?}" "${STYLECAM_SHARED:?}"
TMP=$(mktemp -d /tmp/sc-live-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
LOG=$TMP/log

# Runs stylecam with a timeout, output in $LOG; sets RC.
sc() {
    RC=0
    timeout -s KILL 120 "$STYLECAM_BIN" "$@" >"$LOG" 2>&1 || RC=$?
}
# Same, on the emulated camera (FAKECAM_* come from the caller's environment).
sc_cam() {
    RC=0
    LD_PRELOAD=$FAKECAM timeout -s KILL 120 "$STYLECAM_BIN" "$@" >"$LOG" 2>&1 || RC=$?
}
expect_rc() { [ "$RC" -eq "$1" ] || { cat "$LOG" >&2; fail "exit $RC, expected $1"; }; }
expect_log() { grep -q -- "$1" "$LOG" || { cat "$LOG" >&2; fail "log lacks '$1'"; }; }
# The error is one line: "stylecam: error: ..." and it names what ($1).
expect_one_sentence() {
    n=$(grep -c '^stylecam: error: ' "$LOG")
    [ "$n" -eq 1 ] || { cat "$LOG" >&2; fail "$n error lines, expected 1"; }
    expect_log "$1"
}
# The summary's frame count and "not among the newest" count.
summary_frames() { sed -n 's/^stylecam: \([0-9]*\) frames in .*/\1/p' "$LOG" | tail -n 1; }

# ffprobe field of the first video stream.
probe() { ffprobe -v error -select_streams v:0 -show_entries "stream=$2" -of csv=p=0 "$1"; }
probe_frames() {
    ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
        -of csv=p=0 "$1"
}
probe_duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
# The time of the last packet that can be read: a file cut short by a kill
# has no duration in its header.
probe_last_pts() {
    ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$1" |
        grep -E '^[0-9.]+$' | sort -g | tail -n 1
}
# Decodes the whole file; any message from ffmpeg is an error.
decode_clean() {
    # In the file's own time base (see tests/record/rec_util.c).
    out=$(ffmpeg -nostdin -v error -i "$1" -enc_time_base -1 -f null - 2>&1)
    [ -z "$out" ] || fail "ffmpeg reports errors decoding $1: $out"
}
# "Saved PATH (S s, N frames" from the log: prints "S N".
saved_stats() { sed -n 's/^stylecam: Saved .* (\([0-9.]*\) s, \([0-9]*\) frames.*/\1 \2/p' "$LOG" | tail -n 1; }

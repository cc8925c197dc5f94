# The shell tests' one helper library (sourced; POSIX sh, so dash and bash
# both take it): failing and skipping, a scratch folder removed at exit,
# waiting for an event (a log line, a file, a process ending) with a
# time-out only as a last guard, and ffprobe/ffmpeg as outside readers of a
# clip. Folder-specific helpers stay in tests/live/lib.sh,
# tests/window/xvfb_lib.sh and tests/models/lib.sh, which source this.

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
skip() {
    echo "SKIP: $*"
    exit 77
}
pass() { echo "ok: $*"; }

need_tools() {
    for _t in "$@"; do
        command -v "$_t" >/dev/null 2>&1 || fail "$_t is not installed (needed by this test)"
    done
}

# at_exit CMD: runs CMD when the script ends (the newest first), also when
# meson stops it at its time-out.
SC_AT_EXIT=:
at_exit() { SC_AT_EXIT="$1; $SC_AT_EXIT"; }
trap 'eval "$SC_AT_EXIT"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# scratch_dir: SCRATCH is a fresh folder, removed at exit.
scratch_dir() {
    SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sc-test-XXXXXX") || fail "mktemp failed"
    at_exit "chmod -R u+w '$SCRATCH' 2>/dev/null; rm -rf '$SCRATCH'"
}

# How long to wait for an event before calling it lost: generous, for a
# loaded 2-core machine under sanitizers. Never a measure of speed.
PATIENCE=${SC_TEST_PATIENCE:-120}

# WAIT_PID: the program a wait is about; when it exits before the event,
# the wait fails at once instead of at its time-out.
WAIT_PID=

# wait_for SECONDS WHAT CMD...: runs CMD every 0.1 s until it succeeds;
# fails after SECONDS naming WHAT.
wait_for() {
    _secs=$1 _what=$2
    shift 2
    _end=$(($(date +%s) + _secs))
    until "$@"; do
        if [ -n "$WAIT_PID" ] && ! kill -0 "$WAIT_PID" 2>/dev/null; then
            "$@" && return 0
            fail "the program (pid $WAIT_PID) exited while waiting for $_what"
        fi
        [ "$(date +%s)" -le "$_end" ] || fail "no $_what within $_secs s"
        sleep 0.1
    done
}

# wait_for_line FILE PATTERN [SECONDS]: until grep finds PATTERN in FILE.
wait_for_line() {
    wait_for "${3:-$PATIENCE}" "'$2' in $1" grep -qs -- "$2" "$1"
}

# wait_exit PID [SECONDS]: waits for PID (a child of this shell) to end and
# sets RC to its exit status; kills it and fails after SECONDS.
wait_exit() {
    _end=$(($(date +%s) + ${2:-$PATIENCE}))
    while kill -0 "$1" 2>/dev/null; do
        if [ "$(date +%s)" -gt "$_end" ]; then
            kill -9 "$1" 2>/dev/null
            fail "pid $1 did not exit within ${2:-$PATIENCE} s"
        fi
        sleep 0.1
    done
    RC=0
    wait "$1" || RC=$?
}

# no_sanitizer_reports FILE: fails if a sanitizer reported anything.
no_sanitizer_reports() {
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$1"; then
        cat "$1" >&2
        fail "a sanitizer reported a problem (above)"
    fi
}

# ---- clips, read by ffprobe and ffmpeg ----

# probe FILE FIELD: a field of the first video stream.
probe() { ffprobe -v error -select_streams v:0 -show_entries "stream=$2" -of csv=p=0 "$1"; }
probe_frames() {
    ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames \
        -of csv=p=0 "$1"
}
probe_duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
# The packets that can be read, their times one a line (a file still being
# written, or cut short by a kill, has no duration in its header).
probe_pts() {
    ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$1" \
        2>/dev/null | grep -E '^[0-9.]+$' | sort -g
}
probe_last_pts() { probe_pts "$1" | tail -n 1; }
# has_packets FILE N: at least N packets can be read from FILE (so far).
has_packets() { [ -s "$1" ] && [ "$(probe_pts "$1" | wc -l)" -ge "$2" ]; }
# decode_clean FILE: decodes the whole file; any message from ffmpeg fails.
decode_clean() {
    # In the file's own time base (see tests/record/rec_util.c).
    _out=$(ffmpeg -nostdin -v error -i "$1" -enc_time_base -1 -f null - 2>&1)
    [ -z "$_out" ] || fail "ffmpeg reports errors decoding $1: $_out"
}

# awk_check EXPR ARGS...: fails unless the awk condition holds for $1..$n.
awk_check() {
    expr=$1
    shift
    echo "$*" | awk "{ exit !($expr) }"
}

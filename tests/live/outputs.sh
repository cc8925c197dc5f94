#!/bin/bash
# The outputs end to end: --frames N gives N frames shown and recorded in
# every run; a recording under a long folder lands there; a path longer than
# the system allows is refused in one sentence; copies per stage (debug
# builds) stay what tests/process/test_process.c asserts.
. "$(dirname "$0")/lib.sh"
command -v ffprobe >/dev/null || skip "ffprobe is not installed"

case "$1" in
frames)
    # One more frame came one run in a few: several runs, each exact.
    for i in 1 2 3 4 5 6; do
        sc --input test --headless --frames 24 --style sketch --size 96x64 --fps 60 \
            --record "$TMP/clip$i.mkv"
        expect_rc 0
        [ "$(summary_frames)" = 24 ] || { cat "$LOG"; fail "run $i: $(summary_frames) frames shown"; }
        read -r _ saved < <(saved_stats)
        [ "$saved" = 24 ] || { cat "$LOG"; fail "run $i: stylecam says it saved ${saved:-no} frames"; }
        got=$(probe_frames "$TMP/clip$i.mkv")
        [ "$got" = 24 ] || fail "run $i: the clip holds $got frames, 24 were asked for"
    done
    echo "six runs: 24 frames shown and recorded each time"
    ;;
longpath)
    # A folder of 600 characters (three names of 200), then the clip in it.
    a=$(printf 'a%.0s' $(seq 200)); b=$(printf 'b%.0s' $(seq 200)); c=$(printf 'c%.0s' $(seq 200))
    dir="$TMP/$a/$b/$c"
    mkdir -p "$dir"
    sc --input test --headless --frames 5 --style sketch --size 64x48 --record "$dir/clip.mkv"
    expect_rc 0
    [ -s "$dir/clip.mkv" ] || { cat "$LOG"; fail "no clip under the long folder"; }
    expect_log "Saved $dir/clip.mkv ("
    [ "$(probe_frames "$dir/clip.mkv")" = 5 ] || fail "the clip under the long folder is not whole"
    n=$(find "$TMP" -type f -name '*' ! -path "$dir/clip.mkv" ! -name log | wc -l)
    [ "$n" = 0 ] || fail "files elsewhere: $(find "$TMP" -type f ! -name log)"
    # Longer than PATH_MAX: refused in one sentence, nothing written.
    long=$TMP/$(printf 'x%.0s' $(seq 5000)).mkv
    sc --input test --headless --frames 5 --style sketch --size 64x48 --record "$long"
    expect_rc 1
    expect_one_sentence "more than the system allows"
    echo "a ${#dir}-character folder holds its clip; a 5000-character path is refused"
    ;;
copies)
    # The common path: the engine reads the ring slot and writes the
    # display's buffer; nothing else copies (headless: no texture).
    sc --input test --headless --frames 20 --style sketch --size 64x48 -v
    expect_rc 0
    line=$(grep "copies:" "$LOG") || skip "copy counters are compiled out (NDEBUG)"
    echo "$line"
    field() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$line"; }
    made=$(sed -n 's/.* \([0-9]*\) made,.*/\1/p' <<<"$line")
    [ "$made" = 20 ] || fail "$made frames made, 20 asked for"
    [ "$(field upload)" = 20 ] && [ "$(field download)" = 20 ] || fail "not one upload and download a frame"
    for s in scale original record output texture; do
        [ "$(field $s)" = 0 ] || fail "$s copied $(field $s) times on the common path"
    done
    # Recording adds exactly its copy.
    sc --input test --headless --frames 20 --style sketch --size 64x48 -v --record "$TMP/r.mkv"
    expect_rc 0
    line=$(grep "copies:" "$LOG")
    [ "$(field record)" = 20 ] || fail "recording copied $(field record) times for 20 frames"
    ;;
*) fail "unknown scenario $1" ;;
esac
echo "ok: $1"

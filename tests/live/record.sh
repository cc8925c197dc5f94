#!/bin/bash
# Recording as a user does it, checked by outside readers (ffprobe, ffmpeg):
# codec, size, frame count, duration, clean decode; crashes, signals, a full
# disk, and batch runs over a file.
. "$(dirname "$0")/lib.sh"
command -v ffprobe >/dev/null || skip "ffprobe is not installed"

# on_disk FILE SECONDS: the frames readable from FILE reach SECONDS.
on_disk() {
    last=$(probe_last_pts "$1")
    [ -n "$last" ] && awk -v d="$last" -v s="$2" 'BEGIN { exit !(d + 0 >= s + 0) }'
}

# Checks a clip against what stylecam said it saved: h264, WxH, the same
# frame count, duration within a frame, a clean decode.
check_clip() {   # file w h
    read -r secs frames < <(saved_stats)
    [ -n "${frames:-}" ] || { cat "$LOG"; fail "stylecam did not say what it saved"; }
    [ "$(probe "$1" codec_name)" = h264 ] || fail "$1 is not H.264"
    [ "$(probe "$1" width),$(probe "$1" height)" = "$2,$3" ] || fail "$1 is not $2x$3"
    got=$(probe_frames "$1")
    [ "$got" = "$frames" ] || fail "$1 has $got frames, stylecam wrote $frames"
    dur=$(probe_duration "$1")
    [[ $dur =~ ^[0-9.]+$ ]] || fail "$1 has no duration ($dur)"
    awk -v d="$dur" -v s="$secs" -v n="$frames" 'BEGIN {
        f = n > 1 ? s / (n - 1) : 0.04; if (f < 0.04) f = 0.04
        exit !(d >= s - f && d <= s + 2 * f) }' ||
        fail "$1 lasts $dur s, the capture times span $secs s"
    decode_clean "$1"
    echo "clip $1: h264 $2x$3, $frames frames, $dur s (capture span $secs s)"
}

case "$1" in
scene)
    sc --input test --headless --frames 40 --style sketch --size 160x120 --record "$TMP/a.mkv"
    expect_rc 0
    check_clip "$TMP/a.mkv" 160 120
    ;;
camera)
    : "${FAKECAM:?}"
    sc_cam --headless --frames 30 --style sketch --size 320x240 --record "$TMP/c.mp4"
    expect_rc 0
    check_clip "$TMP/c.mp4" 320 240
    ;;
exists)
    echo keep > "$TMP/old.mkv"
    sc --input test --headless --frames 3 --style sketch --record "$TMP/old.mkv"
    expect_rc 1
    expect_one_sentence "already exists"
    [ "$(cat "$TMP/old.mkv")" = keep ] || fail "the existing file was touched"
    ;;
batch)
    # A clip recorded from the scene, then stylized whole into another.
    sc --input test --headless --frames 25 --style sketch --size 128x96 --record "$TMP/in.mkv"
    expect_rc 0
    n_in=$(probe_frames "$TMP/in.mkv")
    sc --input "$TMP/in.mkv" --headless --style sketch --record "$TMP/out.mkv"
    expect_rc 0
    check_clip "$TMP/out.mkv" 128 96
    [ "$(probe_frames "$TMP/out.mkv")" = "$n_in" ] || fail "batch lost frames"
    # The same with two frames in the engine at once: nothing lost either.
    sc --input "$TMP/in.mkv" --headless --style sketch --record "$TMP/out2.mkv" --in-flight 2
    expect_rc 0
    check_clip "$TMP/out2.mkv" 128 96
    [ "$(probe_frames "$TMP/out2.mkv")" = "$n_in" ] || fail "batch lost frames in flight"
    # A still image becomes a clip too.
    sc --input "$STYLECAM_SHARED/golden/chelsea_160x120.png" --headless --frames 10 \
        --style sketch --record "$TMP/still.mkv"
    expect_rc 0
    check_clip "$TMP/still.mkv" 160 120
    # Without --frames a still image makes a 5 s clip at the rate asked for,
    # its frames evenly spaced however slow the network is.
    sc --input "$STYLECAM_SHARED/golden/chelsea_160x120.png" --headless --fps 10 \
        --style sketch --record "$TMP/still5.mkv"
    expect_rc 0
    expect_log "a still image becomes a 5 s clip at 10 fps"
    [ "$(probe_frames "$TMP/still5.mkv")" = 50 ] || fail "the 5 s clip does not hold 50 frames"
    check_clip "$TMP/still5.mkv" 160 120
    gaps=$(ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 \
        "$TMP/still5.mkv" | sort -g | awk 'NR > 1 { d = $1 - p; if (d < 0.095 || d > 0.105) n++ }
        { p = $1 } END { print n + 0 }')
    [ "$gaps" = 0 ] || fail "$gaps frame intervals of the still clip are not 100 ms"
    ;;
sigkill)
    # Killed once the file on disk holds a second of frames (the recorder
    # writes a cluster at least every 0.5 s as it goes): what was on disk
    # survives the kill and decodes cleanly.
    sc_bg --input test --headless --style sketch --size 128x96 --record "$TMP/k.mkv"
    wait_for "$PATIENCE" "a second of frames on disk in k.mkv" on_disk "$TMP/k.mkv" 1.0
    before=$(probe_last_pts "$TMP/k.mkv")
    kill -9 "$PID"
    wait "$PID" 2>/dev/null
    decode_clean "$TMP/k.mkv"
    last=$(probe_last_pts "$TMP/k.mkv")
    awk -v a="$last" -v b="$before" 'BEGIN { exit !(a + 0 >= b + 0) }' ||
        fail "frames up to $before s were on disk before the kill, up to ${last:-none} s after"
    echo "killed with frames up to $before s on disk: frames up to $last s decode cleanly"
    ;;
sigterm)
    # A signal while recording (frames already on disk) ends the clip
    # cleanly: it holds what stylecam says it wrote.
    for sig in TERM INT; do
        for ext in mkv mp4; do
            sc_bg --input test --headless --style sketch --size 128x96 \
                --record "$TMP/t-$sig.$ext"
            wait_for "$PATIENCE" "frames on disk in t-$sig.$ext" has_packets "$TMP/t-$sig.$ext" 3
            kill -s "$sig" "$PID"
            wait_exit "$PID"
            expect_rc 0
            check_clip "$TMP/t-$sig.$ext" 128 96
        done
    done
    ;;
diskfull)
    # A 24 KiB file system in a mount namespace of our own; half strength
    # keeps the scene's detail so the clip outgrows it.
    command -v unshare >/dev/null || skip "unshare is not installed"
    unshare -m true 2>/dev/null || skip "cannot make a mount namespace here"
    mkdir -p "$TMP/small"
    RC=0
    timeout -s KILL 120 unshare -m sh -c "mount -t tmpfs -o size=24k tmpfs '$TMP/small' &&
        '$STYLECAM_BIN' --input test --headless --frames 80 --style sketch --size 160x120 --strength 50 \
        --record '$TMP/small/f.mkv' && cp '$TMP/small/f.mkv' '$TMP/f.mkv'" >"$LOG" 2>&1 || RC=$?
    expect_rc 0
    expect_log "is full"
    [ "$(summary_frames)" = 80 ] || fail "the live view stopped with the disk"
    decode_clean "$TMP/f.mkv"
    echo "disk full: $(grep -m1 'is full' "$LOG")"
    ;;
*) fail "unknown scenario $1" ;;
esac
echo "ok: $1"

#!/bin/sh
# End-to-end check of the stylecam window (window-e2e-* and tsan-window in
# meson). Starts a private Xvfb, runs
#   $STYLECAM_BIN --input test --models $STYLECAM_SHARED/models --style FIRST $STYLECAM_E2E_ARGS
# then, with real key presses: Space pauses, 2 changes the picture, the
# overlay shows and H hides it, R records and S saves a snapshot, Q exits
# with status 0. Each step waits for its effect (the screen polled until it
# shows it, a log line, frames in the clip on disk), never a fixed time.
# Environment (all optional except the first two):
#   STYLECAM_BIN          the program
#   STYLECAM_SHARED       ../shared (styles come from its models/ folder)
#   STYLECAM_E2E_ARGS     extra arguments (default: none)
#   STYLECAM_E2E_INPUT    --input value (default: test)
#   STYLECAM_E2E_STYLE    first style (default: the first folder in models/)
#   STYLECAM_E2E_TITLE    window title to look for, a regex (default: stylecam)
#   STYLECAM_E2E_WAIT     seconds to wait for any one event before calling it lost
#                         (default: tests/util/lib.sh's PATIENCE)
#   SC_WINDOW_SHOTS       keep the screenshots in this folder
set -u
. "$(dirname "$0")/xvfb_lib.sh"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the stylecam program}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared}"
MODELS=$STYLECAM_SHARED/models
STYLE=${STYLECAM_E2E_STYLE:-$(ls "$MODELS" | while read -r d; do [ -d "$MODELS/$d" ] && echo "$d"; done | head -n1)}
TITLE=${STYLECAM_E2E_TITLE:-stylecam}
PATIENCE=${STYLECAM_E2E_WAIT:-$PATIENCE}
[ -n "$STYLE" ] || fail "no style folder in $MODELS"

command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed"
need_tools xdotool import convert compare ffprobe
if [ -n "${SC_WINDOW_SHOTS:-}" ]; then
    WORK=$SC_WINDOW_SHOTS/e2e
    mkdir -p "$WORK"
else
    scratch_dir
    WORK=$SCRATCH
fi
sanitizer_env "$STYLECAM_BIN"
xvfb_start

# STYLECAM_E2E_INPUT=camera: no --input, the program opens the first camera
# (the emulated one when LD_PRELOAD carries it).
input="--input ${STYLECAM_E2E_INPUT:-test}"
[ "${STYLECAM_E2E_INPUT:-}" = camera ] && input=""
# shellcheck disable=SC2086 # $input and STYLECAM_E2E_ARGS are lists of words
mkdir -p "$WORK/rec"
run_app "$STYLECAM_BIN" $input --models "$MODELS" --record-dir "$WORK/rec" \
    --style "$STYLE" ${STYLECAM_E2E_ARGS:-}
find_window "$TITLE"
window_geometry
echo "window $WIN at ${WX},${WY} size ${WW}x${WH}, style $STYLE"
area=$((WW / 3 * (WH / 3)))

# The centre of the window (the overlay does not cover it).
centre() {
    convert "$WORK/$1.png" -crop "$((WW / 3))x$((WH / 3))+$((WX + WW / 3))+$((WY + WH / 3))" \
        +repage "$WORK/$1-centre.png"
}
panel() {
    convert "$WORK/$1.png" -crop "300x60+$((WX + 10))+$((WY + 10))" +repage "$WORK/$1-panel.png"
}
panel_bright() {
    bright_fraction "$WORK/$1.png" 300 60 $((WX + 10)) $((WY + 10))
}

# A first picture: a centre mostly lit, and the overlay's text at the top
# left. While it starts, the window shows only a line of text there (a few
# percent of the pixels).
first_picture() {
    centre s1
    m=$(convert "$WORK/s1-centre.png" -colorspace Gray -threshold 4% -format '%[fx:mean]' info:)
    p1=$(panel_bright s1)
    LAST="centre lit fraction $m, panel text fraction $p1"
    awk_check '$1 > 0.5' "$m" && awk_check '$1 > 0.02' "$p1"
}
shot_until s1 "a first picture with the overlay" first_picture
echo "first picture: $LAST"

# Space pauses: the picture stands still (the source keeps moving), seen
# as two screenshots a second apart with the same centre.
xdotool key --window "$WIN" space
still() {
    centre p1
    sleep 1
    shot p2
    centre p2
    d=$(diff_pixels "$WORK/p1-centre.png" "$WORK/p2-centre.png")
    LAST="$d of $area centre pixels changed in a second"
    awk_check '$1 < $2 / 100' "$d" "$area"
}
shot_until p1 "a still picture after Space" still
echo "paused: $LAST"

# 2 picks the second style, shown on the paused frame.
xdotool key --window "$WIN" 2
restyled() {
    centre s2
    d=$(diff_pixels "$WORK/p2-centre.png" "$WORK/s2-centre.png")
    LAST="$d of $area centre pixels changed"
    awk_check '$1 > $2 / 3' "$d" "$area"
}
shot_until s2 "the second style after 2" restyled
echo "after 2: $LAST"

# H hides the overlay; still paused, the picture must not change with it.
xdotool key --window "$WIN" h
panel s2
hidden() {
    panel s3
    dp=$(diff_pixels "$WORK/s2-panel.png" "$WORK/s3-panel.png")
    LAST="$dp overlay pixels changed"
    awk_check '$1 > 300 * 60 / 30' "$dp"
}
shot_until s3 "the overlay hidden after H" hidden
centre s3
dc=$(diff_pixels "$WORK/s2-centre.png" "$WORK/s3-centre.png")
awk_check '$1 < $2 / 100' "$dc" "$area" || fail "H changed the picture ($dc pixels)"
echo "H: $LAST, picture untouched ($dc pixels)"
xdotool key --window "$WIN" h
xdotool key --window "$WIN" space

# R records; once the clip holds frames on disk, S saves a snapshot and R
# again ends the clip, which says what it holds.
xdotool key --window "$WIN" r
wait_for_line "$WORK/err" "recording to "
clip=$(sed -n 's/^stylecam: recording to \(.*\)$/\1/p' "$WORK/err" | tail -n 1)
wait_for "$PATIENCE" "frames on disk in $clip" has_packets "$clip" 3
xdotool key --window "$WIN" s
wait_for_line "$WORK/err" "Saved .*\.png"
xdotool key --window "$WIN" r
wait_for_line "$WORK/err" "Saved .*\.mkv"
codec=$(probe "$clip" codec_name)
[ "$codec" = h264 ] || fail "the clip $clip is not H.264 ($codec)"
frames=$(probe_frames "$clip")
said=$(sed -n 's/^stylecam: Saved .* (\([0-9.]*\) s, \([0-9]*\) frames.*/\2/p' "$WORK/err" | tail -n 1)
[ "$frames" = "$said" ] && [ "$frames" -ge 3 ] ||
    fail "the clip holds ${frames:-no} frames, stylecam said ${said:-nothing}"
decode_clean "$clip"
echo "R and S saved $(basename "$clip") ($frames frames) and $(basename "$(ls "$WORK"/rec/*.png)")"

xdotool key --window "$WIN" q
app_exit
[ "$RC" -eq 0 ] || fail "stylecam exited with $RC after Q: $(cat "$WORK/err")"
no_sanitizer_reports "$WORK/err"
echo "PASS e2e_stylecam"

#!/bin/sh
# End-to-end check of the stylecam window (window-e2e-* and tsan-window in
# meson). Starts a private Xvfb, runs
#   $STYLECAM_BIN --input test --models $STYLECAM_SHARED/models --style FIRST $STYLECAM_E2E_ARGS
# then, with real key presses: 2 changes the picture, the overlay shows and
# H hides it, Q exits with status 0.
# Environment (all optional except the first two):
#   STYLECAM_BIN          the program
#   STYLECAM_SHARED       ../shared (styles come from its models/ folder)
#   STYLECAM_E2E_ARGS     extra arguments (default: none)
#   STYLECAM_E2E_INPUT    --input value (default: test)
#   STYLECAM_E2E_STYLE    first style (default: the first folder in models/)
#   STYLECAM_E2E_TITLE    window title to look for, a regex (default: stylecam)
#   STYLECAM_E2E_WAIT     seconds to wait for a frame or a style change (default: 60)
#   SC_WINDOW_SHOTS       keep the screenshots in this folder
set -u
. "$(dirname "$0")/xvfb_lib.sh"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the stylecam program}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared}"
MODELS=$STYLECAM_SHARED/models
STYLE=${STYLECAM_E2E_STYLE:-$(ls "$MODELS" | while read -r d; do [ -d "$MODELS/$d" ] && echo "$d"; done | head -n1)}
TITLE=${STYLECAM_E2E_TITLE:-stylecam}
WAIT=${STYLECAM_E2E_WAIT:-60}
[ -n "$STYLE" ] || fail "no style folder in $MODELS"

command -v Xvfb >/dev/null 2>&1 || { echo "SKIP: Xvfb is not installed"; exit 77; }
need_tools xdotool import convert compare
WORK=${SC_WINDOW_SHOTS:+$SC_WINDOW_SHOTS/e2e}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
trap 'xvfb_cleanup; [ -z "${SC_WINDOW_SHOTS:-}" ] && rm -rf "$WORK"' EXIT
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

# The centre of the window (the overlay does not cover it).
centre() {
    convert "$WORK/$1.png" -crop "$((WW / 3))x$((WH / 3))+$((WX + WW / 3))+$((WY + WH / 3))" \
        +repage "$WORK/$1-centre.png"
}
panel_bright() {
    bright_fraction "$WORK/$1.png" 300 60 $((WX + 10)) $((WY + 10))
}
alive() {
    kill -0 "$APP_PID" 2>/dev/null || fail "stylecam exited early: $(cat "$WORK/err")"
}

# Wait for a first picture: a centre mostly lit. While it starts, the
# window shows only a line of text there (a few percent of the pixels).
t=0
while :; do
    alive
    shot s1
    centre s1
    m=$(convert "$WORK/s1-centre.png" -colorspace Gray -threshold 4% -format '%[fx:mean]' info:)
    awk_check '$1 > 0.5' "$m" && break
    t=$((t + 1))
    [ $t -gt "$WAIT" ] && fail "no picture in the window after $WAIT s"
    sleep 1
done
area=$((WW / 3 * (WH / 3)))
echo "first picture after ~${t}s"
p1=$(panel_bright s1)
awk_check '$1 > 0.02' "$p1" || fail "no overlay text at the top left ($p1)"

# Space pauses: the picture must stand still (the source keeps moving).
xdotool key --window "$WIN" space
t=0
while :; do
    alive
    sleep 1
    shot p1
    centre p1
    sleep 1
    shot p2
    centre p2
    d=$(diff_pixels "$WORK/p1-centre.png" "$WORK/p2-centre.png")
    awk_check '$1 < $2 / 100' "$d" "$area" && break
    t=$((t + 1))
    [ $t -gt "$WAIT" ] && fail "the picture kept changing after Space ($d of $area pixels)"
done
echo "paused: the centre is still"

# 2 picks the second style, shown on the paused frame.
xdotool key --window "$WIN" 2
t=0
while :; do
    alive
    sleep 1
    shot s2
    centre s2
    d=$(diff_pixels "$WORK/p2-centre.png" "$WORK/s2-centre.png")
    awk_check '$1 > $2 / 3' "$d" "$area" && break
    t=$((t + 1))
    [ $t -gt "$WAIT" ] && fail "the picture did not change after pressing 2 ($d of $area pixels)"
done
echo "after 2: $d of $area centre pixels changed"

# H hides the overlay (still paused: only the panel may change).
panel() {
    convert "$WORK/$1.png" -crop "300x60+$((WX + 10))+$((WY + 10))" +repage "$WORK/$1-panel.png"
}
xdotool key --window "$WIN" h
sleep 1.5
shot s3
panel s2
panel s3
centre s3
dp=$(diff_pixels "$WORK/s2-panel.png" "$WORK/s3-panel.png")
dc=$(diff_pixels "$WORK/s2-centre.png" "$WORK/s3-centre.png")
awk_check '$1 > 300 * 60 / 30' "$dp" || fail "the overlay did not hide after H ($dp pixels changed)"
awk_check '$1 < $2 / 100' "$dc" "$area" || fail "H changed the picture ($dc pixels)"
echo "H: $dp overlay pixels changed, picture untouched"
xdotool key --window "$WIN" h
xdotool key --window "$WIN" space

# R records a clip until R again; S saves a snapshot.
xdotool key --window "$WIN" r
sleep 4
xdotool key --window "$WIN" s
sleep 1
xdotool key --window "$WIN" r
t=0
until ls "$WORK"/rec/*.png >/dev/null 2>&1 && grep -q "Saved .*mkv" "$WORK/err"; do
    alive
    t=$((t + 1))
    [ $t -gt "$WAIT" ] && fail "R/S saved nothing: $(ls "$WORK/rec") $(cat "$WORK/err")"
    sleep 1
done
clip=$(ls "$WORK"/rec/*.mkv)
codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$clip")
[ "$codec" = h264 ] || fail "the clip $clip is not H.264 ($codec)"
echo "R and S saved $(basename "$clip") and $(basename "$(ls "$WORK"/rec/*.png)")"

xdotool key --window "$WIN" q
t=0
while kill -0 "$APP_PID" 2>/dev/null; do
    t=$((t + 1))
    [ $t -gt 150 ] && fail "stylecam did not exit within 15 s of Q"
    sleep 0.1
done
wait "$APP_PID"
rc=$?
APP_PID=
[ $rc -eq 0 ] || fail "stylecam exited with $rc after Q: $(cat "$WORK/err")"
no_sanitizer_reports "$WORK/err"
echo "PASS e2e_stylecam"

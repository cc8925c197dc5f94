#!/bin/sh
# D in the window: with only the built-in sketch installed, the overlay says
# so and D downloads the painting styles in the background from a slow
# loopback server (tests/models/server.py); the progress bar is seen on the
# screen while the live view goes on, and the first style becomes selectable
# (Right, then 2) as soon as it is verified. Q meanwhile ends cleanly: the
# download is cut, nothing unverified is installed.
set -u
. "$(dirname "$0")/xvfb_lib.sh"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the stylecam program}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared}"
PATIENCE=${STYLECAM_E2E_WAIT:-$PATIENCE}
MIRROR=$STYLECAM_SHARED/models
[ -d "$MIRROR/la_muse" ] || skip "$MIRROR has no styles"
command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
need_tools xdotool import convert
scratch_dir
WORK=$SCRATCH
sanitizer_env "$STYLECAM_BIN"
xvfb_start

# The mirror at about 1 MB/s: a style (6.7 MB) takes seconds.
python3 "$(dirname "$0")/../models/server.py" "$MIRROR" "$WORK/port" "$WORK/server.log" \
    --rate 1000000 2>"$WORK/server.err" &
SERVER_PID=$!
at_exit "kill $SERVER_PID 2>/dev/null"
WAIT_PID=$SERVER_PID wait_for "$PATIENCE" "the HTTP server's port" test -s "$WORK/port"
STYLECAM_MODELS_URL=http://127.0.0.1:$(cat "$WORK/port")
M=$WORK/models
mkdir -p "$M"
XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data STYLECAM_DOWNLOAD_TIMEOUT=20
export STYLECAM_MODELS_URL XDG_CONFIG_HOME XDG_DATA_HOME STYLECAM_DOWNLOAD_TIMEOUT

run_app "$STYLECAM_BIN" --input test --models "$M" --size 320x240
find_window stylecam
window_geometry
wait_for_line "$WORK/err" "Only the built-in sketch style is installed: press D to download the painting styles"

# The bar's green (overlay.c's bar_green) on the screen.
green() {
    convert "$WORK/$1.png" -crop "${WW}x${WH}+${WX}+${WY}" +repage -fill black \
        +opaque "rgb(90,200,120)" -fill white -opaque "rgb(90,200,120)" -format '%[fx:mean]' info:
}
# The hint: lit text in the bottom third, centred.
hint_lit() {
    bright_fraction "$WORK/$1.png" $((WW / 2)) $((WH / 3)) $((WX + WW / 4)) $((WY + WH * 2 / 3))
}
hint_shown() {
    h=$(hint_lit h0)
    LAST="bottom text fraction $h"
    awk_check '$1 > 0.005' "$h"
}
shot_until h0 "the D hint at the bottom" hint_shown
g0=$(green h0)
awk_check '$1 == 0' "$g0" || fail "green on the screen before D ($g0)"
echo "hint shown: $LAST"

xdotool key --window "$WIN" d
bar_shown() {
    g=$(green b1)
    LAST="green fraction $g"
    awk_check '$1 > 0.001' "$g"
}
shot_until b1 "the download's progress bar" bar_shown
echo "progress bar: $LAST"
grep -q "GET /la_muse/" "$WORK/server.log" || fail "D did not fetch la_muse"

# The live view goes on meanwhile: the picture keeps moving.
convert "$WORK/b1.png" -crop "$((WW / 3))x$((WH / 3))+$((WX + WW / 3))+$((WY + WH / 3))" +repage "$WORK/c1.png"
moving() {
    convert "$WORK/b2.png" -crop "$((WW / 3))x$((WH / 3))+$((WX + WW / 3))+$((WY + WH / 3))" +repage "$WORK/c2.png"
    d=$(diff_pixels "$WORK/c1.png" "$WORK/c2.png")
    LAST="$d centre pixels changed"
    awk_check '$1 > 0' "$d"
}
shot_until b2 "a moving picture during the download" moving
echo "live view: $LAST"

# The first style, verified and installed, joins the keys.
wait_for_line "$WORK/err" "style 'la_muse' added as 2 of 2"
xdotool key --window "$WIN" Right
wait_for_line "$WORK/err" "style 2 of 2: la_muse"
xdotool key --window "$WIN" 1
wait_for_line "$WORK/err" "style 1 of .*: sketch"
xdotool key --window "$WIN" 2
wait_for_line "$WORK/err" "style 2 of .*: la_muse"
echo "la_muse selectable while the rest downloads"

xdotool key --window "$WIN" q
app_exit
[ "$RC" -eq 0 ] || fail "stylecam exited with $RC after Q: $(cat "$WORK/err")"
no_sanitizer_reports "$WORK/err"
# Installed: only whole, verified styles (the cut one stays hidden in .partial).
for s in $(ls "$M"); do
    [ "$s" = LICENSE ] && continue
    for f in "$MIRROR/$s"/*; do
        cmp -s "$f" "$M/$s/${f##*/}" || fail "$M/$s/${f##*/} differs from the mirror"
    done
done
[ -d "$M/la_muse" ] || fail "la_muse is not installed in $M"
[ ! -e "$M/.partial/.lock" ] || fail "the download's lock was left"
echo "PASS download_window"

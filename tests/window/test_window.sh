#!/bin/sh
# Window stage tests under a real X server (Xvfb): real key presses through
# xdotool, screenshots through ImageMagick, pixel statistics as the verdict.
# The demo prints each action once the frame showing it is presented; the
# screen is then polled until it shows what it should (no fixed sleeps).
# Usage: test_window.sh DEMO_BINARY keys|status|nodisplay
# SC_WINDOW_SHOTS=DIR keeps the screenshots there.
set -u
DEMO=$1
MODE=$2
. "$(dirname "$0")/xvfb_lib.sh"
TITLE="stylecam window demo"

if [ "$MODE" = nodisplay ]; then
    scratch_dir
    WORK=$SCRATCH
    sanitizer_env "$DEMO"
    env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$DEMO" >"$WORK/out" 2>"$WORK/err"
    rc=$?
    cat "$WORK/err"
    [ $rc -ne 0 ] || fail "without a display the demo exited 0"
    grep -q 'No display is available (.*); run with --headless to stylize without a window\.$' \
        "$WORK/err" || fail "the no-display sentence is missing"
    [ "$(grep -c 'No display' "$WORK/err")" -eq 1 ] || fail "the sentence is printed more than once"
    ! grep -q READY "$WORK/out" || fail "a window was presented without a display"
    no_sanitizer_reports "$WORK/err"
    echo "PASS nodisplay"
    exit 0
fi

command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed"
need_tools xdotool import convert compare
if [ -n "${SC_WINDOW_SHOTS:-}" ]; then
    WORK=$SC_WINDOW_SHOTS/$MODE
    mkdir -p "$WORK"
else
    scratch_dir
    WORK=$SCRATCH
fi
sanitizer_env "$DEMO"
xvfb_start

start_demo() {
    run_app "$DEMO" "$@"
    wait_for_line "$WORK/out" READY
    find_window "$TITLE"
    window_geometry
    echo "window $WIN at ${WX},${WY} size ${WW}x${WH}; $(grep RENDERER "$WORK/out")"
}

# press KEY EXPECTED_LINE: a real key press, then wait until the demo has
# presented the frame that reflects it.
press() {
    xdotool key --window "$WIN" "$1" || fail "xdotool could not send $1"
    wait_for_line "$WORK/out" "$2"
}

# Centre of the picture (the overlay never covers it).
centre_mean() {
    region_mean "$1" 80 80 $((WX + WW / 2 - 40)) $((WY + WH / 2 - 40))
}
# The panel's first rows, top left of the window.
panel_bright() {
    bright_fraction "$1" 300 60 $((WX + 10)) $((WY + 10))
}

# The screens each step waits for (LAST: the figures, for a failure).
style1_shown() {
    c1=$(centre_mean "$WORK/1-style1.png")
    p1=$(panel_bright "$WORK/1-style1.png")
    LAST="centre rgb $c1, panel text fraction $p1"
    awk_check '$1 > $3 + 0.2' "$c1" && awk_check '$1 > 0.02' "$p1"
}
style2_shown() {
    c2=$(centre_mean "$WORK/2-style2.png")
    d=$(diff_pixels "$WORK/1-style1.png" "$WORK/2-style2.png")
    LAST="centre rgb $c2, $d pixels changed"
    awk_check '$3 > $1 + 0.2' "$c2" && awk_check '$1 > 100000' "$d"
}
overlay_hidden() {
    p3=$(panel_bright "$WORK/3-hidden.png")
    help=$(bright_fraction "$WORK/3-hidden.png" $((WW - 20)) 40 $((WX + 10)) $((WY + WH - 45)))
    LAST="panel text fraction $p3, help text fraction $help"
    awk_check '$1 < 0.001' "$p3" && awk_check '$1 < 0.001' "$help"
}
compare_shown() {
    left=$(region_mean "$WORK/4-compare.png" 60 60 $((WX + WW / 4 - 30)) $((WY + WH / 2 - 30)))
    right=$(region_mean "$WORK/4-compare.png" 60 60 $((WX + 3 * WW / 4 - 30)) $((WY + WH / 2 - 30)))
    # The labels sit at the bottom of each picture (4:3 in half the width).
    bottom=$((WY + (WH + WW * 3 / 8) / 2))
    labels=$(bright_fraction "$WORK/4-compare.png" "$WW" 50 "$WX" $((bottom - 50)))
    LAST="left rgb $left, right rgb $right, label text fraction $labels"
    awk_check '$1 > 0.2 && ($1 - $3) < 0.05 && ($3 - $1) < 0.05' "$left" &&
        awk_check '$3 > $1 + 0.2' "$right" && awk_check '$1 > 0.001' "$labels"
}

test_keys() {
    start_demo --size 960x540
    shot_until 1-style1 "style 1 (red) with the overlay" style1_shown
    echo "style 1: $LAST"

    # (a) style 2 changes the picture.
    press 2 'ACTION STYLE_INDEX 1'
    shot_until 2-style2 "style 2 (blue)" style2_shown
    echo "style 2: $LAST"

    # (b) H hides the overlay and the help line.
    press h 'overlay=0'
    shot_until 3-hidden "the picture without the overlay after H" overlay_hidden
    echo "after H: $LAST"

    # (c) C shows original (grey bars) and stylized (blue) side by side, labelled.
    press c 'compare=1'
    shot_until 4-compare "compare mode (grey original left, blue right)" compare_shown
    echo "compare: $LAST"

    # F toggles fullscreen (without a window manager the X window keeps its
    # size, so only the window's own state can be checked here).
    press f 'fullscreen=1'

    # (d) Q quits with status 0; the actions match the keys.
    xdotool key --window "$WIN" q
    app_exit
    rc=$RC
    [ $rc -eq 0 ] || fail "the demo exited with $rc after Q: $(cat "$WORK/err")"
    got=$(grep '^ACTION' "$WORK/out" | grep -v -e RESIZED -e EXPOSE | sed 's/^ACTION //' | tr '\n' ',')
    want="STYLE_INDEX 1,OVERLAY,COMPARE,FULLSCREEN,QUIT,"
    [ "$got" = "$want" ] || fail "actions printed: '$got', expected '$want'"
    no_sanitizer_reports "$WORK/err"
    echo "actions: $got exit status $rc"
}

# Yellow status text in the middle band, the red recording mark at the top
# right, no panel.
status_shown() {
    sy=$(convert "$WORK/5-status.png" -crop "$((WW - 100))x80+$((WX + 50))+$((WY + WH / 2 - 40))" +repage \
        -fx 'r > 0.9 && g > 0.7 && b < 0.45' -format '%[fx:mean]' info:)
    rec=$(convert "$WORK/5-status.png" -crop "220x50+$((WX + WW - 230))+$((WY + 5))" +repage \
        -fx 'r > 0.9 && g < 0.35 && b < 0.35' -format '%[fx:mean]' info:)
    p=$(panel_bright "$WORK/5-status.png")
    LAST="yellow fraction $sy, recording red fraction $rec, panel $p"
    awk_check '$1 > 0.01' "$sy" && awk_check '$1 > 0.01' "$rec" && awk_check '$1 < 0.001' "$p"
}

# The status line and the recording mark stay when the panel is hidden.
test_status() {
    start_demo --size 960x540 --recording \
        --status "Camera /dev/video0 was unplugged; waiting for it to come back..."
    press h 'overlay=0'
    shot_until 5-status "the status line and the recording mark without the panel" status_shown
    echo "status: $LAST"
    xdotool key --window "$WIN" Escape
    wait_for_line "$WORK/out" 'ACTION QUIT'
    app_exit
    rc=$RC
    [ $rc -eq 0 ] || fail "the demo exited with $rc after Escape: $(cat "$WORK/err")"
    no_sanitizer_reports "$WORK/err"
}

case "$MODE" in
keys) test_keys ;;
status) test_status ;;
*) fail "unknown mode $MODE" ;;
esac
echo "PASS $MODE"

#!/bin/sh
# The window as a desktop application (window-desktop-* in meson), the real
# program under a private Xvfb:
#   look      the title names the style and follows Right; the window has
#             the 64x64 icon; the overlay is drawn by SDL_ttf in the font
#             fontconfig found (the log names the file; the panel's text has
#             anti-aliased grey levels, not the pixel font's two or three)
#   nofont    fontconfig knows no font: one warning, the window opens anyway
#             and the overlay is drawn in the built-in pixel font
#   settings  remembered across runs: --strength 40 --mirror, Right and a
#             resized window are written at Q; a run without options starts
#             with them; options given override them
#   damaged   a damaged settings file: one warning naming the file and the
#             line, the defaults, the file rewritten at Q; a remembered style
#             no longer installed: one info line, the first style; headless
#             runs read and write no settings
# Each step waits for its effect (the title, a log line, the screen), never
# a fixed time.
set -u
MODE=$1
. "$(dirname "$0")/xvfb_lib.sh"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the stylecam program}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared}"
MODELS=$STYLECAM_SHARED/models
PATIENCE=${STYLECAM_E2E_WAIT:-$PATIENCE}
STYLES=$(ls "$MODELS" | while read -r d; do [ -d "$MODELS/$d" ] && echo "$d"; done)
FIRST=$(echo "$STYLES" | sed -n 1p)
SECOND=$(echo "$STYLES" | sed -n 2p)
[ -n "$SECOND" ] || fail "fewer than two style folders in $MODELS"

command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed"
need_tools xdotool xprop import convert
scratch_dir
WORK=$SCRATCH
sanitizer_env "$STYLECAM_BIN"
xvfb_start      # XDG_CONFIG_HOME=$WORK/config
# On a failure, what the program said.
at_exit '[ "${PASSED:-}" = 1 ] || [ ! -s "$WORK/err" ] || { echo "--- stylecam stderr:"; cat "$WORK/err"; } >&2'
SETTINGS=$XDG_CONFIG_HOME/stylecam/settings

# start ARGS...: the program on the test scene with -v, its window found.
start() {
    : >"$WORK/err"
    run_app "$STYLECAM_BIN" -v --input test --models "$MODELS" --size 320x240 "$@"
    find_window stylecam
}
# quit: Q, then a clean exit.
quit() {
    xdotool key --window "$WIN" q
    app_exit
    # xdotool presses q in the server (XTEST) and dies on the release when
    # the window is already gone (BadWindow): the server would hold q down,
    # and the next run's window, once focused, would get it and quit.
    xdotool keyup q 2>/dev/null
    [ "$RC" -eq 0 ] || fail "stylecam exited with $RC after Q: $(cat "$WORK/err")"
    no_sanitizer_reports "$WORK/err"
}
# The title as desktops show it (_NET_WM_NAME, UTF-8).
title() { xprop -id "$WIN" -notype _NET_WM_NAME 2>/dev/null | sed -n 's/^_NET_WM_NAME = "\(.*\)"$/\1/p'; }
title_is() { [ "$(title)" = "$1" ]; }
wait_title() { wait_for "$PATIENCE" "the title '$1' (it is '$(title)')" title_is "$1"; }
# setting KEY: its value in the settings file.
setting() { sed -n "s/^$1 = //p" "$SETTINGS"; }
expect_setting() {
    got=$(setting "$1")
    [ "$got" = "$2" ] || fail "settings: $1 is '${got}', not '$2': $(cat "$SETTINGS")"
}
# The log line that says what the run starts with.
started_with() { grep "settings: " "$WORK/err" | tail -n 1; }
expect_start() {
    wait_for_line "$WORK/err" "settings: "
    started_with | grep -q -- "$1" || fail "the run did not start with '$1': $(started_with)"
}
# grey_levels FILE W H X Y: how many grey levels a region holds.
grey_levels() {
    convert "$1" -crop "$2x$3+$4+$5" +repage -colorspace Gray -format '%k' info:
}
# The panel's text over the black bar at the window's left (a 320x240
# picture in the 960x540 window leaves 120 pixels black on each side):
# text on black, nothing of the picture.
panel_levels() { grey_levels "$WORK/$1.png" 100 80 $((WX + 12)) $((WY + 12)); }
panel_text() { bright_fraction "$WORK/$1.png" 100 80 $((WX + 12)) $((WY + 12)); }

case $MODE in
look)
    start --style "$FIRST"
    wait_title "stylecam — $FIRST"
    xprop -id "$WIN" _NET_WM_ICON | grep -q 'Icon (64 x 64)' ||
        fail "the window has no 64x64 icon: $(xprop -id "$WIN" _NET_WM_ICON | head -n 3)"
    grep -q "window: text in /.*\.[ot]tf through SDL_ttf" "$WORK/err" ||
        fail "the log names no font file loaded by SDL_ttf: $(cat "$WORK/err")"
    ! grep -q "built-in pixel font" "$WORK/err" || fail "the pixel font was used"
    window_geometry
    aa_text() {
        n=$(panel_levels a)
        t=$(panel_text a)
        LAST="$n grey levels, text fraction $t"
        awk_check '$1 >= 12 && $2 > 0.01' "$n" "$t"
    }
    shot_until a "the overlay's text, anti-aliased" aa_text
    echo "overlay: $LAST; $(sed -n 's/.*window: \(text in .*\)/\1/p' "$WORK/err")"
    xdotool key --window "$WIN" Right
    wait_title "stylecam — $SECOND"
    xdotool key --window "$WIN" space
    wait_title "stylecam — $SECOND (paused)"
    echo "title after Right and Space: $(title)"
    quit
    ;;
nofont)
    printf '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n' >"$WORK/fonts.conf"
    FONTCONFIG_FILE=$WORK/fonts.conf
    export FONTCONFIG_FILE
    start --style "$FIRST"
    wait_title "stylecam — $FIRST"
    window_geometry
    pixel_text() {
        n=$(panel_levels p)
        t=$(panel_text p)
        LAST="$n grey levels, text fraction $t"
        awk_check '$1 <= 4 && $2 > 0.01' "$n" "$t"
    }
    shot_until p "the overlay's text in the pixel font" pixel_text
    echo "overlay without fonts: $LAST"
    quit
    n=$(grep -c "built-in pixel font" "$WORK/err")
    [ "$n" -eq 1 ] || fail "$n warnings about the missing font, not one: $(cat "$WORK/err")"
    grep "built-in pixel font" "$WORK/err"
    ;;
settings)
    [ ! -e "$SETTINGS" ] || fail "$SETTINGS exists before the first run"
    start --style "$FIRST" --strength 40 --mirror
    wait_title "stylecam — $FIRST"
    expect_start "strength 40%, keep colours off, mirror on"
    xdotool key --window "$WIN" Right
    wait_title "stylecam — $SECOND"
    xdotool windowsize "$WIN" 800 500
    sized() { window_geometry; [ "$WW" -eq 800 ] && [ "$WH" -eq 500 ]; }
    wait_for "$PATIENCE" "the window at 800x500" sized
    quit
    echo "written: $(grep -v '^#' "$SETTINGS" | tr '\n' ' ')"
    expect_setting style "$SECOND"
    expect_setting strength 40
    expect_setting mirror on
    expect_setting keep_colors off
    expect_setting window_size 800x500
    expect_setting fullscreen off

    # No options: the run starts as the last one ended.
    start
    wait_title "stylecam — $SECOND"
    expect_start "strength 40%, keep colours off, mirror on, stabilize on, style $SECOND, window 800x500"
    window_geometry
    [ "$WW" -eq 800 ] && [ "$WH" -eq 500 ] || fail "the window opened at ${WW}x${WH}, not 800x500"
    quit
    expect_setting strength 40
    expect_setting mirror on
    echo "remembered: $(started_with | sed 's/.*settings: //')"

    # Options override what was remembered, and are remembered in turn.
    start --strength 70 --stabilize off --keep-colors --style "$FIRST"
    wait_title "stylecam — $FIRST"
    expect_start "strength 70%, keep colours on, mirror on, stabilize off, style $FIRST"
    quit
    expect_setting strength 70
    expect_setting stabilize off
    expect_setting keep_colors on
    expect_setting mirror on
    expect_setting style "$FIRST"
    echo "overridden: $(started_with | sed 's/.*settings: //')"
    ;;
damaged)
    mkdir -p "$(dirname "$SETTINGS")"
    printf 'style = %s\nstrength = 40\nmirror = sure\n' "$SECOND" >"$SETTINGS"
    start
    wait_title "stylecam — $FIRST"
    expect_start "strength 100%, keep colours off, mirror off"
    quit
    grep "is damaged" "$WORK/err"
    [ "$(grep -c "is damaged" "$WORK/err")" -eq 1 ] ||
        fail "not one warning about the damaged file: $(cat "$WORK/err")"
    grep -q "The settings file $SETTINGS is damaged at line 3 " "$WORK/err" ||
        fail "the warning names neither the file nor line 3: $(grep damaged "$WORK/err")"
    ! grep -q sure "$SETTINGS" || fail "the damaged file was not rewritten at Q"
    expect_setting strength 100
    expect_setting style "$FIRST"

    # A style remembered but no longer installed: the first, said once.
    printf 'style = no_such_style_any_more\nstrength = 60\n' >"$SETTINGS"
    start
    wait_title "stylecam — $FIRST"
    expect_start "strength 60%"
    quit
    grep "no_such_style_any_more" "$WORK/err"
    [ "$(grep -c "The style 'no_such_style_any_more' used last time is no longer installed; starting with '$FIRST'" "$WORK/err")" -eq 1 ] ||
        fail "not one line about the style that is gone: $(cat "$WORK/err")"
    expect_setting style "$FIRST"

    # Headless runs take the options alone: nothing read, nothing written.
    printf 'strength = 20\n' >"$SETTINGS"
    cp "$SETTINGS" "$WORK/before"
    "$STYLECAM_BIN" -v --headless --frames 2 --input test --models "$MODELS" --size 320x240 \
        >"$WORK/out" 2>"$WORK/err" || fail "the headless run failed: $(cat "$WORK/err")"
    ! grep -q "settings" "$WORK/err" || fail "a headless run used the settings: $(cat "$WORK/err")"
    cmp -s "$SETTINGS" "$WORK/before" || fail "a headless run wrote the settings"
    ;;
*)
    fail "unknown mode $MODE"
    ;;
esac
PASSED=1
echo "PASS desktop $MODE"

#!/bin/sh
# Any picture as a style in the window, with real key presses and a real
# drop (tests/window/xdnd_drop.c speaks XDND to the window, as a file
# manager does; SDL turns it into SDL_DROPFILE). Each step is checked by
# the log line it must cause, never by timing.
#   pictures.sh nonets XDND_DROP: no arbitrary networks installed: P, B, [ ]
#     and a drop each say what to do in one sentence; the live view goes on.
#   pictures.sh nets XDND_DROP: the networks installed (stylecam download
#     --from ../shared/models-arbitrary): --style-image, P (saved), B through
#     its three steps, [ and ], drops of a picture and of bad files; then a
#     restart lists and loads the stored styles, and a damaged stored vector
#     is computed again and rewritten.
set -u
. "$(dirname "$0")/xvfb_lib.sh"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the stylecam program}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared}"
MODE=$1
XDND=$2
S=$STYLECAM_SHARED
command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed"
need_tools xdotool
scratch_dir
WORK=$SCRATCH
M=$WORK/models
mkdir -p "$M"
XDG_DATA_HOME=$WORK/data
export XDG_DATA_HOME
STORE=$XDG_DATA_HOME/stylecam/styles

if [ "$MODE" = nets ]; then
    "$STYLECAM_BIN" download --from "$S/models-arbitrary" --dest "$M" arbitrary \
        >"$WORK/dl.log" 2>&1 || { cat "$WORK/dl.log"; fail "stylecam download arbitrary failed"; }
    "$STYLECAM_BIN" stylize --models "$M" --style-image "$S/golden-arbitrary/style_coffee_256.png" \
        "$S/golden-arbitrary/chelsea_384.png" "$WORK/probe.png" 2>"$WORK/probe.log" ||
        { cat "$WORK/probe.log"; fail "stylize --style-image failed with the networks installed"; }
fi

sanitizer_env "$STYLECAM_BIN"
xvfb_start
LOG=$WORK/err

# key K: one real key press on the window.
key() { xdotool key --window "$WIN" "$1"; }
# drop FILE: a real XDND drop on the window; the window must accept it.
drop() { "$XDND" "$WIN" "$1" || fail "the window did not take the drop of $1"; }
# count PATTERN: how many log lines match.
count() { grep -c -- "$1" "$LOG"; }

start() {
    run_app "$STYLECAM_BIN" -v --input test --models "$M" --size 320x240 "$@"
    find_window stylecam
    wait_for_line "$LOG" "window: the live view runs"
}

quit() {
    key q
    app_exit
    [ "$RC" -eq 0 ] || { cat "$LOG"; fail "stylecam exited with $RC"; }
}

printf 'not a picture\n' >"$WORK/notes.png"

if [ "$MODE" = nonets ]; then
    start
    key p
    wait_for_line "$LOG" "the arbitrary-style networks are not installed; run 'stylecam download arbitrary'"
    key b
    wait_for_line "$LOG" "B blends picture styles: pick a style made from a picture first"
    key bracketright
    wait_for_line "$LOG" "\[ and \] set how much of the blend partner is mixed in; press B"
    drop "$S/images/coffee.png"
    wait_for_line "$LOG" "picture dropped on the window: $S/images/coffee.png"
    wait_for_line "$LOG" "not installed" && [ "$(count 'not installed')" -ge 2 ] ||
        fail "the drop did not say the networks are missing"
    kill -0 "$APP_PID" || fail "stylecam ended"
    quit
    [ ! -e "$STORE" ] || fail "something was saved in $STORE"
    pass "no networks: P, B, [ ] and a drop each said what to do; the live view went on"
    exit 0
fi

# --- with the networks ---
cp "$S/images/coffee.png" "$WORK/coffee.png"
start --style-image "$WORK/coffee.png"
wait_for_line "$LOG" "picture style 'coffee' added as 2"
# P: the camera's picture, predicted off the render thread, saved, picked.
key p
wait_for_line "$LOG" "picture style: adding 'camera' from the camera"
wait_for_line "$LOG" "overlay: status: Adding style from the camera\.\.\."
wait_for_line "$LOG" "picture style 'camera' saved in $STORE"
wait_for_line "$LOG" "picture style 'camera' added as 3 of 3"
wait_for_line "$LOG" "style 3 of 3: camera"
[ -s "$STORE/camera.png" ] && [ -s "$STORE/camera.vec" ] || fail "P saved no style in $STORE"
# B: the previous picture style, [ and ] by tens, the camera's own look, off.
key b
wait_for_line "$LOG" "blend: camera with coffee, mix 50%"
wait_for_line "$LOG" "overlay: blend line: blend: 50% camera + 50% coffee"
key bracketright
wait_for_line "$LOG" "blend: camera with coffee, mix 60%"
key bracketleft
key bracketleft
wait_for_line "$LOG" "blend: camera with coffee, mix 40%"
wait_for_line "$LOG" "overlay: blend line: blend: 60% camera + 40% coffee"
key b
wait_for_line "$LOG" "blend: camera with the camera's own look, mix 40%"
wait_for_line "$LOG" "overlay: blend line: blend: 60% camera + 40% camera's own look"
key b
wait_for_line "$LOG" "blend off: camera"
wait_for_line "$LOG" "overlay: blend line: (none)"
# A real drop: the picture becomes a style and is picked.
cp "$S/images/chelsea.png" "$WORK/chelsea.png"
drop "$WORK/chelsea.png"
wait_for_line "$LOG" "picture style 'chelsea' added as 4 of 4"
wait_for_line "$LOG" "style 4 of 4: chelsea"
# Bad drops: one sentence each; the view goes on, nothing is added.
drop "$WORK/notes.png"
wait_for_line "$LOG" "$WORK/notes.png is not a picture stylecam can read"
convert -size 32x32 xc:red "$WORK/tiny.png"
drop "$WORK/tiny.png"
wait_for_line "$LOG" "The style picture $WORK/tiny.png is only 32x32 pixels"
kill -0 "$APP_PID" || fail "stylecam ended after a bad drop"
[ "$(count 'added as 5')" -eq 0 ] || fail "a bad picture was added"
quit
pass "window: --style-image, P, B, [ ], a drop and bad drops"
# Under ThreadSanitizer the window's threads are what matters: the rest runs
# in the ordinary and ASan builds.
[ "${PICTURES_WINDOW_ONLY:-0}" = 1 ] && exit 0

# Restart: the stored styles are listed and loaded.
"$STYLECAM_BIN" --list-styles --models "$M" >"$WORK/list" 2>&1
grep -q "camera .*$STORE/camera.png" "$WORK/list" && grep -q "chelsea" "$WORK/list" ||
    { cat "$WORK/list"; fail "--list-styles does not list the stored styles"; }
# A damaged vector (too short, then a NaN) is computed again and rewritten.
head -n 20 "$STORE/camera.vec" >"$WORK/short.vec" && mv "$WORK/short.vec" "$STORE/camera.vec"
"$STYLECAM_BIN" --headless --input test --frames 3 --models "$M" --style camera \
    >"$WORK/h.out" 2>"$WORK/h.err" || { cat "$WORK/h.err"; fail "headless run failed"; }
grep -q "The stored style vector $STORE/camera.vec is damaged" "$WORK/h.err" &&
    grep -q "picture style 'camera': vector recomputed and saved" "$WORK/h.err" ||
    { cat "$WORK/h.err"; fail "the damaged vector was not recomputed"; }
[ "$(wc -l <"$STORE/camera.vec")" -eq 101 ] || fail "the recomputed vector was not rewritten"
grep -q "picture style 'chelsea' added" "$WORK/h.err" || fail "chelsea was not loaded"
[ "$(grep -c 'is damaged' "$WORK/h.err")" -eq 1 ] || fail "warned more than once"
pass "restart: stored styles listed and loaded; a damaged vector recomputed once"

# Headless: --style-image pictures next to the stored ones, a bad one
# skipped in one sentence; --style picks a picture style by its name.
convert -size 9000x10 xc:blue "$WORK/wide.png"
"$STYLECAM_BIN" --headless --input test --frames 3 --models "$M" --style-image "$WORK/coffee.png" \
    --style-image "$WORK/notes.png" --style-image "$WORK/wide.png" --style-image "$WORK/coffee.png" \
    --style coffee-2 >"$WORK/h2.out" 2>"$WORK/h2.err" || { cat "$WORK/h2.err"; fail "headless --style-image failed"; }
for line in "picture style 'coffee' added" "picture style 'coffee-2' added" \
    "Skipping the style picture $WORK/notes.png: $WORK/notes.png is not a picture" \
    "Skipping the style picture $WORK/wide.png: The style picture $WORK/wide.png is 9000x10 pixels, more than 8192 a side" \
    "picture style 'camera' added"; do
    grep -qF -- "$line" "$WORK/h2.err" || { cat "$WORK/h2.err"; fail "headless: no '$line'"; }
done
grep -q "3 frames" "$WORK/h2.err" || { cat "$WORK/h2.err"; fail "headless: the run did not make its frames"; }
"$STYLECAM_BIN" --headless --input test --frames 1 --models "$M" --style nonesuch 2>"$WORK/h3.err" &&
    fail "an unknown --style was taken"
grep -q "Unknown style 'nonesuch'" "$WORK/h3.err" || fail "no sentence for an unknown style"
pass "headless: --style-image styles, bad pictures skipped, --style by picture name"

#!/bin/sh
# The window opens at once and says that it is starting while the styles load
# and the kernels build (an empty cache makes that take seconds); Q pressed
# meanwhile ends the program with status 0 once the start is over.
set -u
. "$(dirname "$0")/xvfb_lib.sh"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the stylecam program}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared}"
WAIT=${STYLECAM_E2E_WAIT:-60}
command -v Xvfb >/dev/null 2>&1 || { echo "SKIP: Xvfb is not installed"; exit 77; }
need_tools xdotool import convert
WORK=$(mktemp -d)
trap 'xvfb_cleanup; rm -rf "$WORK"' EXIT
sanitizer_env "$STYLECAM_BIN"
xvfb_start

XDG_CACHE_HOME=$WORK/cache
export XDG_CACHE_HOME
run_app "$STYLECAM_BIN" --input test --models "$STYLECAM_SHARED/models" --size 320x240
find_window stylecam
window_geometry
ready_before=$(grep -c "^stylecam: engine:" "$WORK/err")
shot s0
# With an empty cache the start takes seconds (kernel builds), the window a
# fraction of one: a window that appears only when all is ready fails here.
[ "$ready_before" -eq 0 ] ||
    fail "the window appeared only once the start was over: $(cat "$WORK/err")"

# Only a line of text in the middle: lit, but a few percent of the pixels.
convert "$WORK/s0.png" -crop "$((WW / 3))x$((WH / 3))+$((WX + WW / 3))+$((WY + WH / 3))" \
    +repage "$WORK/c0.png"
lit=$(convert "$WORK/c0.png" -colorspace Gray -threshold 50% -format '%[fx:mean]' info:)
awk_check '$1 > 0.001 && $1 < 0.2' "$lit" ||
    fail "while starting the window shows no line of text (lit fraction $lit)"
echo "while starting: a line of text ($lit of the centre lit)"

xdotool key --window "$WIN" q
deadline=$(( $(date +%s) + WAIT ))
while kill -0 "$APP_PID" 2>/dev/null; do
    [ "$(date +%s)" -gt "$deadline" ] && fail "stylecam did not end within $WAIT s of Q"
    sleep 0.1
done
wait "$APP_PID"
rc=$?
APP_PID=
[ $rc -eq 0 ] || fail "stylecam exited with $rc after Q during the start: $(cat "$WORK/err")"
grep -q "error" "$WORK/err" && fail "errors after Q during the start: $(cat "$WORK/err")"
no_sanitizer_reports "$WORK/err"
echo "PASS starting"

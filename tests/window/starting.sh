#!/bin/sh
# The window opens at once and says that it is starting while the styles load
# and the kernels build (an empty cache makes that take seconds); Q pressed
# meanwhile ends the program with status 0 once the start is over.
set -u
. "$(dirname "$0")/xvfb_lib.sh"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the stylecam program}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared}"
PATIENCE=${STYLECAM_E2E_WAIT:-$PATIENCE}
command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed"
need_tools xdotool import convert
scratch_dir
WORK=$SCRATCH
sanitizer_env "$STYLECAM_BIN"
xvfb_start

XDG_CACHE_HOME=$WORK/cache
export XDG_CACHE_HOME
run_app "$STYLECAM_BIN" --input test --models "$STYLECAM_SHARED/models" --size 320x240
find_window stylecam
window_geometry
# Only a line of text in the middle: lit, but a few percent of the pixels,
# on a screenshot begun before the engine said it was up. With an empty
# cache the start takes seconds (kernel builds), the window a fraction of
# one: a window that appears only when all is ready fails here.
starting_text() {
    convert "$WORK/s0.png" -crop "$((WW / 3))x$((WH / 3))+$((WX + WW / 3))+$((WY + WH / 3))" \
        +repage "$WORK/c0.png"
    lit=$(convert "$WORK/c0.png" -colorspace Gray -threshold 50% -format '%[fx:mean]' info:)
    LAST="lit fraction $lit"
    awk_check '$1 > 0.001 && $1 < 0.2' "$lit"
}
end=$(($(date +%s) + PATIENCE))
while :; do
    grep -q "^stylecam: engine:" "$WORK/err" &&
        fail "the start was over before the window showed a line of text (${LAST:-no screenshot}): $(cat "$WORK/err")"
    shot s0
    starting_text && break
    [ "$(date +%s)" -le "$end" ] || fail "no line of text while starting within $PATIENCE s ($LAST)"
    sleep 0.1
done
echo "while starting: a line of text ($lit of the centre lit)"

xdotool key --window "$WIN" q
app_exit
rc=$RC
[ $rc -eq 0 ] || fail "stylecam exited with $rc after Q during the start: $(cat "$WORK/err")"
grep -q "error" "$WORK/err" && fail "errors after Q during the start: $(cat "$WORK/err")"
no_sanitizer_reports "$WORK/err"
echo "PASS starting"

# Helpers of the window tests: a private Xvfb, the program under test,
# screenshots and pixel statistics. Sourced by test_window.sh,
# e2e_stylecam.sh and starting.sh (POSIX sh); the general helpers (fail,
# waiting for an event, at_exit) are tests/util/lib.sh's. Callers set WORK
# (a scratch folder) before calling xvfb_start.
. "$(dirname "$0")/../util/lib.sh"

XVFB_PID=
APP_PID=

# Sanitizer set-up for a program that opens an SDL window: the project's
# suppressions plus tests/window/lsan.supp in one file (LSan reads only one),
# tests/window/tsan.supp for TSan,
# and under ASan SC_PRELOAD (used by run_app) keeps Mesa's GL driver loaded:
# Mesa dlcloses swrast_dri.so at exit, which turns the driver's live globals
# into leaks of an unnamed module that no suppression can match.
SC_PRELOAD=
sanitizer_env() {
    here=$(dirname "$0")
    cat "$here/../lsan.supp" "$here/lsan.supp" >"$WORK/lsan.supp" 2>/dev/null
    LSAN_OPTIONS="suppressions=$WORK/lsan.supp:print_suppressions=0"
    export LSAN_OPTIONS
    TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}suppressions=$here/tsan.supp"
    export TSAN_OPTIONS
    asan_rt=$(ldd "$1" 2>/dev/null | awk '/libasan/ { print $3 }')
    [ -n "$asan_rt" ] || return 0
    # The window starts the pipeline on a helper thread, where LLVM (inside
    # PoCL) installs its own signal stack; GCC 12's ASan unmaps the current
    # one at thread exit and aborts on LLVM's (a runtime bug, fixed in LLVM
    # 2026). Without ASan's own signal stack there is nothing to unmap.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}use_sigaltstack=0"
    export ASAN_OPTIONS
    for dri in /usr/lib/*/dri/swrast_dri.so /usr/lib64/dri/swrast_dri.so; do
        if [ -e "$dri" ]; then
            SC_PRELOAD="$asan_rt $dri"
            echo "ASan build: preloading $dri"
            return 0
        fi
    done
}

# run_app PROGRAM ARGS...: runs PROGRAM in the background (APP_PID), stdout
# to $WORK/out and stderr to $WORK/err, with SC_PRELOAD if set.
run_app() {
    # STYLECAM_E2E_PRELOAD: a library the program runs on (the emulated camera).
    preload="$SC_PRELOAD${STYLECAM_E2E_PRELOAD:+ $STYLECAM_E2E_PRELOAD}"
    if [ -n "${preload# }" ]; then
        env LD_PRELOAD="${preload# }" "$@" >"$WORK/out" 2>"$WORK/err" &
    else
        "$@" >"$WORK/out" 2>"$WORK/err" &
    fi
    APP_PID=$!
    WAIT_PID=$APP_PID
}

# app_exit [SECONDS]: waits for the program to end (RC: its status).
app_exit() {
    wait_exit "$APP_PID" "${1:-$PATIENCE}"
    APP_PID=
    WAIT_PID=
}

# Starts Xvfb on a display number it picks itself (-displayfd: no race with
# other tests starting servers at the same time) and exports DISPLAY.
xvfb_start() {
    at_exit xvfb_cleanup
    Xvfb -displayfd 9 -screen 0 1280x800x24 -nolisten tcp -noreset \
        9>"$WORK/display" 2>"$WORK/xvfb.log" &
    XVFB_PID=$!
    WAIT_PID=$XVFB_PID wait_for "$PATIENCE" "display number from Xvfb" grep -qs . "$WORK/display"
    DISPLAY=:$(head -n1 "$WORK/display")
    export DISPLAY
    # The window remembers its settings in XDG_CONFIG_HOME: a folder of this
    # test's own, never the user's, nor one another test writes at once.
    XDG_CONFIG_HOME=$WORK/config
    export XDG_CONFIG_HOME
    echo "Xvfb on $DISPLAY (pid $XVFB_PID)"
}

# Kills what this test started, by pid.
xvfb_cleanup() {
    if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
        kill "$APP_PID" 2>/dev/null
        wait "$APP_PID" 2>/dev/null
    fi
    if [ -n "$XVFB_PID" ]; then
        kill "$XVFB_PID" 2>/dev/null
        wait "$XVFB_PID" 2>/dev/null
    fi
}

# find_window NAME: sets WIN to the id of the window titled NAME (waiting
# for it: a loaded machine under sanitizers takes its time).
window_named() {
    WIN=$(xdotool search --name "$1" 2>/dev/null | head -n1)
    [ -n "$WIN" ]
}
find_window() {
    wait_for "$PATIENCE" "window named '$1'" window_named "$1"
}

# window_geometry: sets WX WY WW WH for WIN (root coordinates).
window_geometry() {
    eval "$(xdotool getwindowgeometry --shell "$WIN" | sed -n 's/^\(X\|Y\|WIDTH\|HEIGHT\)=\([0-9]*\)$/G_\1=\2/p')"
    WX=$G_X WY=$G_Y WW=$G_WIDTH WH=$G_HEIGHT
}

# shot NAME: screenshot of the whole screen into $WORK/NAME.png.
shot() {
    import -window root "$WORK/$1.png" || fail "import could not take a screenshot"
}

# shot_until NAME WHAT CHECK: screenshots into $WORK/NAME.png until CHECK
# (a command reading it; it may leave its figures in LAST) succeeds: the
# screen shows WHAT. Fails after PATIENCE s, or when the program exits.
shot_until() {
    _end=$(($(date +%s) + PATIENCE))
    LAST=
    while :; do
        shot "$1"
        "$3" && return 0
        if [ -n "$APP_PID" ] && ! kill -0 "$APP_PID" 2>/dev/null; then
            fail "the program exited while waiting for $2 ($LAST): $(cat "$WORK/err")"
        fi
        [ "$(date +%s)" -le "$_end" ] || fail "no $2 on the screen within $PATIENCE s ($LAST)"
        sleep 0.2
    done
}

# region_mean FILE W H X Y: prints "r g b" means (0..1) of a region.
region_mean() {
    convert "$1" -crop "$2x$3+$4+$5" +repage \
        -format '%[fx:mean.r] %[fx:mean.g] %[fx:mean.b]' info:
}

# bright_fraction FILE W H X Y: fraction of near-white pixels (text) in a region.
bright_fraction() {
    convert "$1" -crop "$2x$3+$4+$5" +repage -colorspace Gray \
        -threshold 80% -format '%[fx:mean]' info:
}

# diff_pixels A B: how many pixels differ between two screenshots.
diff_pixels() {
    compare -metric AE "$1" "$2" null: 2>&1 | cut -d' ' -f1
}


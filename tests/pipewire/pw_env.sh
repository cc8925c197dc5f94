# A private PipeWire session for the tests (sourced by bash test scripts,
# after or instead of tests/util/lib.sh, which it sources when needed).
#
# Nothing of the machine's own session is touched: every test gets
#   - a private runtime folder (mode 0700) as XDG_RUNTIME_DIR and
#     PIPEWIRE_RUNTIME_DIR, so the daemon's socket is $XDG_RUNTIME_DIR/pipewire-0;
#   - a private D-Bus session bus (dbus-daemon --session on a socket in that
#     folder; DBUS_SESSION_BUS_ADDRESS points at it);
#   - XDG_CONFIG_HOME and XDG_STATE_HOME of its own, holding a WirePlumber
#     override that turns the ALSA, V4L2, libcamera and BlueZ monitors off: the
#     daemon runs headless in a container (no sound cards, no logind, no
#     systemd user session, root included, as in CI) and sees no real camera.
#     PipeWire's Dummy-Driver clocks the graph.
# The daemons are started with setpriv --pdeathsig KILL where util-linux has
# it, so that they die with the test even when it is killed outright.
#
# Functions:
#   pw_env_init          checks the tools (skips the test with a message when
#                        PipeWire is not installed), makes the folders, starts
#                        the bus; everything is stopped and removed at exit
#                        (at_exit). Called by pw_start when not done yet.
#   pw_start             starts pipewire and wireplumber and returns when the
#                        daemon answers (pw-cli info 0) and WirePlumber has
#                        published its "default" metadata (its policy runs).
#   pw_stop [SIGNAL]     stops both (TERM by default; KILL leaves a stale
#                        socket, as a crash does) and waits until they are gone.
#   pw_restart           pw_stop, then pw_start.
#   pw_wait_node NAME [SECONDS]
#                        waits until a node with node.name NAME exists; sets
#                        PW_NODE_ID to its id.
#   pw_wait_node_gone NAME [SECONDS]
#                        waits until no node is named NAME.
#   pw_wait_link NAME [SECONDS]
#                        waits until a link goes out of, or into, the node
#                        named NAME (a consumer is linked to a source; a
#                        source to a stream that reads it).
#   pw_node_id NAME      prints the id of the node named NAME (nothing if none).
#   pw_node_props NAME   prints the node's properties, KEY=VALUE a line (pw-dump).
#   pw_test_camera NAME [CAPS]
#                        publishes a Video/Source node NAME from GStreamer's
#                        videotestsrc (default caps YUY2 320x240 at 30/1), for
#                        tests of a PipeWire camera source; PW_CAM_PID is the
#                        process (killed at exit).
# Variables: PW_ENV_DIR (the private folder), PW_PID, WP_PID, PW_LOG, WP_LOG
# (the daemons' logs, printed by pw_dump_logs).
#
# Waits poll for the event every 0.1 s (wait_for); their time-out, PATIENCE
# seconds, is only a last guard.

if ! command -v at_exit >/dev/null 2>&1; then
    # shellcheck source=../util/lib.sh
    . "$(dirname "${BASH_SOURCE[0]}")/../util/lib.sh"
fi

PW_ENV_DIR=
PW_PID=
WP_PID=
PW_CAM_PID=
PW_NODE_ID=
PW_STARTING=0
PW_ORPHAN_GUARD=

pw_env_init() {
    [ -n "$PW_ENV_DIR" ] && return 0
    for _t in pipewire wireplumber pw-cli pw-dump dbus-daemon python3; do
        command -v "$_t" >/dev/null 2>&1 ||
            skip "$_t is not installed: the PipeWire tests need pipewire, wireplumber, pipewire-bin and dbus (scripts/deps.sh --test)"
    done
    PW_ENV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sc-pw-XXXXXX") || fail "mktemp failed"
    at_exit "rm -rf '$PW_ENV_DIR'"
    mkdir -m 0700 "$PW_ENV_DIR/run" "$PW_ENV_DIR/config" "$PW_ENV_DIR/state" ||
        fail "cannot make folders in $PW_ENV_DIR"
    export XDG_RUNTIME_DIR=$PW_ENV_DIR/run
    export PIPEWIRE_RUNTIME_DIR=$PW_ENV_DIR/run
    export XDG_CONFIG_HOME=$PW_ENV_DIR/config
    export XDG_STATE_HOME=$PW_ENV_DIR/state
    unset PIPEWIRE_REMOTE PIPEWIRE_CONFIG_DIR WIREPLUMBER_CONFIG_DIR DISPLAY WAYLAND_DISPLAY
    PW_LOG=$PW_ENV_DIR/pipewire.log
    WP_LOG=$PW_ENV_DIR/wireplumber.log

    # WirePlumber 0.4 reads main.lua.d and bluetooth.lua.d from every config
    # folder, in file name order: 51- comes after the packaged 50-*-config.lua
    # and before 90-enable-all.lua, which enables what is still enabled.
    _wp=$XDG_CONFIG_HOME/wireplumber
    mkdir -p "$_wp/main.lua.d" "$_wp/bluetooth.lua.d"
    printf '%s\n' '-- stylecam tests: headless, no devices' \
        'alsa_monitor.enabled = false' 'v4l2_monitor.enabled = false' \
        'libcamera_monitor.enabled = false' >"$_wp/main.lua.d/51-stylecam-tests.lua"
    printf '%s\n' '-- stylecam tests: no BlueZ' 'bluez_monitor.enabled = false' \
        >"$_wp/bluetooth.lua.d/51-stylecam-tests.lua"
    # WirePlumber 0.5 reads SPA-JSON fragments instead.
    mkdir -p "$_wp/wireplumber.conf.d"
    printf '%s\n' 'wireplumber.profiles = { main = {' \
        '  monitor.alsa = disabled' '  monitor.alsa-midi = disabled' \
        '  monitor.v4l2 = disabled' '  monitor.libcamera = disabled' \
        '  monitor.bluez = disabled' '  monitor.bluez-midi = disabled' \
        '  support.logind = disabled' '} }' >"$_wp/wireplumber.conf.d/51-stylecam-tests.conf"

    # The session bus from a configuration of its own: Debian's session.conf
    # comes with dbus-user-session or dbus-x11, which a minimal install lacks.
    cat >"$PW_ENV_DIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$PW_ENV_DIR/run/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
    # Every daemon dies with this shell, even when it is killed (a test's
    # time-out) and cannot clean up: setpriv --pdeathsig (util-linux).
    PW_ORPHAN_GUARD=
    setpriv --help 2>&1 | grep -q -- --pdeathsig && PW_ORPHAN_GUARD="setpriv --pdeathsig KILL"
    $PW_ORPHAN_GUARD dbus-daemon --config-file="$PW_ENV_DIR/bus.conf" --nofork --nopidfile \
        --print-address=1 >"$PW_ENV_DIR/bus.address" 2>"$PW_ENV_DIR/dbus.log" </dev/null &
    _buspid=$!
    disown "$_buspid"
    at_exit "kill $_buspid 2>/dev/null"
    WAIT_PID=$_buspid wait_for "$PATIENCE" "the D-Bus session bus" test -s "$PW_ENV_DIR/bus.address"
    export DBUS_SESSION_BUS_ADDRESS
    DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$PW_ENV_DIR/bus.address")
    at_exit pw_cleanup
    at_exit '[ "$PW_STARTING" = 0 ] || pw_dump_logs'
}

# At exit: the daemons and the test camera, by pid.
pw_cleanup() {
    for _p in $PW_CAM_PID $WP_PID $PW_PID; do
        kill -9 "$_p" 2>/dev/null
    done
    return 0
}

pw_dump_logs() {
    for _f in "$PW_LOG" "$WP_LOG"; do
        [ -s "$_f" ] && { echo "--- $_f" >&2; tail -n 40 "$_f" >&2; }
    done
    return 0
}

pw_daemon_answers() { pw-cli info 0 2>/dev/null | grep -q 'type: PipeWire:Interface:Core'; }
pw_wp_ready() {
    pw-cli ls Metadata 2>/dev/null | grep -q 'metadata.name = "default"'
}

pw_start() {
    pw_env_init
    [ -z "$PW_PID" ] || fail "pw_start: pipewire is already running (pid $PW_PID)"
    PW_STARTING=1   # a failed wait exits: the logs are printed at exit
    $PW_ORPHAN_GUARD pipewire >>"$PW_LOG" 2>&1 </dev/null &
    PW_PID=$!
    disown "$PW_PID"   # no "Killed" job notices; reaped all the same
    WAIT_PID=$PW_PID wait_for "$PATIENCE" \
        "PipeWire daemon answering on $XDG_RUNTIME_DIR/pipewire-0" pw_daemon_answers
    $PW_ORPHAN_GUARD wireplumber >>"$WP_LOG" 2>&1 </dev/null &
    WP_PID=$!
    disown "$WP_PID"
    WAIT_PID=$WP_PID wait_for "$PATIENCE" "WirePlumber's default metadata" pw_wp_ready
    PW_STARTING=0
}

# pw_stop [SIGNAL]: both daemons stopped; they are gone on return.
pw_stop() {
    _sig=${1:-TERM}
    for _p in $WP_PID $PW_PID; do
        kill -"$_sig" "$_p" 2>/dev/null
    done
    _end=$(($(date +%s) + PATIENCE))
    for _p in $WP_PID $PW_PID; do
        while kill -0 "$_p" 2>/dev/null; do
            [ "$(date +%s)" -le "$_end" ] || fail "pid $_p did not stop within $PATIENCE s"
            sleep 0.1
        done
    done
    WP_PID= PW_PID=
}

pw_restart() {
    pw_stop "$@"
    pw_start
}

pw_node_id() {
    pw-cli ls Node 2>/dev/null | awk -v want="node.name = \"$1\"" '
        /^[ \t]*id [0-9]+,/ { id = $2; sub(",", "", id) }
        index($0, want) { print id; exit }'
}

_pw_has_node() { PW_NODE_ID=$(pw_node_id "$1"); [ -n "$PW_NODE_ID" ]; }
_pw_no_node() { [ -z "$(pw_node_id "$1")" ]; }

pw_wait_node() {
    wait_for "${2:-$PATIENCE}" "PipeWire node '$1'" _pw_has_node "$1"
}
pw_wait_node_gone() {
    wait_for "${2:-$PATIENCE}" "PipeWire node '$1' to go away" _pw_no_node "$1"
}

_pw_has_link() {
    _id=$(pw_node_id "$1")
    [ -n "$_id" ] && pw-cli ls Link 2>/dev/null |
        grep -Eq "link\.(output|input)\.node = \"$_id\""
}
pw_wait_link() {
    wait_for "${2:-$PATIENCE}" "a link of PipeWire node '$1'" _pw_has_link "$1"
}

pw_node_props() {
    pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o.get("type") != "PipeWire:Interface:Node":
        continue
    props = (o.get("info") or {}).get("props") or {}
    if props.get("node.name") == sys.argv[1]:
        for k, v in props.items():
            print("%s=%s" % (k, v))
        break
' "$1"
}

pw_test_camera() {
    need_tools gst-launch-1.0
    gst-launch-1.0 -q videotestsrc is-live=true pattern=smpte \
        ! "${2:-video/x-raw,format=YUY2,width=320,height=240,framerate=30/1}" \
        ! pipewiresink mode=provide \
          stream-properties="props,media.class=Video/Source,node.name=$1,node.description=$1,media.role=Camera" \
        >"$PW_ENV_DIR/camera-$1.log" 2>&1 </dev/null &
    PW_CAM_PID=$!
    disown "$PW_CAM_PID"
    at_exit "kill -9 $PW_CAM_PID 2>/dev/null"
    at_exit "[ -n \"\$PW_NODE_ID\" ] || cat '$PW_ENV_DIR/camera-$1.log' >&2"
    PW_NODE_ID=
    WAIT_PID=$PW_CAM_PID pw_wait_node "$1"
}

#!/bin/bash
# PipeWire cameras (--device pipewire[:NAME], app/capture/source_pipewire.c)
# against a real daemon in a private session (pw_env.sh): a camera that
# GStreamer publishes as a Video/Source node, found by name, first or by
# default, listed, lost and found again when its program or the daemon
# stops and comes back; the one-sentence errors.
. "$(dirname "$0")/../live/lib.sh"
. "$(dirname "$0")/pw_env.sh"

# cam_publish NAME [DESCRIPTION]: GStreamer's bouncing ball as a 320x240
# YUY2 camera at 30 fps; CAM_PID is the publisher. pipewiresink's default
# mode, not mode=provide: in 0.3.65 a provide-mode sink often sends nothing
# to a later reader once an earlier one has gone.
cam_publish() {
    need_tools gst-launch-1.0
    gst-launch-1.0 -q videotestsrc pattern=ball is-live=true \
        ! video/x-raw,format=YUY2,width=320,height=240,framerate=30/1 \
        ! pipewiresink \
          "stream-properties=\"props,media.class=Video/Source,node.name=$1,node.description=\\\"${2:-$1}\\\"\"" \
        >>"$PW_ENV_DIR/camera-$1.log" 2>&1 </dev/null &
    CAM_PID=$!
    disown "$CAM_PID"
    at_exit "kill -9 $CAM_PID 2>/dev/null"
    WAIT_PID=$CAM_PID pw_wait_node "$1"
    WAIT_PID=
}

# The run's clip says how many frames it made so far (the headless
# progress line is not printed when stderr is not a terminal).
CLIP=
packets() { probe_pts "$CLIP" | wc -l; }
more_frames_than() { has_packets "$CLIP" $(($1 + 1)); }
alive() { kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; fail "stylecam exited early"; }; }

# Small and quick: the network runs at 160x120 (PoCL on 2 cores).
RUN="--headless --style sketch --infer-size 160x120"

case "$1" in
record)
    # The issue's case: a named camera into a clip, checked by ffprobe.
    pw_start
    cam_publish testcam "Test Camera"
    sc --device pipewire:testcam --headless --frames 30 --record "$TMP/out.mkv" --style sketch
    expect_rc 0
    expect_log "camera pipewire:testcam (Test Camera): 320x240 RGB24 converted from YUY2"
    expect_log "source: pipewire:testcam (Test Camera), 320x240"
    [ "$(probe "$TMP/out.mkv" width,height)" = "320,240" ] || fail "clip is not 320x240"
    [ "$(probe_frames "$TMP/out.mkv")" = 30 ] || fail "clip does not hold 30 frames"
    decode_clean "$TMP/out.mkv"
    # By description too, and "pipewire" alone takes the first camera.
    sc --device "pipewire:Test Camera" $RUN --frames 3
    expect_rc 0
    expect_log "camera pipewire:Test Camera"
    sc --device pipewire $RUN --frames 3
    expect_rc 0
    expect_log "camera pipewire:testcam (Test Camera): 320x240"
    ;;
list)
    pw_start
    cam_publish testcam "Test Camera"
    FAKECAM_ABSENT=1 sc_cam --list-devices
    expect_rc 0
    expect_log "^PipeWire cameras:"
    expect_log "^pipewire:testcam: Test Camera"
    expect_log "YUY2 320x240 @ 30 fps"
    ;;
auto)
    # No camera given and no V4L2 camera: the PipeWire one, said so.
    pw_start
    cam_publish testcam "Test Camera"
    FAKECAM_ABSENT=1 sc_cam $RUN --frames 3
    expect_rc 0
    expect_log "no V4L2 camera found: using the first PipeWire camera, pipewire:testcam"
    expect_log "source: pipewire:testcam"
    ;;
unplug)
    # The camera's program quits mid-stream: one message, the run goes on
    # (the last frame kept), and frames flow again when it is back; then
    # SIGTERM ends it cleanly.
    pw_start
    cam_publish testcam "Test Camera"
    CLIP=$TMP/unplug.mkv
    sc_bg --device pipewire:testcam $RUN --record "$CLIP"
    wait_for "$PATIENCE" "frames in the clip" more_frames_than 3
    kill -9 "$CAM_PID"
    wait_for_line "$LOG" "PipeWire camera pipewire:testcam went away"
    sleep 2
    alive
    n=$(grep -c "went away" "$LOG")
    [ "$n" = 1 ] || { cat "$LOG" >&2; fail "the loss was told $n times, expected once"; }
    cam_publish testcam "Test Camera"
    wait_for_line "$LOG" "camera pipewire:testcam (Test Camera) is back"
    before=$(packets)
    wait_for "$PATIENCE" "frames after the camera came back" more_frames_than $((before + 5))
    kill -TERM "$PID"
    wait_exit "$PID"
    expect_rc 0
    decode_clean "$CLIP"
    ;;
daemon)
    # The daemon stops (the camera's program with it): one message, the run
    # goes on, and reconnects when both are back; then SIGTERM ends it.
    pw_start
    cam_publish testcam "Test Camera"
    CLIP=$TMP/daemon.mkv
    sc_bg --device pipewire:testcam $RUN --record "$CLIP"
    wait_for "$PATIENCE" "frames in the clip" more_frames_than 3
    pw_stop
    wait_for_line "$LOG" "The PipeWire daemon stopped"
    sleep 2
    alive
    n=$(grep -c "daemon stopped" "$LOG")
    [ "$n" = 1 ] || { cat "$LOG" >&2; fail "the loss was told $n times, expected once"; }
    pw_start
    cam_publish testcam "Test Camera"
    wait_for_line "$LOG" "camera pipewire:testcam (Test Camera) is back"
    before=$(packets)
    wait_for "$PATIENCE" "frames after the daemon came back" more_frames_than $((before + 5))
    kill -TERM "$PID"
    wait_exit "$PID"
    expect_rc 0
    decode_clean "$CLIP"
    ;;
nosuch)
    pw_start
    cam_publish testcam "Test Camera"
    sc --device pipewire:nosuch $RUN --frames 3
    expect_rc 1
    expect_one_sentence "PipeWire has no camera named 'nosuch'; it offers: testcam (Test Camera)"
    ;;
nodaemon)
    # No daemon at all: one sentence, and listing says so without waiting.
    pw_env_init
    sc --device pipewire $RUN --frames 3
    expect_rc 1
    expect_one_sentence "No PipeWire daemon answers"
    start=$(date +%s)
    FAKECAM_ABSENT=1 sc_cam --list-devices
    expect_rc 1
    expect_log "PipeWire cameras: none (no PipeWire daemon answers)"
    expect_one_sentence "No camera was found"
    [ $(($(date +%s) - start)) -lt 5 ] || fail "--list-devices took too long without a daemon"
    ;;
*) fail "unknown scenario $1" ;;
esac
echo "ok: $1"

#!/bin/bash
# The PipeWire virtual camera (--vcam pipewire), each case in a private
# PipeWire session (pw_env.sh), read back by GStreamer's pipewiresrc as a
# browser or OBS would. "sink-*" drive the sink alone (vcam-pw-demo, a still
# picture of eight colour bars); the others run stylecam itself.
#   sink-props, props        the node: Video/Source, name and description
#                            stylecam (or the name asked for), role Camera
#   sink-formats, frames     frames read back in YUY2 and BGRx: size, count,
#                            content (bars; stylecam: the stylized still image
#                            against 'stylecam stylize' of it)
#   sink-nodaemon, nodaemon  no daemon: one sentence that says what to do
#   sink-restart, restart    the daemon stops mid-stream: one message, the
#                            run goes on, the node is back when the daemon is
#   memory                   2000 frames to the node, memory flat
. "$(dirname "$0")/../live/lib.sh"
. "$(dirname "$0")/pw_env.sh"
: "${VCAM_PW_DEMO:?}"
need_tools gst-launch-1.0 ffmpeg python3
gst-inspect-1.0 pipewiresrc >/dev/null 2>&1 ||
    skip "GStreamer's pipewiresrc is not installed (gstreamer1.0-pipewire)"

STYLE=sketch
IMAGE=$STYLECAM_SHARED/images/chelsea.png
DEMO_LOG=$TMP/demo.log

# demo_bg ARGS...: the sink demo in the background (PID, output in DEMO_LOG).
demo_bg() {
    "$VCAM_PW_DEMO" "$@" >"$DEMO_LOG" 2>&1 &
    PID=$!
    disown "$PID"   # no "Killed" notice at exit
    WAIT_PID=$PID
    at_exit "kill -9 $PID 2>/dev/null"
}

# gst_read NODE FORMAT K OUT: K frames of NODE in FORMAT into the raw file OUT.
gst_read() {
    timeout -s KILL "$PATIENCE" gst-launch-1.0 -q pipewiresrc target-object="$1" \
        num-buffers="$3" ! "video/x-raw,format=$2" ! filesink location="$4" \
        >"$TMP/gst.log" 2>&1 || { cat "$TMP/gst.log" >&2; fail "gst-launch could not read $3 $2 frames of node '$1'"; }
}

# to_rgb FORMAT W H IN OUT: raw frames of FORMAT to packed RGB. YUY2 is read
# as BT.601 limited range (what the sink writes), each pair of pixels with its
# own chroma, rounded; ffmpeg's own conversion adds two levels of its own.
to_rgb() {
    python3 - "$@" <<'EOF' || fail "could not convert $4 from $1"
import sys
fmt, w, h, src, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
d = open(src, "rb").read()
out = bytearray()
if fmt == "YUY2":
    clip = lambda v: 0 if v < 0 else 255 if v > 255 else int(v + 0.5)
    ty = [1.164 * (y - 16) for y in range(256)]
    rv = [1.596 * (v - 128) for v in range(256)]
    gu = [-0.392 * (u - 128) for u in range(256)]
    gv = [-0.813 * (v - 128) for v in range(256)]
    bu = [2.017 * (u - 128) for u in range(256)]
    for i in range(0, len(d) - 3, 4):
        y0, u, y1, v = d[i], d[i + 1], d[i + 2], d[i + 3]
        for y in (ty[y0], ty[y1]):
            out += bytes((clip(y + rv[v]), clip(y + gu[u] + gv[v]), clip(y + bu[u])))
else:
    bpp, order = {"BGRx": (4, (2, 1, 0)), "RGBx": (4, (0, 1, 2)), "RGB": (3, (0, 1, 2))}[fmt]
    for i in range(0, len(d) - bpp + 1, bpp):
        out += bytes(d[i + c] for c in order)
open(dst, "wb").write(out)
EOF
}

# check_frames RGBFILE W H K REF MEAN MAX: RGBFILE holds K frames of W x H,
# each within MEAN (mean absolute difference) and MAX (99.9th percentile) of
# REF (one packed RGB frame; "bars": the demo's picture).
check_frames() {
    python3 - "$@" <<'EOF' || fail "received frames differ from the expected picture"
import sys
path, w, h, k, ref, mean_lim, max_lim = sys.argv[1:]
w, h, k, mean_lim, max_lim = int(w), int(h), int(k), float(mean_lim), float(max_lim)
data = open(path, "rb").read()
fs = w * h * 3
if len(data) != fs * k:
    sys.exit("%d bytes: %.2f frames of %dx%d, expected %d" % (len(data), len(data) / fs, w, h, k))
if ref == "bars":
    bars = [(235,235,235), (235,235,16), (16,235,235), (16,235,16),
            (235,16,235), (235,16,16), (16,16,235), (16,16,16)]
    want = bytes(c for y in range(h) for x in range(w) for c in bars[x * 8 // w])
else:
    want = open(ref, "rb").read()
    if len(want) != fs:
        sys.exit("the reference is %d bytes, not one %dx%d frame" % (len(want), w, h))
for f in range(k):
    got = data[f * fs:(f + 1) * fs]
    d = sorted(abs(a - b) for a, b in zip(got, want))
    mean = sum(d) / len(d)
    p999 = d[int(len(d) * 0.999)]
    if mean > mean_lim or p999 > max_lim:
        sys.exit("frame %d: mean difference %.2f (limit %g), 99.9th percentile %d (limit %g)"
                 % (f, mean, mean_lim, p999, max_lim))
print("%d frames of %dx%d match (last: mean difference %.2f, 99.9th percentile %d)"
      % (k, w, h, mean, p999))
EOF
}

# expect_props NODE: the node's properties say what a camera portal looks for.
expect_props() {
    props=$(pw_node_props "$1")
    for want in "media.class=Video/Source" "node.name=$1" "node.description=$1" \
                "media.role=Camera"; do
        grep -qx -- "$want" <<<"$props" || { echo "$props" >&2; fail "node '$1' lacks $want"; }
    done
    echo "node '$1' (id $PW_NODE_ID): Video/Source, role Camera, described as '$1'"
}

# The sink's one sentence without a daemon (demo or stylecam log in $1).
expect_nodaemon_sentence() {
    grep -q "PipeWire is not running (no daemon at $XDG_RUNTIME_DIR/pipewire-0" "$1" &&
        grep -q "systemctl --user start pipewire wireplumber" "$1" &&
        grep -q "modprobe v4l2loopback" "$1" ||
        { cat "$1" >&2; fail "no sentence saying PipeWire is not running and what to do"; }
}

case "$1" in
sink-props)
    pw_start
    demo_bg --frames 0 --size 320x240
    pw_wait_node stylecam
    expect_props stylecam
    kill -TERM "$PID"; wait_exit "$PID"
    [ "$RC" = 0 ] || { cat "$DEMO_LOG" >&2; fail "the demo exited $RC"; }
    pw_wait_node_gone stylecam
    # Another name (req->spec).
    demo_bg --frames 0 --size 320x240 --name "stylecam-test"
    pw_wait_node stylecam-test
    expect_props stylecam-test
    grep -q "^open: PipeWire node 'stylecam-test'" "$DEMO_LOG" ||
        { cat "$DEMO_LOG" >&2; fail "the sink did not say where its frames go"; }
    ;;
sink-formats)
    pw_start
    demo_bg --frames 0 --size 320x240 --fps 30
    pw_wait_node stylecam
    for fmt in YUY2 BGRx RGBx RGB; do
        gst_read stylecam "$fmt" 10 "$TMP/$fmt.raw"
        to_rgb "$fmt" 320 240 "$TMP/$fmt.raw" "$TMP/$fmt.rgb"
        # YUY2: only the conversions' rounding (a level of U or V is up to two
        # of R, G or B); the bars are flat, so subsampling costs nothing.
        if [ "$fmt" = YUY2 ]; then lim="1.5 3"; else lim="0 0"; fi
        # shellcheck disable=SC2086
        check_frames "$TMP/$fmt.rgb" 320 240 10 bars $lim
    done
    # The count of consumers went up while one read, and back to 0.
    grep -q "^consumers: 1" "$DEMO_LOG" || { cat "$DEMO_LOG" >&2; fail "consumers() never said 1"; }
    wait_for 30 "consumers: 0 after the readers left" sh -c "tail -n 1 '$DEMO_LOG' | grep -q '^consumers: 0'"
    ;;
sink-nodaemon)
    pw_env_init    # the private folder, no daemon in it
    RC=0
    timeout -s KILL "$PATIENCE" "$VCAM_PW_DEMO" --frames 5 >"$DEMO_LOG" 2>&1 || RC=$?
    [ "$RC" = 1 ] || { cat "$DEMO_LOG" >&2; fail "exit $RC without a daemon, expected 1"; }
    [ "$(grep -c '^open failed: ' "$DEMO_LOG")" = 1 ] || { cat "$DEMO_LOG" >&2; fail "not one sentence"; }
    expect_nodaemon_sentence "$DEMO_LOG"
    sed -n 's/^open failed: //p' "$DEMO_LOG"
    ;;
sink-restart)
    pw_start
    demo_bg --frames 0 --reopen --fps 30
    pw_wait_node stylecam
    gst_read stylecam YUY2 5 "$TMP/before.raw"
    pw_stop KILL
    wait_for_line "$DEMO_LOG" "^lost: "
    [ "$(grep -c '^lost: ' "$DEMO_LOG")" = 1 ] || { cat "$DEMO_LOG" >&2; fail "not one loss message"; }
    grep -q "^lost: PipeWire stopped" "$DEMO_LOG" || { cat "$DEMO_LOG" >&2; fail "the loss sentence"; }
    # It goes on (reopening fails meanwhile) and comes back with the daemon.
    wait_for_line "$DEMO_LOG" "^open failed: PipeWire is not running"
    kill -0 "$PID" || fail "the demo died with the daemon"
    pw_start
    pw_wait_node stylecam
    gst_read stylecam YUY2 5 "$TMP/after.raw"
    to_rgb YUY2 320 240 "$TMP/after.raw" "$TMP/after.rgb"
    check_frames "$TMP/after.rgb" 320 240 5 bars 1.5 3
    [ "$(grep -c '^open: ' "$DEMO_LOG")" = 2 ] || { cat "$DEMO_LOG" >&2; fail "not reopened once"; }
    kill -TERM "$PID"; wait_exit "$PID"
    [ "$RC" = 0 ] || { cat "$DEMO_LOG" >&2; fail "the demo exited $RC"; }
    echo "lost once, reopened once: $(grep -c '^open failed: ' "$DEMO_LOG") failed opens meanwhile"
    ;;
props)
    pw_start
    sc_bg --input "$IMAGE" --headless --frames 100000 --style "$STYLE" --vcam pipewire
    pw_wait_node stylecam
    expect_props stylecam
    kill -TERM "$PID"; wait_exit "$PID"
    expect_rc 0
    no_sanitizer_reports "$LOG"
    pw_wait_node_gone stylecam
    ;;
frames)
    pw_start
    # The stylized still image, as one packed RGB frame.
    sc stylize --style "$STYLE" "$IMAGE" "$TMP/ref.png"
    expect_rc 0
    no_sanitizer_reports "$LOG"
    IFS=x read -r W H < <(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$TMP/ref.png")
    # The virtual camera takes even sizes: an odd column or row is cut off.
    ffmpeg -nostdin -v error -i "$TMP/ref.png" -vf "crop=$((W & ~1)):$((H & ~1)):0:0" \
        -f rawvideo -pix_fmt rgb24 -y "$TMP/ref.rgb" || fail "ffmpeg could not read $TMP/ref.png"
    W=$((W & ~1)) H=$((H & ~1))
    sc_bg --input "$IMAGE" --headless --frames 100000 --style "$STYLE" --infer-size full \
        --vcam pipewire
    pw_wait_node stylecam
    wait_for_line "$LOG" "PipeWire node 'stylecam'"
    for fmt in YUY2 BGRx; do
        gst_read stylecam "$fmt" 10 "$TMP/$fmt.raw"
        to_rgb "$fmt" "$W" "$H" "$TMP/$fmt.raw" "$TMP/$fmt.rgb"
        # The first frames may still be the start's blank picture: the last 5.
        python3 -c "import sys; d=open(sys.argv[1],'rb').read(); n=$W*$H*3; open(sys.argv[1],'wb').write(d[5*n:])" "$TMP/$fmt.rgb"
        if [ "$fmt" = YUY2 ]; then lim="2 12"; else lim="0.5 4"; fi
        # shellcheck disable=SC2086
        check_frames "$TMP/$fmt.rgb" "$W" "$H" 5 "$TMP/ref.rgb" $lim
    done
    kill -TERM "$PID"; wait_exit "$PID"
    expect_rc 0
    no_sanitizer_reports "$LOG"
    # And a run of N frames ends by itself, with its N frames.
    sc --input "$IMAGE" --headless --frames 30 --style "$STYLE" --vcam pipewire
    expect_rc 0
    no_sanitizer_reports "$LOG"
    [ "$(summary_frames)" = 30 ] || { cat "$LOG" >&2; fail "expected 30 frames"; }
    ;;
nodaemon)
    pw_env_init
    sc --input "$IMAGE" --headless --frames 10 --style "$STYLE" --vcam pipewire
    cat "$LOG"
    expect_nodaemon_sentence "$LOG"
    n=$(grep -c "PipeWire is not running" "$LOG")
    [ "$n" -le 2 ] || { cat "$LOG" >&2; fail "the sentence came $n times"; }
    ;;
restart)
    pw_start
    sc_bg --input "$IMAGE" --headless --frames 100000 --style "$STYLE" --vcam pipewire
    pw_wait_node stylecam
    gst_read stylecam YUY2 5 "$TMP/before.raw"
    pw_stop KILL
    wait_for_line "$LOG" "PipeWire stopped"
    n=$(grep -c "PipeWire stopped" "$LOG")
    [ "$n" = 1 ] || { cat "$LOG" >&2; fail "the loss was said $n times"; }
    sleep 1   # the run goes on without the daemon, retrying meanwhile
    kill -0 "$PID" || { cat "$LOG" >&2; fail "stylecam ended with the daemon"; }
    pw_start
    pw_wait_node stylecam
    gst_read stylecam YUY2 5 "$TMP/after.raw"
    kill -TERM "$PID"; wait_exit "$PID"
    expect_rc 0
    no_sanitizer_reports "$LOG"
    n=$(grep -c "PipeWire stopped" "$LOG")
    [ "$n" = 1 ] || { cat "$LOG" >&2; fail "the loss was said $n times"; }
    grep -e "PipeWire" -e "virtual camera" "$LOG"
    ;;
memory)
    pw_start
    limit=4096
    if ldd "$STYLECAM_BIN" | grep -q libasan; then
        export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8:thread_local_quarantine_size_kb=64"
        limit=32768
    fi
    # The network at 32x24 (scaled up): 160x120 frames to the node, without
    # 2000 runs of it at full size on a CPU.
    sc_bg --input test --headless --frames 2000 --style "$STYLE" --size 160x120 \
        --infer-size 32x24 --fps 240 --vcam pipewire
    pw_wait_node stylecam
    # A consumer reads all along (the node streams, buffers go round).
    gst-launch-1.0 -q pipewiresrc target-object=stylecam ! video/x-raw,format=YUY2 \
        ! fakesink >"$TMP/gst.log" 2>&1 &
    GST=$!
    disown "$GST"
    at_exit "kill -9 $GST 2>/dev/null"
    pw_wait_link stylecam
    wait_exit "$PID"
    expect_rc 0
    no_sanitizer_reports "$LOG"
    [ "$(summary_frames)" = 2000 ] || { cat "$LOG" >&2; fail "expected 2000 frames"; }
    read -r warm end < <(sed -n 's/^stylecam: memory: \([0-9]*\) KiB .* \([0-9]*\) KiB at the end/\1 \2/p' "$LOG")
    [ -n "${warm:-}" ] || { cat "$LOG" >&2; fail "no memory report"; }
    [ $((end - warm)) -lt "$limit" ] || fail "memory grew from $warm to $end KiB"
    echo "memory: $warm KiB after warm-up, $end KiB after 2000 frames to the PipeWire node"
    ;;
*)
    fail "unknown case $1"
    ;;
esac
[ -f "$DEMO_LOG" ] && no_sanitizer_reports "$DEMO_LOG"
pass "vcam-pw-$1"

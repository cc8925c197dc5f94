#!/bin/bash
# Makes the README's stabilization strip (assets/stabilize.jpg): a photo
# from ../shared with a camera's noise, stylized in batch mode with
# --stabilize off and on; for each, three consecutive frames and the
# change between the last two (amplified 4x: flicker shows as bright dots).
#
# usage: bench/stabilize_strip.sh [STYLE] [OUT.jpg]   (run from the source root
# after building; STYLECAM_BIN, STYLECAM_SHARED override the defaults)
set -euo pipefail
style=${1:-udnie}
out=${2:-assets/stabilize.jpg}
bin=${STYLECAM_BIN:-build/stylecam}
shared=${STYLECAM_SHARED:-../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Twelve frames of 320x240: the cat photo, fresh noise in every frame.
ffmpeg -nostdin -loglevel error -loop 1 -i "$shared/images/chelsea.png" -frames:v 12 \
    -vf "scale=400:-2,crop=320:240:40:20,noise=alls=8:allf=t,format=yuv444p" \
    -c:v ffv1 -r 10 "$tmp/in.mkv"
for mode in off on; do
    "$bin" --input "$tmp/in.mkv" --headless --models "$shared/models" --style "$style" \
        --record "$tmp/$mode.mkv" --record-quality lossless --stabilize "$mode" 2>/dev/null
    ffmpeg -nostdin -loglevel error -i "$tmp/$mode.mkv" -vf "select='between(n\,8\,10)'" \
        -vsync 0 "$tmp/$mode-%d.png"
    convert "$tmp/$mode-3.png" "$tmp/$mode-2.png" -compose difference -composite \
        -evaluate multiply 4 "$tmp/$mode-diff.png"
done
montage -label 'off, frame 9' "$tmp/off-1.png" -label 'off, frame 10' "$tmp/off-2.png" \
    -label 'off, frame 11' "$tmp/off-3.png" -label 'off: change 10 to 11, x4' "$tmp/off-diff.png" \
    -label 'on, frame 9' "$tmp/on-1.png" -label 'on, frame 10' "$tmp/on-2.png" \
    -label 'on, frame 11' "$tmp/on-3.png" -label 'on: change 10 to 11, x4' "$tmp/on-diff.png" \
    -tile 4x2 -geometry 240x180+3+3 -font DejaVu-Sans -pointsize 12 -quality 88 "$out"
echo "wrote $out"

#!/bin/bash
# Makes the README's "Any picture as a style" strip (assets/arbitrary.jpg):
# photos from ../shared, each stylized with `stylecam stylize --style-image`
# after two other photos used as style pictures. Top row: the style
# pictures (and the content photo); below: the results.
#
# usage: bench/arbitrary_strip.sh [OUT.jpg]   (run from the source root after
# building; STYLECAM_BIN, STYLECAM_SHARED override the defaults). The
# arbitrary networks are installed from ../shared/models-arbitrary into a
# temporary folder with `stylecam download --from`.
set -euo pipefail
out=${1:-assets/arbitrary.jpg}
bin=${STYLECAM_BIN:-build/stylecam}
shared=${STYLECAM_SHARED:-../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" download --from "$shared/models-arbitrary" --dest "$tmp/models" arbitrary >/dev/null
# The content: the cat at 384x384 (centre crop); the styles: two photos
# that look nothing like it.
convert "$shared/images/chelsea.png" -resize 384x384^ -gravity center -extent 384x384 \
    "$tmp/content.png"
convert "$shared/images/coffee.png" -resize 256x256^ -gravity center -extent 256x256 \
    "$tmp/coffee.png"
convert "$shared/images/hubble_deep_field.jpg" -resize 256x256^ -gravity center \
    -extent 256x256 "$tmp/hubble.png"
for s in coffee hubble; do
    "$bin" stylize --models "$tmp/models" --style-image "$tmp/$s.png" "$tmp/content.png" \
        "$tmp/out-$s.png"
done
montage -label 'content (chelsea.png)' "$tmp/content.png" \
    -label 'style picture: coffee.png' "$tmp/coffee.png" \
    -label 'style picture: hubble_deep_field.jpg' "$tmp/hubble.png" \
    -label 'the content as it is' "$tmp/content.png" \
    -label 'stylize --style-image coffee.png' "$tmp/out-coffee.png" \
    -label 'stylize --style-image hubble_deep_field.jpg' "$tmp/out-hubble.png" \
    -tile 3x2 -geometry 256x256+3+3 -font DejaVu-Sans -pointsize 12 -quality 88 "$out"
echo "wrote $out"

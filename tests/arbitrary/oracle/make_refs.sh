#!/bin/bash
# Makes tests/arbitrary/refs: references for arbitrary style transfer from
# TensorFlow Lite's own runtime (see tflite_ref.js and ../refs/README.md).
#
#   tests/arbitrary/oracle/make_refs.sh [CACHE_DIR [OUT_DIR]]
#
# CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/stylecam-tflite-oracle) gets
# the npm packages; OUT_DIR defaults to tests/arbitrary/refs. Needs node, npm
# (registry access the first time), Python 3 with OpenCV, and ../shared
# ($STYLECAM_SHARED, default: the folder "shared" next to the source tree).
#
# 1. checks that the oracle reproduces ../shared/golden-arbitrary bit for bit;
#    and that prep.py makes its input pictures pixel for pixel;
# 2. style pictures: each image centre-cropped to a square, INTER_AREA to
#    256x256 → style_<name>_256.png; the predictor → style_vector_<name>.txt
#    (100 values as text; coffee: the golden files themselves);
# 3. content pictures: chelsea centre-cropped to the aspect ratio, INTER_AREA
#    to W×H → chelsea_<W>x<H>.png (384x384: golden's chelsea_384.png); the
#    transformer (patched in memory for sizes other than 384x384) →
#    chelsea_<W>x<H>.<style>.png (round(float32(x*255))).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
shared=${STYLECAM_SHARED:-$src/../shared}
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/stylecam-tflite-oracle}
out=${2:-$src/tests/arbitrary/refs}
models=$shared/models-arbitrary
images=$shared/images
golden=$shared/golden-arbitrary
predictor=$models/style_predict_quantized_256.tflite
transformer=$models/style_transfer_f16_384.tflite

py=
for p in "${PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$p" ] && "$p" -c 'import cv2' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || { echo "make_refs.sh: no Python 3 with OpenCV" >&2; exit 1; }

"$here/install.sh" "$cache"
export ORACLE_NODE_MODULES=$cache/node_modules
oracle() { node "$here/tflite_ref.js" "$@"; }
prep() { "$py" "$here/prep.py" "$@" 2> >(grep -v 'iCCP: known incorrect sRGB profile' >&2); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The golden files, bit for bit.
oracle predict "$predictor" "$golden/style_coffee_256.png" "$tmp/v.f32"
cmp "$tmp/v.f32" "$golden/style_vector_coffee.f32"
oracle transfer "$transformer" "$golden/chelsea_384.png" "$golden/style_vector_coffee.f32" \
  "$tmp/c.f32" "$tmp/c.png"
cmp "$tmp/c.f32" "$golden/chelsea_384.coffee.f32"
"$py" -c 'import sys, cv2, numpy as np; sys.exit(not np.array_equal(cv2.imread(sys.argv[1]), cv2.imread(sys.argv[2])))' \
  "$tmp/c.png" "$golden/chelsea_384.coffee.png" || { echo "the 8-bit PNG differs from golden" >&2; exit 1; }
echo "golden-arbitrary reproduced bit for bit"

# prep.py makes the golden inputs pixel for pixel, so coffee (style) and
# chelsea at 384x384 (content) are taken from there, not copied here.
prep "$images/coffee.png" 256x256 "$tmp/s.png"
prep "$images/chelsea.png" 384x384 "$tmp/c.png"
"$py" - "$tmp" "$golden" <<'PY'
import sys, cv2, numpy as np
t, g = sys.argv[1:3]
for a, b in (('s.png', 'style_coffee_256.png'), ('c.png', 'chelsea_384.png')):
    if not np.array_equal(cv2.imread(t + '/' + a), cv2.imread(g + '/' + b)):
        sys.exit('prep.py does not make golden-arbitrary/' + b)
PY

rm -rf "$out"/*.png "$out"/*.txt "$out"/SHA256SUMS
mkdir -p "$out"
# 2. Style vectors.
declare -A style_src=([astronaut]=astronaut.png [hubble]=hubble_deep_field.jpg [rocket]=rocket.jpg
  [chelsea]=chelsea.png)
vector() { if [ "$1" = coffee ]; then echo "$golden/style_vector_coffee.f32"; else echo "$tmp/style_vector_$1.f32"; fi; }
for s in astronaut hubble rocket chelsea; do
  prep "$images/${style_src[$s]}" 256x256 "$out/style_${s}_256.png"
  oracle predict "$predictor" "$out/style_${s}_256.png" "$tmp/style_vector_${s}.f32"
  # As text, one value a line ("%.9g" reads back to the same float32).
  python3 -c 'import struct, sys; d = open(sys.argv[1], "rb").read(); sys.stdout.write("".join("%.9g\n" % x for x in struct.unpack("<%df" % (len(d) // 4), d)))' \
    "$tmp/style_vector_${s}.f32" > "$out/style_vector_${s}.txt"
done

# 3. Stylized content: size → styles.
declare -A styles=([384x384]="astronaut hubble" [320x240]="coffee rocket" [640x480]="astronaut")
for size in 384x384 320x240 640x480; do
  if [ $size = 384x384 ]; then
    content=$golden/chelsea_384.png
  else
    content=$out/chelsea_$size.png
    prep "$images/chelsea.png" "$size" "$content"
  fi
  for s in ${styles[$size]}; do
    oracle transfer "$transformer" "$content" "$(vector $s)" "$tmp/o.f32" "$out/chelsea_$size.$s.png"
  done
done
(cd "$out" && sha256sum -- *.png *.txt > SHA256SUMS)
echo "references in $out:"
ls -l "$out"

#!/bin/bash
# The arbitrary-oracle test: TensorFlow Lite's WebAssembly runtime (npm
# @tensorflow/tfjs-tflite, pinned by package-lock.json) reproduces
# ../shared/golden-arbitrary bit for bit, through tflite_ref.js: the int8
# predictor's style vector and the transformer's float output and 8-bit PNG.
#   test_oracle.sh INSTALL_DIR   (outside the source tree: the build dir)
# Exit 77 (skip) only when node/npm are missing or the npm registry is
# unreachable.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: test_oracle.sh INSTALL_DIR}
shared=${STYLECAM_SHARED:-$here/../../../../shared}
golden=$shared/golden-arbitrary
models=$shared/models-arbitrary

"$here/install.sh" "$dir"
rc=$?
[ $rc -eq 0 ] || exit $rc
export ORACLE_NODE_MODULES=$dir/node_modules
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

node "$here/tflite_ref.js" predict "$models/style_predict_quantized_256.tflite" \
  "$golden/style_coffee_256.png" "$tmp/v.f32" || exit 1
if cmp -s "$tmp/v.f32" "$golden/style_vector_coffee.f32"; then
  echo "ok: style_vector_coffee.f32 bit for bit"
else
  echo "FAIL: style vector differs from golden"; fail=1
fi

node "$here/tflite_ref.js" transfer "$models/style_transfer_f16_384.tflite" \
  "$golden/chelsea_384.png" "$golden/style_vector_coffee.f32" "$tmp/c.f32" "$tmp/c.png" || exit 1
if cmp -s "$tmp/c.f32" "$golden/chelsea_384.coffee.f32"; then
  echo "ok: chelsea_384.coffee.f32 bit for bit"
else
  echo "FAIL: transformer output differs from golden"; fail=1
fi

# The 8-bit PNG, pixel for pixel (the encoders differ, so not byte for byte),
# decoded with the same pngjs.
node - "$tmp/c.png" "$golden/chelsea_384.coffee.png" <<'JS' || fail=1
const { PNG } = require(process.env.ORACLE_NODE_MODULES + '/pngjs');
const fs = require('fs');
const [a, b] = process.argv.slice(2).map((f) => PNG.sync.read(fs.readFileSync(f)));
if (a.width !== b.width || a.height !== b.height || Buffer.compare(a.data, b.data) !== 0) {
  console.log('FAIL: chelsea_384.coffee.png differs from golden');
  process.exit(1);
}
console.log('ok: chelsea_384.coffee.png pixel for pixel');
JS
exit $fail

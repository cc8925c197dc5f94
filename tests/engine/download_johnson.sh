#!/usr/bin/env bash
# models/download.sh johnson: Johnson's ONNX networks from a local mirror
# (../shared), verified and imported; a corrupted copy is refused.
set -u
: "${STYLECAM_SRC:?}" "${STYLECAM_SHARED:?}" "${STYLECAM_BIN:?}"
src=$STYLECAM_SHARED/models-onnx/johnson
[ -f "$src/candy.onnx" ] || { echo "SKIP: no $src"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sc-johnson.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export STYLECAM_BIN
fail() { echo "FAIL: $*"; exit 1; }

out=$("$STYLECAM_SRC/models/download.sh" --dest "$tmp/m" --from "$src" johnson 2>&1) ||
	fail "download: $out"
echo "$out" | grep -q "free for personal or research use" || fail "no licence note: $out"
for s in johnson_candy johnson_la_muse johnson_mosaic johnson_udnie; do
	[ -f "$tmp/m/$s/manifest.json" ] || fail "$s not installed"
done
[ -z "$(ls -A "$tmp/m" | grep '^\.')" ] || fail "temporary folders left: $(ls -A "$tmp/m")"
"$STYLECAM_BIN" --models "$tmp/m" --list-styles | grep -q johnson_mosaic || fail "not listed"

mkdir -p "$tmp/bad"
head -c 100000 "$src/candy.onnx" >"$tmp/bad/candy.onnx"
out=$("$STYLECAM_SRC/models/download.sh" --dest "$tmp/m2" --from "$tmp/bad" johnson_candy 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "corrupt copy: exit $rc: $out"
echo "$out" | grep -q "failed verification" || fail "no verification error: $out"
[ ! -e "$tmp/m2/johnson_candy" ] || fail "a corrupt style was installed"
echo ok

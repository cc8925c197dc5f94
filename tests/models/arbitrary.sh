#!/usr/bin/env bash
# `stylecam download arbitrary`: the two TFLite networks of arbitrary style
# transfer, copied from a local folder (as ../shared/models-arbitrary holds
# them) or fetched over HTTP, verified against their pins and converted into
# DEST/arbitrary/{predict,transfer}; damaged files install nothing.
. "$(dirname "$0")/lib.sh"
ARB=$STYLECAM_SHARED/models-arbitrary
P=style_predict_quantized_256.tflite T=style_transfer_f16_384.tflite
[ -f "$ARB/$P" ] && [ -f "$ARB/$T" ] || skip "$ARB lacks the arbitrary-style networks"
D=$SCRATCH/dest

converted() {
	local f
	for f in predict/manifest.json predict/weights.bin transfer/manifest.json \
		transfer/weights.bin; do
		[ -s "$D/arbitrary/$f" ] || fail "$D/arbitrary/$f was not written"
	done
	no_leftovers "$D"
	[ ! -e "$D/.partial" ] || fail "$D/.partial was left behind"
}

run_dl "$SCRATCH/a" --from "$ARB" --dest "$D" arbitrary
[ "$RC" -eq 0 ] || fail "download arbitrary exited $RC"
grep -q "arbitrary: copying $P from /" "$SCRATCH/a.out" || fail "no copy line for $P"
grep -q "arbitrary: verified, converted into $D/arbitrary" "$SCRATCH/a.out" ||
	fail "no converted line"
grep -q "Apache License 2.0" "$SCRATCH/a.out" || fail "the licence was not shown first"
converted
holds "$D" "arbitrary"
pass "both networks copied, verified and converted"

# Listed as installed; asked again, nothing is fetched.
"$STYLECAM_BIN" download --list --dest "$D" >"$SCRATCH/list.out" || fail "--list failed"
grep -Eq '^  arbitrary +3\.2 MB  installed$' "$SCRATCH/list.out" || fail "not listed as installed"
run_dl "$SCRATCH/b" --from "$ARB" --dest "$D" arbitrary
[ "$RC" -eq 0 ] || fail "second run exited $RC"
grep -q "already present (converted earlier), skipped" "$SCRATCH/b.out" || fail "not skipped"
pass "listed as installed, and skipped when present"

# A truncated transformer fails its SHA-256: the installed copy stays as it was.
sum_before=$(cat "$D"/arbitrary/*/* | sha256sum)
mkdir -p "$SCRATCH/bad"
cp "$ARB/$P" "$SCRATCH/bad/"
head -c 200000 "$ARB/$T" >"$SCRATCH/bad/$T"
run_dl "$SCRATCH/c" --from "$SCRATCH/bad" --dest "$D" arbitrary
[ "$RC" -eq 0 ] || fail "present copy: exit $RC"   # skipped: already converted
rm -rf "$D/arbitrary"
run_dl "$SCRATCH/c" --from "$SCRATCH/bad" --dest "$D" arbitrary
refused "$SCRATCH/c" "$D" "" \
	"Style 'arbitrary' failed verification ($T hashes to [0-9a-f]\{64\}, the pin is c60cff73" \
	"truncated transformer"
pass "a truncated network is refused by its pin and installs nothing"

# Over HTTP from a loopback mirror, through models/download.sh's wrapper too.
M=$SCRATCH/mirror
mkdir -p "$M" && cp "$ARB/$P" "$ARB/$T" "$M/"
serve "$M"
run_dl "$SCRATCH/h" --dest "$D" arbitrary
[ "$RC" -eq 0 ] || fail "HTTP download exited $RC"
grep -q "GET /$T " "$LOG" || fail "$T was not fetched over HTTP"
converted
sum_after=$(cat "$D"/arbitrary/*/* | sha256sum)
[ "$sum_before" = "$sum_after" ] || fail "the conversion is not reproducible"
pass "fetched over HTTP, converted to the same bytes"

unset STYLECAM_MODELS_URL
rm -rf "$D"
STYLECAM_BIN=$STYLECAM_BIN "$DL" --from "$ARB" --dest "$D" arbitrary >"$SCRATCH/w.out" 2>&1 ||
	fail "models/download.sh --from DIR --dest DEST arbitrary failed: $(cat "$SCRATCH/w.out")"
converted
pass "models/download.sh --from DIR --dest DEST arbitrary"

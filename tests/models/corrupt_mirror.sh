#!/usr/bin/env bash
# A mirror with one flipped byte fails that style, installs nothing partial,
# and still installs the good style requested with it; a missing file and a
# bad LICENSE are named.
. "$(dirname "$0")/lib.sh"
M=$SCRATCH/mirror D=$SCRATCH/dest
mirror_of "$M" la_muse udnie wave
# Flip the low bit of one byte in a weight file.
V=$M/la_muse/Variable_12
b=$(od -An -tu1 -j 1000 -N 1 "$V" | tr -d ' ')
[ -n "$b" ] || fail "$V is shorter than the test expects"
# shellcheck disable=SC2059 # the format is the escaped byte
printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$V" bs=1 seek=1000 conv=notrunc status=none
[ "$(cmp -l "$V" "$MIRROR/la_muse/Variable_12" | wc -l)" -eq 1 ] || fail "test did not flip exactly one byte"

run_dl "$SCRATCH/a" --from "$M" --dest "$D" la_muse udnie
refused "$SCRATCH/a" "$D" "LICENSE udnie" \
	"Style 'la_muse' failed verification (its files hash to [0-9a-f]\{64\}, the pin is 9977f82e.*not installed.*run stylecam download la_muse again" \
	"corrupt mirror"
same_style "$D" udnie
grep -q 'Done: 1 installed, 0 already present, 1 failed (la_muse)' "$SCRATCH/a.out" || fail "summary wrong"
pass "corrupted style rejected, good style installed"

# A file missing from the mirror is named.
rm "$M/wave/Variable_30"
run_dl "$SCRATCH/b" --from "$M" --dest "$D" wave
refused "$SCRATCH/b" "$D" "LICENSE udnie" "Style 'wave' was not installed: the mirror lacks $M/wave/Variable_30" \
	"incomplete mirror"
pass "incomplete mirror names the missing file"

# A corrupted LICENSE is not installed either.
rm -f "$D/LICENSE"
echo "changed" >>"$M/LICENSE"
run_dl "$SCRATCH/c" --from "$M" --dest "$D" udnie
refused "$SCRATCH/c" "$D" "udnie" 'LICENSE does not match its pin' "bad LICENSE"
pass "corrupted LICENSE rejected"

# A truncated ONNX file fails its SHA-256, naming the file.
if [ -f "$ONNX/candy.onnx" ]; then
	mkdir -p "$SCRATCH/bad"
	head -c 100000 "$ONNX/candy.onnx" >"$SCRATCH/bad/candy.onnx"
	run_dl "$SCRATCH/j" --from "$SCRATCH/bad" --dest "$D" johnson_candy
	refused "$SCRATCH/j" "$D" "udnie" \
		"Style 'johnson_candy' failed verification (candy.onnx hashes to [0-9a-f]\{64\}, the pin is 4cc994e5" \
		"truncated ONNX"
	pass "truncated ONNX file rejected"
fi

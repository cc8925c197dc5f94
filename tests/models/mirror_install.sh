#!/usr/bin/env bash
# --from the shared mirror installs all nine styles byte for byte, then skips
# them, repairs a damaged one; the default destination is $XDG_DATA_HOME's,
# and --list marks what is installed.
. "$(dirname "$0")/lib.sh"
D=$SCRATCH/dest

run_dl "$SCRATCH/a" --from "$MIRROR" --dest "$D"
[ "$RC" -eq 0 ] || fail "install from mirror exited $RC"
for s in $STYLES; do
	same_style "$D" "$s"
	grep -q "$s: verified, installed" "$SCRATCH/a.out" || fail "no progress line for $s"
done
cmp -s "$MIRROR/LICENSE" "$D/LICENSE" || fail "LICENSE not installed"
grep -q "MIT licence" "$SCRATCH/a.out" || fail "the ml5 licence was not shown"
no_leftovers "$D"
holds "$D" "LICENSE $STYLES"
pass "nine styles installed and identical to the mirror"

# Idempotent: a second run verifies and skips everything, touching nothing.
before=$(find "$D" -type f -printf '%p %T@ %i\n' | sort)
run_dl "$SCRATCH/b" --from "$MIRROR" --dest "$D"
[ "$RC" -eq 0 ] || fail "second run exited $RC"
n=$(grep -c 'already present and verified, skipped' "$SCRATCH/b.out")
[ "$n" -eq 9 ] || fail "second run skipped $n styles, expected 9"
after=$(find "$D" -type f -printf '%p %T@ %i\n' | sort)
[ "$before" = "$after" ] || fail "second run changed installed files"
pass "second run skips all nine"

# A damaged installed style is fetched again and swapped in whole.
printf 'x' | dd of="$D/udnie/Variable_12" bs=1 seek=100 conv=notrunc status=none
rm "$D/udnie/Variable_47"
run_dl "$SCRATCH/c" --from "$MIRROR" --dest "$D" udnie
[ "$RC" -eq 0 ] || fail "repair run exited $RC"
grep -q 'udnie.*incomplete or changed' "$SCRATCH/c.out" || fail "repair not reported"
same_style "$D" udnie
no_leftovers "$D"
pass "damaged style repaired"

# --list marks the installed ones.
run_dl "$SCRATCH/l" --list --dest "$D"
[ "$RC" -eq 0 ] || fail "--list exited $RC"
grep -Eq '^  wave +6\.7 MB  installed$' "$SCRATCH/l.out" || fail "--list does not mark wave installed"
grep -Eq '^  johnson_candy +1\.7 MB  -$' "$SCRATCH/l.out" || fail "--list does not list johnson_candy as absent"
grep -q 'free for personal or research use' "$SCRATCH/l.out" || fail "--list does not give Johnson's licence"
pass "--list marks installed styles"

# Without --dest: $XDG_DATA_HOME/stylecam/models, whatever the working directory.
mkdir -p "$SCRATCH/elsewhere"
(cd "$SCRATCH/elsewhere" && run_dl "$SCRATCH/d" --from "$MIRROR" matta && exit "$RC")
RC=$?
[ "$RC" -eq 0 ] || fail "default destination run exited $RC"
same_style "$XDG_DATA_HOME/stylecam/models" matta
[ -z "$(ls -A "$SCRATCH/elsewhere")" ] || fail "files written to the working directory"
"$STYLECAM_BIN" --list-styles | grep -q "matta .*$XDG_DATA_HOME/stylecam/models/matta" ||
	fail "the installed style is not on the search path"
pass "default destination is \$XDG_DATA_HOME/stylecam/models, on the search path"

# Johnson's networks from a local copy: licence said, verified, imported.
if [ -f "$ONNX/mosaic.onnx" ]; then
	run_dl "$SCRATCH/j" --from "$ONNX" --dest "$D" johnson_mosaic
	[ "$RC" -eq 0 ] || fail "johnson_mosaic exited $RC"
	grep -q "free for personal or research use" "$SCRATCH/j.out" || fail "no licence note"
	[ -f "$D/johnson_mosaic/manifest.json" ] || fail "johnson_mosaic not imported"
	no_leftovers "$D"
	pass "johnson_mosaic imported from a local copy"
fi

#!/usr/bin/env bash
# --from the shared mirror installs all nine styles byte for byte, then skips them,
# and repairs a damaged one.
. "$(dirname "$0")/lib.sh"
D=$SCRATCH/dest

run_dl "$SCRATCH/a" --from "$MIRROR" --dest "$D"
[ "$RC" -eq 0 ] || fail "install from mirror exited $RC"
for s in $STYLES; do
	same_style "$D" "$s"
	grep -q "$s: verified, installed" "$SCRATCH/a.out" || fail "no progress line for $s"
done
cmp -s "$MIRROR/LICENSE" "$D/LICENSE" || fail "LICENSE not installed"
no_leftovers "$D"
n=$(find "$D" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$n" -eq 9 ] || fail "expected 9 style folders, found $n"
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

# A damaged installed style is fetched again and replaced.
printf 'x' | dd of="$D/udnie/Variable_12" bs=1 seek=100 conv=notrunc status=none
rm "$D/udnie/Variable_47"
run_dl "$SCRATCH/c" --from "$MIRROR" --dest "$D" udnie
[ "$RC" -eq 0 ] || fail "repair run exited $RC"
grep -q 'udnie.*incomplete or changed' "$SCRATCH/c.out" || fail "repair not reported"
same_style "$D" udnie
no_leftovers "$D"
pass "damaged style repaired"

# Without --dest the styles go to the models folder holding the script
# (the repository's ./models), whatever the working directory.
R=$SCRATCH/repo
mkdir -p "$R/models" "$SCRATCH/elsewhere"
cp "$DL" "$STYLECAM_SRC/models/pins.txt" "$R/models/"
(cd "$SCRATCH/elsewhere" && DL=$R/models/download.sh && run_dl "$SCRATCH/d" --from "$MIRROR" matta && exit "$RC")
RC=$?
[ "$RC" -eq 0 ] || fail "default destination run exited $RC"
same_style "$R/models" matta
[ -z "$(ls -A "$SCRATCH/elsewhere")" ] || fail "files written to the working directory"
pass "default destination is the script's models folder"

#!/usr/bin/env bash
# models/download.sh is a thin wrapper: it runs `stylecam download` with the
# models folder holding it as the default destination.
. "$(dirname "$0")/lib.sh"
[ -x "$DL" ] || fail "$DL is missing or not executable"
R=$SCRATCH/repo
mkdir -p "$R/models" "$SCRATCH/elsewhere"
cp "$DL" "$R/models/"
(cd "$SCRATCH/elsewhere" && "$R/models/download.sh" --from "$MIRROR" matta >"$SCRATCH/a.out" 2>&1)
RC=$?
sed 's/^/  | /' "$SCRATCH/a.out"
[ "$RC" -eq 0 ] || fail "wrapper exited $RC"
same_style "$R/models" matta
[ -z "$(ls -A "$SCRATCH/elsewhere")" ] || fail "files written to the working directory"
pass "default destination is the script's models folder"

"$R/models/download.sh" --from "$MIRROR" --dest "$SCRATCH/d" nope >"$SCRATCH/b.out" 2>&1
RC=$?
[ "$RC" -eq 2 ] || fail "bad style through the wrapper: exit $RC, expected 2"
"$R/models/download.sh" --from "$MIRROR" --dest "$SCRATCH/d" wave >"$SCRATCH/c.out" 2>&1 ||
	fail "--dest through the wrapper failed"
same_style "$SCRATCH/d" wave
[ ! -e "$R/models/wave" ] || fail "--dest did not win over the wrapper's default"
pass "exit status and --dest pass through"

STYLECAM_BIN=$SCRATCH/none "$R/models/download.sh" >/dev/null 2>"$SCRATCH/e.err"
RC=$?
[ "$RC" -ne 0 ] || fail "a missing program did not fail"

#!/usr/bin/env bash
# Unknown styles and options fail clearly before anything is written.
. "$(dirname "$0")/lib.sh"
D=$SCRATCH/dest

run_dl "$SCRATCH/a" --from "$MIRROR" --dest "$D" la_muse no_such_style
[ "$RC" -eq 2 ] || fail "unknown style: exit $RC, expected 2"
grep -q "Unknown style 'no_such_style'; the styles are: $STYLES" "$SCRATCH/a.err" || fail "unknown style message"
[ ! -e "$D" ] || fail "something was written for a bad command line"
pass "unknown style rejected"

run_dl "$SCRATCH/b" --bogus
[ "$RC" -eq 2 ] || fail "unknown option: exit $RC, expected 2"
grep -q "Unknown option '--bogus'" "$SCRATCH/b.err" || fail "unknown option message"
pass "unknown option rejected"

run_dl "$SCRATCH/c" --from "$SCRATCH/nowhere" --dest "$D"
[ "$RC" -eq 2 ] || fail "missing mirror: exit $RC, expected 2"
grep -q "The mirror folder '$SCRATCH/nowhere' given with --from does not exist" "$SCRATCH/c.err" || fail "missing mirror message"
pass "missing mirror rejected"

run_dl "$SCRATCH/d" --dest
[ "$RC" -eq 2 ] || fail "--dest without a folder: exit $RC, expected 2"
pass "--dest without a folder rejected"

run_dl "$SCRATCH/e" --help
[ "$RC" -eq 0 ] || fail "--help: exit $RC"
grep -q 'STYLECAM_MODELS_URL' "$SCRATCH/e.out" || fail "--help does not document STYLECAM_MODELS_URL"
pass "--help"

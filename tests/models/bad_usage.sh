#!/usr/bin/env bash
# Unknown styles and options fail clearly (exit 2) before anything is written.
. "$(dirname "$0")/lib.sh"
D=$SCRATCH/dest

run_dl "$SCRATCH/a" --from "$MIRROR" --dest "$D" la_muse no_such_style
[ "$RC" -eq 2 ] || fail "unknown style: exit $RC, expected 2"
grep -q "Unknown style 'no_such_style'; the styles are: $STYLES (give none to get them all), and on request johnson or johnson_candy johnson_la_muse johnson_mosaic johnson_udnie" "$SCRATCH/a.err" || fail "unknown style message"
[ ! -e "$D" ] || fail "something was written for a bad command line"
pass "unknown style rejected with the list"

run_dl "$SCRATCH/b" --bogus
[ "$RC" -eq 2 ] || fail "unknown option: exit $RC, expected 2"
grep -q "Unknown option '--bogus'" "$SCRATCH/b.err" || fail "unknown option message"
pass "unknown option rejected"

run_dl "$SCRATCH/c" --from "$SCRATCH/nowhere" --dest "$D"
[ "$RC" -eq 2 ] || fail "missing mirror: exit $RC, expected 2"
grep -q "The mirror folder '$SCRATCH/nowhere' given with --from does not exist" "$SCRATCH/c.err" || fail "missing mirror message"
[ ! -e "$D" ] || fail "something was written for a missing mirror"
pass "missing mirror rejected"

run_dl "$SCRATCH/d" --dest
[ "$RC" -eq 2 ] || fail "--dest without a folder: exit $RC, expected 2"
pass "--dest without a folder rejected"

run_dl "$SCRATCH/e" --help
[ "$RC" -eq 0 ] || fail "--help: exit $RC"
grep -q 'STYLECAM_MODELS_URL' "$SCRATCH/e.out" || fail "--help does not document STYLECAM_MODELS_URL"
pass "--help"

STYLECAM_DOWNLOAD_TIMEOUT=soon run_dl "$SCRATCH/f" --from "$MIRROR" --dest "$D" wave
[ "$RC" -eq 2 ] || fail "bad timeout: exit $RC, expected 2"
grep -q "STYLECAM_DOWNLOAD_TIMEOUT='soon' must be a whole number" "$SCRATCH/f.err" || fail "bad timeout message"
pass "a bad STYLECAM_DOWNLOAD_TIMEOUT rejected"

mkdir -p "$SCRATCH/ro"
chmod 555 "$SCRATCH/ro"
if [ "$(id -u)" -ne 0 ]; then
	run_dl "$SCRATCH/g" --from "$MIRROR" --dest "$SCRATCH/ro/d" wave
	[ "$RC" -eq 2 ] || fail "unwritable dest: exit $RC, expected 2"
	grep -q "Cannot write to the destination folder" "$SCRATCH/g.err" || fail "unwritable dest message"
	pass "unwritable destination rejected"
fi

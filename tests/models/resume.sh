#!/usr/bin/env bash
# Resuming: a download cut mid-file (the server closes the connection the
# first time) or interrupted (SIGINT while a slow server sends) keeps the
# part in DEST/.partial; the next run asks for the rest with a Range request
# and installs the verified style.
. "$(dirname "$0")/lib.sh"
M=$SCRATCH/mirror
mirror_of "$M" udnie wave
D=$SCRATCH/dest

serve "$M" --cut udnie/Variable_12:300000:once
run_dl "$SCRATCH/a" --dest "$D" udnie
[ "$RC" -eq 1 ] || fail "first run: exit $RC, expected 1"
only_partial "$D"
holds "$D" "LICENSE"
[ "$(stat -c %s "$D/.partial/udnie/Variable_12.part")" -eq 300000 ] || fail "the part is not 300000 bytes"
run_dl "$SCRATCH/b" --dest "$D" udnie
[ "$RC" -eq 0 ] || fail "second run: exit $RC"
grep -q "GET /udnie/Variable_12 range=bytes=300000- -> 206" "$LOG" || fail "no Range request in the server log"
[ "$(grep -c 'GET /udnie/Variable_11 ' "$LOG")" -eq 1 ] || fail "a complete file was fetched again"
same_style "$D" udnie
no_leftovers "$D"
pass "cut download resumed with a Range request on the next run"

# Within one run: a retry resumes.
rm -rf "$D/udnie"
serve "$M" --cut udnie/Variable_18:100000:once
STYLECAM_DOWNLOAD_RETRIES=1 run_dl "$SCRATCH/c" --dest "$D" udnie
[ "$RC" -eq 0 ] || fail "retry run: exit $RC"
grep -q "GET /udnie/Variable_18 range=bytes=100000- -> 206" "$LOG" || fail "the retry did not resume"
same_style "$D" udnie
no_leftovers "$D"
pass "a retry resumes within the run"

# Interrupted (SIGINT) while a slow server sends.
serve "$M" --rate 400000
"$STYLECAM_BIN" download --dest "$D" wave >"$SCRATCH/i.out" 2>"$SCRATCH/i.err" &
pid=$!
# A part 20 kB in of a file at least 500 kB long: over a second left at
# this rate, so the SIGINT lands while it is still a part, even when a
# loaded machine is slow to send the signal (a small file could finish
# first and leave no part at all).
big_part() {
	for p in $(find "$D/.partial/wave" -name '*.part' -size +20k 2>/dev/null); do
		f=${p##*/}
		[ "$(stat -c %s "$MIRROR/wave/${f%.part}")" -ge 500000 ] && return 0
	done
	return 1
}
WAIT_PID=$pid wait_for "$PATIENCE" "a part of a large file of wave" big_part
kill -INT "$pid"
wait_exit "$pid"
sed 's/^/  | /' "$SCRATCH/i.out" "$SCRATCH/i.err"
[ "$RC" -eq 130 ] || fail "interrupted run: exit $RC, expected 130"
grep -q "The download was interrupted before 'wave' was complete; run stylecam download again to resume it." "$SCRATCH/i.err" ||
	fail "no interruption sentence"
holds "$D" "LICENSE udnie"
only_partial "$D"
part=$(find "$D/.partial/wave" -name '*.part' | head -n 1)
[ -n "$part" ] || fail "no part kept"
f=${part##*/}
f=${f%.part}
size=$(stat -c %s "$part")
serve "$M"
run_dl "$SCRATCH/r" --dest "$D" wave
[ "$RC" -eq 0 ] || fail "resumed run: exit $RC"
# A part cut after its last byte (SIGINT before the transfer ended) gets a 416.
code=206
[ "$size" -lt "$(stat -c %s "$MIRROR/wave/$f")" ] || code=416
grep -q "GET /wave/$f range=bytes=$size- -> $code" "$LOG" || fail "no Range request for $f from $size"
same_style "$D" wave
no_leftovers "$D"
pass "interrupted download resumed ($f from byte $size)"

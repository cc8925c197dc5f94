#!/usr/bin/env bash
# Real HTTP downloads, offline: a loopback server (server.py) serves mirrors
# built in the scratch folder from ../shared. A good download, then broken
# mirrors: a 404, a wrong checksum, a truncated file, a server that stalls
# mid-file and one that closes the connection mid-file. Each failure ends in
# one sentence and a non-zero exit, and DEST holds exactly what it held.
. "$(dirname "$0")/lib.sh"
M=$SCRATCH/mirror
mirror_of "$M" wave udnie scream
cp "$ONNX/candy.onnx" "$M/" 2>/dev/null || true

serve "$M"
D=$SCRATCH/dest
run_dl "$SCRATCH/ok" --dest "$D" wave
[ "$RC" -eq 0 ] || fail "download exited $RC"
grep -q "wave: downloading 49 files from 127.0.0.1:$PORT" "$SCRATCH/ok.out" || fail "no progress line"
grep -q "wave: verified, installed in $D/wave" "$SCRATCH/ok.out" || fail "no installed line"
same_style "$D" wave
cmp -s "$MIRROR/LICENSE" "$D/LICENSE" || fail "LICENSE not installed"
grep -q "GET /wave/Variable_47 range=- -> 200" "$LOG" || fail "the server log lacks Variable_47"
grep -q "GET /LICENSE " "$LOG" || fail "the LICENSE was not fetched"
no_leftovers "$D"
holds "$D" "LICENSE wave"
pass "wave downloaded over HTTP and verified"

if [ -f "$M/candy.onnx" ]; then
	run_dl "$SCRATCH/j" --dest "$D" johnson_candy
	[ "$RC" -eq 0 ] || fail "johnson_candy exited $RC"
	grep -q "GET /candy.onnx " "$LOG" || fail "candy.onnx not fetched from the mirror"
	[ -f "$D/johnson_candy/manifest.json" ] || fail "johnson_candy not imported"
	no_leftovers "$D"
	rm -rf "$D/johnson_candy"
	pass "johnson_candy downloaded over HTTP, verified and imported"
fi

# 404: the style fails with the HTTP status and the URL; the run goes on.
rm "$M/udnie/Variable_47"
run_dl "$SCRATCH/404" --dest "$D" udnie scream
refused "$SCRATCH/404" "$D" "LICENSE scream wave" \
	"Style 'udnie' was not installed: the server at 127.0.0.1:$PORT refused it (HTTP 404 for $URL/udnie/Variable_47)" \
	"404"
grep -q 'Done: 1 installed, 0 already present, 1 failed (udnie)' "$SCRATCH/404.out" || fail "404 summary wrong"
pass "missing file on the server reported, the next style installed"
rm -rf "$D/scream"
cp "$MIRROR/udnie/Variable_47" "$M/udnie/"

# Wrong checksum: one flipped byte.
V=$M/udnie/Variable_40
printf '\001' | dd of="$V" bs=1 seek=7 conv=notrunc status=none
cmp -s "$V" "$MIRROR/udnie/Variable_40" && fail "the byte did not change"
run_dl "$SCRATCH/sum" --dest "$D" udnie
refused "$SCRATCH/sum" "$D" "LICENSE wave" \
	"Style 'udnie' failed verification (its files hash to [0-9a-f]\{64\}, the pin is a87973d6" "wrong checksum"
pass "wrong checksum over HTTP rejected"

# A truncated file (the server's copy is short: served whole, it is wrong).
cp "$MIRROR/udnie/Variable_40" "$V"
head -c 100000 "$MIRROR/udnie/Variable_39" >"$M/udnie/Variable_39"
run_dl "$SCRATCH/trunc" --dest "$D" udnie
refused "$SCRATCH/trunc" "$D" "LICENSE wave" "Style 'udnie' failed verification" "truncated file"
cp "$MIRROR/udnie/Variable_39" "$M/udnie/"
pass "truncated file rejected"

# A server that stalls mid-file: the low-speed time-out (3 s) ends it; the
# part is kept to resume.
serve "$M" --stall udnie/Variable_12:200000
t0=$(date +%s)
run_dl "$SCRATCH/stall" --dest "$D" udnie
t=$(($(date +%s) - t0))
[ "$RC" -eq 1 ] || fail "stall: exit $RC, expected 1"
grep -q "Style 'udnie' was not installed: the transfer from 127.0.0.1:$PORT stalled or was cut (the server sent nothing for 3 s" "$SCRATCH/stall.err" ||
	fail "stall: the message is missing"
one_sentence "$SCRATCH/stall.err" stall
holds "$D" "LICENSE wave"
only_partial "$D"
[ "$(stat -c %s "$D/.partial/udnie/Variable_12.part")" -eq 200000 ] || fail "stall: the part was not kept"
[ "$t" -le 60 ] || fail "stall: took ${t}s"
pass "stalled server ends in the time-out (${t}s), part kept"

# A server that closes the connection mid-file, every time.
rm -rf "$D/.partial"
serve "$M" --cut udnie/Variable_12:300000
run_dl "$SCRATCH/cut" --dest "$D" udnie
[ "$RC" -eq 1 ] || fail "cut: exit $RC, expected 1"
grep -q "Style 'udnie' was not installed: the transfer from 127.0.0.1:$PORT stalled or was cut" "$SCRATCH/cut.err" ||
	fail "cut: the message is missing"
one_sentence "$SCRATCH/cut.err" cut
holds "$D" "LICENSE wave"
only_partial "$D"
pass "connection closed mid-file reported, nothing installed"

#!/usr/bin/env bash
# An unreachable source gives the no-network sentence and a non-zero exit, quickly,
# with curl and with wget.
. "$(dirname "$0")/lib.sh"
export STYLECAM_MODELS_URL=http://127.0.0.1:9
tried=0
for tool in curl wget; do
	command -v "$tool" >/dev/null || continue
	tried=$((tried + 1))
	D=$SCRATCH/dest-$tool
	t0=$(date +%s)
	STYLECAM_DOWNLOADER=$tool run_dl "$SCRATCH/$tool" --dest "$D" wave
	t=$(($(date +%s) - t0))
	[ "$RC" -eq 3 ] || fail "$tool: exit $RC, expected 3"
	grep -q "Could not reach 127.0.0.1:9 to download the styles (no network?); connect and run models/download.sh again, or use --from DIR with a local copy." "$SCRATCH/$tool.err" ||
		fail "$tool: no-network sentence missing"
	# Refused at once: no retries or waits (a last guard, generous under
	# load; waiting the 3 s time-out once per file would take minutes).
	[ "$t" -le 60 ] || fail "$tool: took ${t}s"
	[ ! -e "$D/wave" ] || fail "$tool: style folder created"
	no_leftovers "$D"
	pass "$tool: unreachable source reported in ${t}s"
done
[ "$tried" -gt 0 ] || { echo "SKIP: neither curl nor wget installed"; exit 77; }

#!/usr/bin/env bash
# An unreachable source (a refused port) gives the no-network sentence and
# exit 3, quickly, with nothing installed.
. "$(dirname "$0")/lib.sh"
export STYLECAM_MODELS_URL=http://127.0.0.1:9
D=$SCRATCH/dest
t0=$(date +%s)
run_dl "$SCRATCH/a" --dest "$D" wave
t=$(($(date +%s) - t0))
refused "$SCRATCH/a" "$D" "" \
	"Could not reach 127.0.0.1:9 to download the styles (no network? .*); connect and run stylecam download again, or use --from DIR with a local copy." \
	"refused port" 3
# Refused at once: no retries or waits (a last guard, generous under load).
[ "$t" -le 60 ] || fail "took ${t}s"
pass "unreachable source reported in ${t}s"

# A name that does not resolve is unreachable too.
STYLECAM_MODELS_URL=http://stylecam-test.invalid run_dl "$SCRATCH/b" --dest "$D" wave
refused "$SCRATCH/b" "$D" "" "Could not reach stylecam-test.invalid" "unresolvable host" 3
pass "unresolvable host reported"

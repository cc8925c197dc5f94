#!/usr/bin/env bash
# A full disk (a 1 MB tmpfs) stops the download with one sentence naming the
# folder, exit 1, and nothing half-installed or left behind.
. "$(dirname "$0")/lib.sh"
S=$SCRATCH/small
mkdir -p "$S"
mount -t tmpfs -o size=1m tmpfs "$S" 2>/dev/null ||
	skip "cannot mount a small tmpfs here (needs root and mount permission)"
at_exit "umount '$S' 2>/dev/null"
run_dl "$SCRATCH/a" --from "$MIRROR" --dest "$S/models" wave
refused "$SCRATCH/a" "$S/models" "LICENSE" \
	"The disk holding $S/models is full (writing $S/models/.partial/wave/.*No space left on device); free some space and run stylecam download wave again." \
	"full disk"
pass "full disk reported, nothing half-installed"

# Over HTTP too.
serve "$MIRROR"
run_dl "$SCRATCH/b" --dest "$S/models" udnie
refused "$SCRATCH/b" "$S/models" "LICENSE" "The disk holding $S/models is full" "full disk over HTTP"
pass "full disk over HTTP reported"

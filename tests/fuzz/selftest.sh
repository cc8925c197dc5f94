#!/bin/sh
# run.sh must fail a run that crashes and keep the input that did it: a
# target with a planted crash (fuzz_selftest.c) is run once on seeds that
# hold the crashing input, once on seeds that do not.
# Usage: selftest.sh RUN_SH TARGET KEEP_DIR
set -u
. "$(dirname "$0")/../util/lib.sh"
run=$1 target=$2 keep=$3
scratch_dir
planted=sc-fuzz-selftest-planted-crash!!
rm -rf "$keep"      # this test's own folder: a reproducer left from before would prove nothing

mkdir "$SCRATCH/clean" "$SCRATCH/crash"
printf 'harmless' >"$SCRATCH/clean/a"
printf 'harmless' >"$SCRATCH/crash/a"
printf '%s' "$planted" >"$SCRATCH/crash/planted"

# No crash: the run passes and keeps nothing.
sh "$run" "$target" "$SCRATCH/clean" 2 "$keep" >"$SCRATCH/clean.log" 2>&1
rc=$?
cat "$SCRATCH/clean.log"
[ "$rc" -eq 0 ] || fail "run.sh failed a target that did not crash (exit $rc)"
[ -z "$(ls -A "$keep")" ] || fail "run.sh kept files from a clean run: $(ls "$keep")"

# The planted crash: the run fails, says where the reproducer is, keeps it.
sh "$run" "$target" "$SCRATCH/crash" 20 "$keep" >"$SCRATCH/crash.log" 2>&1
rc=$?
cat "$SCRATCH/crash.log"
[ "$rc" -ne 0 ] || fail "run.sh passed a target that crashed"
grep -q "deadly signal\|ERROR: libFuzzer" "$SCRATCH/crash.log" ||
    fail "the log does not show the crash"
grep -q "reproducer is kept in $keep" "$SCRATCH/crash.log" || fail "the log does not say where the reproducer is"
found=
for f in "$keep"/crash-*; do
    [ -f "$f" ] && [ "$(cat "$f")" = "$planted" ] && found=$f
done
[ -n "$found" ] || fail "no reproducer holding the planted input in $keep: $(ls -A "$keep")"
echo "ok: the crash failed the run and $found holds the planted input"

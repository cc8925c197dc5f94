#!/bin/sh
# Runs a libFuzzer target for a bounded time: new inputs go to a scratch
# corpus, the committed seeds are read only. A crash (or leak, or time-out)
# fails the run and its reproducer is kept in KEEP_DIR (under the build
# folder), never in the scratch corpus that is removed at exit.
# Usage: run.sh TARGET SEEDS_DIR SECONDS KEEP_DIR
set -eu
bin=$1 seeds=$2 secs=${3:-20} keep=${4:?usage: run.sh TARGET SEEDS SECONDS KEEP_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/sc-fuzz-run-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$keep" "$work/corpus" "$work/tmp"
# The target's own scratch files (tests/fuzz/fuzz_model.c) go under TMPDIR:
# inside $work, so that runs side by side never share or remove each other's.
rc=0
TMPDIR=$work/tmp "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$keep/" "$work/corpus" "$seeds" >"$work/log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
    tail -n 60 "$work/log"
    echo "FAIL: $(basename "$bin") exited $rc; the reproducer is kept in $keep:"
    ls -l "$keep"
    echo "replay it with: $bin $keep/<file>"
    exit 1
fi
tail -n 5 "$work/log"
echo "ok: no crash in $secs s"

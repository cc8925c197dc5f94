#!/bin/sh
# Runs the ONNX fuzz target for a bounded time and fails when it finds a
# crash, keeping the reproducer in the build folder (fuzz-artifacts/).
set -u
bin=$1 seeds=$2 secs=${3:-20} keep=$4
work=$(mktemp -d /tmp/sc-fuzz-onnx-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$keep"
"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$keep/" "$work" "$seeds" > "$work/log" 2>&1
rc=$?
tail -n 5 "$work/log"
if [ "$rc" -ne 0 ]; then
    echo "fuzz_onnx: the target failed (exit $rc); reproducer kept in $keep:" >&2
    ls -l "$keep" >&2
    exit 1
fi

#!/bin/sh
# Runs the fuzz target for a bounded time: new inputs go to a scratch
# corpus, the committed seeds are read only.
set -eu
bin=$1 seeds=$2 secs=${3:-20}
work=$(mktemp -d /tmp/sc-fuzz-corpus-XXXXXX)
trap 'rm -rf "$work" /tmp/sc-fuzz-??????' EXIT
"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$work/" "$work" "$seeds" 2>&1 | tail -n 5

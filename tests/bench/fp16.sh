#!/bin/bash
# --fp16 (issue 14): on a device without cl_khr_fp16 (PoCL on CPUs) stylecam
# refuses in one sentence, exit 1, for bench and stylize alike; on a device
# with it, the mode is not implemented yet and says so the same way.
set -eu
: "${STYLECAM_BIN:?}" "${STYLECAM_SHARED:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sc-fp16.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
m=$STYLECAM_SHARED/models
check() {   # $1: what, then the command
    local what=$1 rc=0
    shift
    "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
    [ $rc = 1 ] || fail "$what: exit $rc, expected 1: $(cat "$tmp/err")"
    [ "$(wc -l < "$tmp/err")" = 1 ] || fail "$what: not one line: $(cat "$tmp/err")"
    grep -q -- "--fp16" "$tmp/err" || fail "$what: does not name --fp16: $(cat "$tmp/err")"
    grep -q "cl_khr_fp16" "$tmp/err" || fail "$what: does not name cl_khr_fp16: $(cat "$tmp/err")"
    [ ! -s "$tmp/out" ] || fail "$what: printed results: $(head -3 "$tmp/out")"
}
check bench "$STYLECAM_BIN" bench --fp16 --models "$m" --style udnie --size 64x48 --frames 1
check "bench --json" "$STYLECAM_BIN" bench --fp16 --json --models "$m" --style udnie --size 64x48
check stylize "$STYLECAM_BIN" stylize --fp16 --models "$m" --style udnie \
    "$STYLECAM_SHARED/images/coffee.png" "$tmp/out.png"
[ ! -e "$tmp/out.png" ] || fail "stylize --fp16 wrote a picture"
echo "ok: $(cat "$tmp/err")"

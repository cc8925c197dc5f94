#!/bin/bash
# bench/gpu.sh --quick on this machine's OpenCL (PoCL in CI): it must unpack
# the carried loader, build the bench-only stylecam (meson, or cc with
# "cc" as the first argument), run both sides and leave what a GPU run
# leaves: stylecam.json with the FMA peak and per-layer GFLOP/s, peers.json
# with PyTorch's outputs agreeing, summary.md. No speed is checked.
set -eu
: "${STYLECAM_SRC:?}" "${STYLECAM_SHARED:?}"
build=${1:-auto}
out=$(mktemp -d "${TMPDIR:-/tmp}/sc-gpu-sh.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; tail -40 "$out/gpu.log" 2>/dev/null; exit 1; }
extra=()
[ "$build" = cc ] && extra=(--size 64x48)
rc=0
OUT=$out "$STYLECAM_SRC/bench/gpu.sh" --quick --build "$build" "${extra[@]}" \
    --models "$STYLECAM_SHARED/models" > "$out/stdout.txt" 2>&1 || rc=$?
[ $rc = 0 ] || [ $rc = 77 ] || fail "gpu.sh exited $rc"
grep -q "($([ "$build" = cc ] && echo cc || echo meson)); its loader: .*prefix/usr/lib" \
    "$out/gpu.log" || fail "not built as asked, or not against the carried loader"
py=/usr/bin/python3
[ -x $py ] || py=python3
$py - "$out" "$rc" "$build" <<'PY' || fail "the files gpu.sh wrote are incomplete"
import json, os, sys
out, rc, build = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sc = json.load(open(os.path.join(out, "stylecam.json")))
want = ["64x48"] if build == "cc" else ["96x64", "160x120"]
got = ["%dx%d" % (r["w"], r["h"]) for r in sc["results"]]
assert got == want, "sizes %s, expected %s" % (got, want)
assert sc["peak_gflops"] > 0 and sc["peak_vector_width"] in (4, 8, 16), "no FMA peak"
for r in sc["results"]:
    assert r["ms_median"] > 0 and r["pct_peak"] > 0 and "dump" in r, r
    convs = [l for l in r["layers"] if l["gmacs_real"] > 0]
    assert len(convs) == 16, "%d layers with multiply-adds" % len(convs)
    for l in convs:
        assert l["gflops_real"] > 0 and l["pct_peak"] > 0, l
        assert l["gmacs_direct"] >= l["gmacs_real"], l
    wino = [l for l in convs if l["gmacs_direct"] > 3 * l["gmacs_real"]]
    assert len(wino) == 10, "%d Winograd layers counted about 4x fewer" % len(wino)
if rc == 77:
    print("SKIP: no PyTorch; the stylecam side is complete")
    sys.exit(0)
peers = json.load(open(os.path.join(out, "peers.json")))
assert peers["failures"] == [], peers["failures"]
for size in want:
    row = peers["torch_sizes"][size]["fp32"]
    assert row["ok"] and row["psnr_vs_stylecam"] >= 50, row
    assert row["round_trip"]["ms_median"] > 0
text = open(os.path.join(out, "summary.md")).read()
for size in want:
    assert "| %s | **stylecam** (OpenCL) |" % size in text, "summary lacks %s" % size
assert "| conv9 |" in text and "% of peak" in text
PY
[ $rc = 77 ] && exit 77
echo "ok: $(grep -o 'done in [0-9]* s' "$out/gpu.log")"

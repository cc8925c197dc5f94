#!/bin/bash
# bench/gpu.sh: stylecam beside PyTorch on a lent GPU machine, in one call.
#
# Unpacks the OpenCL loader, headers and json-c carried in bench/gpu-debs/
# (Debian 12) into a private prefix, registers the NVIDIA driver's OpenCL
# library as an ICD there (OCL_ICD_VENDORS), builds a bench-only stylecam
# (meson -Dbench_only=true, or a direct cc build of bench/bench-only.txt
# when meson, ninja or pkg-config are missing), runs `stylecam bench --json`
# beside PyTorch (bench/gpu_torch.py: CUDA fp32, TF32 and fp16, else CPU
# fp32) on the same network and input, checks the outputs against each
# other, and writes logs, JSON and summary.md to $OUT. See bench/README.md.
#
#   bench/gpu.sh [--quick] [--models DIR] [--style NAME] [--size WxH ...]
#                [--frames N] [--build auto|meson|cc] [--cl-device N] [--no-system-icds]
#
# --quick: 96x64 and 160x120, 2 frames (seconds on a CPU; what the suite runs).
# --no-system-icds: register only the NVIDIA library, not /etc/OpenCL/vendors.
# Exit status: 0 everything ran and agrees; 1 outputs disagree; 2 a step failed;
# 77 no PyTorch. Each step has a time limit, so the whole stays under 8 minutes.
set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/stylecam-gpu.XXXXXX")}
STYLE=udnie
FRAMES=20
SIZES=()
BUILD=auto
CL_DEVICE=
MODELS=
QUICK=0
SYSTEM_ICDS=1

usage() { sed -n '13,19p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        --quick) QUICK=1 ;;
        --models) MODELS=$2; shift ;;
        --style) STYLE=$2; shift ;;
        --size) SIZES+=("$2"); shift ;;
        --frames) FRAMES=$2; shift ;;
        --build) BUILD=$2; shift ;;
        --cl-device) CL_DEVICE=$2; shift ;;
        --no-system-icds) SYSTEM_ICDS=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "gpu.sh: unknown option '$1'." >&2; usage >&2; exit 2 ;;
    esac
    shift
done
if [ $QUICK = 1 ]; then
    [ ${#SIZES[@]} -gt 0 ] || SIZES=(96x64 160x120)
    FRAMES=2
fi
[ ${#SIZES[@]} -gt 0 ] || SIZES=(640x480 1280x720 1920x1080)

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stylecam-gpu-work.XXXXXX")
exec > >(tee -a "$OUT/gpu.log") 2>&1
TEE=$!
# gpu.log complete before the caller collects $OUT.
trap 'rm -rf "$WORK"; exec >&- 2>&-; wait $TEE 2>/dev/null || true' EXIT
T0=$(date +%s)
say() { echo "gpu.sh [$(( $(date +%s) - T0 ))s]: $*"; }
# set -e ends the script at an unforeseen failure: say where, never silently.
trap 'say "stopped: line $LINENO failed (exit $?); what ran so far is in $OUT"' ERR
STATUS=0

# ------------------------------------------------------------ the machine
say "writing to $OUT"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "kernel: $(uname -srm)"
    grep -h '^PRETTY_NAME=' /etc/os-release 2>/dev/null || true
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) x $(nproc)"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    command -v nvidia-smi >/dev/null && nvidia-smi -L 2>&1 || echo "nvidia-smi: none"
    command -v nvidia-smi >/dev/null &&
        nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || true
    echo "cc: $(${CC:-cc} --version 2>&1 | head -1)"
    echo "meson: $(meson --version 2>&1 || echo none), ninja: $(ninja --version 2>&1 || echo none)"
} > "$OUT/machine.txt" 2>&1 || true
cat "$OUT/machine.txt"
[ "$(uname -m)" = x86_64 ] || say "this is $(uname -m); the carried .deb files are for x86-64 and will not load."

# ------------------------------------------------------------ models
if [ -z "$MODELS" ]; then
    for d in "${STYLECAM_SHARED:-}/models" "$ROOT/../shared/models" "$ROOT/shared/models" \
             "$ROOT/.gpu/models"; do
        [ -f "$d/$STYLE/manifest.json" ] && { MODELS=$d; break; }
    done
fi
if [ -z "$MODELS" ] || [ ! -f "$MODELS/$STYLE/manifest.json" ]; then
    say "no style '$STYLE' found (looked in \$STYLECAM_SHARED/models, ../shared/models, shared/models and .gpu/models); copy ../shared/models/$STYLE into .gpu/models and carry .gpu."
    exit 2
fi
MODELS=$(cd "$MODELS" && pwd)
say "models: $MODELS"

# ------------------------------------------------------------ OpenCL loader and headers
P=$WORK/prefix
mkdir -p "$P"
for deb in "$ROOT"/bench/gpu-debs/*.deb; do
    if command -v dpkg-deb >/dev/null; then
        dpkg-deb -x "$deb" "$P"
    else
        # A .deb is an ar archive; its files are in data.tar.{xz,zst,gz}.
        (cd "$WORK" && ar x "$deb" && tar -xf data.tar.* -C "$P" && rm -f data.tar.* control.tar.* debian-binary)
    fi
done
LIBDIR=$P/usr/lib/x86_64-linux-gnu
# The .pc files name /usr; point them at the private prefix.
for pc in "$LIBDIR"/pkgconfig/*.pc "$P"/usr/share/pkgconfig/*.pc; do
    sed -i -E "s#^(prefix|exec_prefix|libdir|includedir)=/usr#\\1=$P/usr#" "$pc"
done
say "unpacked into a private prefix: $(cd "$ROOT"/bench/gpu-debs && ls *.deb | sed 's/_amd64\.deb$//; s/_all\.deb$//' | tr '\n' ' ')"

# The NVIDIA driver's OpenCL library, wherever the machine keeps it.
VENDORS=$P/vendors
mkdir -p "$VENDORS"
NV_DIRS="/usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/lib /usr/lib/x86_64-linux-gnu/nvidia/current /opt/nvidia"
NV=
for d in $NV_DIRS; do
    for f in "$d"/libnvidia-opencl.so.1 "$d"/libnvidia-opencl.so.*; do
        [ -e "$f" ] && { NV=$f; break 2; }
    done
done
[ -n "$NV" ] || NV=$({ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | awk '/libnvidia-opencl\.so/ {print $NF; exit}' || true)
if [ -z "$NV" ]; then
    for icd in /etc/OpenCL/vendors/*.icd; do
        [ -e "$icd" ] && grep -q nvidia "$icd" && { NV=$(head -1 "$icd"); break; }
    done
fi
[ -n "$NV" ] || NV=$(timeout 30 find / -xdev -maxdepth 7 -name 'libnvidia-opencl.so*' \
                       -not -path '/proc/*' 2>/dev/null | head -1 || true)
if [ -n "$NV" ]; then
    echo "$NV" > "$VENDORS/nvidia.icd"
    # Its own dependencies (libcuda and friends) usually sit beside it.
    case $NV in /*) export LD_LIBRARY_PATH=$(dirname "$NV")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} ;; esac
    say "registered the NVIDIA OpenCL library $NV as an ICD in $VENDORS"
else
    say "found no NVIDIA OpenCL library (libnvidia-opencl.so*) in $NV_DIRS, ldconfig's cache, /etc/OpenCL/vendors or a search of / to depth 7, so stylecam runs only on another OpenCL driver already registered, if any; PyTorch's side runs regardless."
fi
# The machine's own ICDs too (PoCL here), but not a second NVIDIA entry.
for icd in /etc/OpenCL/vendors/*.icd; do
    [ -e "$icd" ] && [ $SYSTEM_ICDS = 1 ] || continue
    if [ -n "$NV" ] && grep -q nvidia "$icd"; then continue; fi
    cp "$icd" "$VENDORS/"
done
export OCL_ICD_VENDORS=$VENDORS
export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export XDG_CACHE_HOME=$WORK/cache
say "ICDs: $(cd "$VENDORS" && for f in *.icd; do [ -e "$f" ] && printf '%s=%s ' "$f" "$(head -1 "$f")"; done)"

# ------------------------------------------------------------ the bench-only build
SC=
build_meson() {
    command -v meson >/dev/null && command -v ninja >/dev/null && command -v pkg-config >/dev/null ||
        { say "meson, ninja or pkg-config missing: building with cc instead."; return 1; }
    PKG_CONFIG_PATH=$LIBDIR/pkgconfig:$P/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH} \
        meson setup "$WORK/build" "$ROOT" -Dbench_only=true -Dtests=false --buildtype=release \
        > "$OUT/build-meson.log" 2>&1 &&
        ninja -C "$WORK/build" >> "$OUT/build-meson.log" 2>&1 ||
        { say "the meson build failed (build-meson.log); building with cc instead."; return 1; }
    SC=$WORK/build/stylecam
}
build_cc() {
    local cc=${CC:-cc} b=$WORK/cc
    command -v "$cc" >/dev/null || cc=gcc
    command -v "$cc" >/dev/null || cc=clang
    mkdir -p "$b/cl"
    # The kernels in cl/meson.build's order: they build as one program.
    local cls
    cls=$(sed -n "/cl_kernel_files = files(/,/)/p" "$ROOT/cl/meson.build" | grep -o "'[a-z0-9_]*\.cl'" | tr -d "'")
    (cd "$ROOT/cl" && python3 embed.py "$b/cl/cl_sources.c" "$b/cl/cl_sources.h" $cls)
    local srcs=()
    while read -r f; do [ -n "$f" ] && srcs+=("$ROOT/$f"); done < "$ROOT/bench/bench-only.txt"
    "$cc" -std=gnu11 -O2 -D_GNU_SOURCE -DCL_TARGET_OPENCL_VERSION=120 -DSC_BENCH_ONLY \
        -DSC_VERSION='"gpu.sh"' -I"$ROOT" -I"$b" -I"$P/usr/include" \
        "${srcs[@]}" "$b/cl/cl_sources.c" -o "$b/stylecam" \
        -L"$LIBDIR" -lOpenCL -ljson-c -lm -lpthread > "$OUT/build-cc.log" 2>&1 ||
        { say "the cc build failed: see build-cc.log"; tail -20 "$OUT/build-cc.log"; return 1; }
    SC=$b/stylecam
}
case $BUILD in
    meson) build_meson || true ;;
    cc) build_cc || true ;;
    *) build_meson || build_cc || true ;;
esac
if [ -n "$SC" ]; then
    say "built $SC ($([ "$SC" = "$WORK/build/stylecam" ] && echo meson || echo cc)); its loader: $(ldd "$SC" | awk '/libOpenCL/ {print $3}')"
fi

# ------------------------------------------------------------ stylecam
SC_JSON=
if [ -n "$SC" ]; then
    "$SC" --list-cl-devices > "$OUT/cl-devices.txt" 2>&1 ||
        OCL_ICD_DEBUG=7 "$SC" --list-cl-devices > "$OUT/icd-debug.log" 2>&1 || true
    cat "$OUT/cl-devices.txt"
    if [ -n "$NV" ] && ! grep -qi nvidia "$OUT/cl-devices.txt"; then
        # The loader skips a library it cannot open without a word: open it here.
        why=$(python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1]); print("it opens")' "$NV" 2>&1 | tail -1 || true)
        say "the NVIDIA library is registered, but the loader lists no NVIDIA device; opening $NV directly: $why"
    fi
    # Half precision: the sentence says whether the device has cl_khr_fp16.
    say "--fp16: $("$SC" bench --fp16 --models "$MODELS" --style "$STYLE" --size 64x48 --frames 1 2>&1 | tail -1)"
    args=(bench --models "$MODELS" --style "$STYLE" --frames "$FRAMES" --json --dump "$WORK/dump")
    for s in "${SIZES[@]}"; do args+=(--size "$s"); done
    [ -n "$CL_DEVICE" ] && args+=(--cl-device "$CL_DEVICE")
    mkdir -p "$WORK/dump"
    say "stylecam ${args[*]}"
    if timeout 180 "$SC" "${args[@]}" > "$OUT/stylecam.json" 2> "$OUT/stylecam.err"; then
        SC_JSON=$OUT/stylecam.json
        say "stylecam done: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("; ".join("%dx%d %.2f ms" % (r["w"], r["h"], r["ms_median"]) for r in d["results"]), "| peak %.0f GFLOP/s |" % d["peak_gflops"], d["device"])' "$SC_JSON")"
    else
        say "stylecam bench failed: $(tail -3 "$OUT/stylecam.err")"
        OCL_ICD_DEBUG=7 "$SC" --list-cl-devices > "$OUT/icd-debug.log" 2>&1 || true
        STATUS=2
    fi
else
    say "no stylecam was built; PyTorch's side runs alone."
    STATUS=2
fi

# ------------------------------------------------------------ PyTorch
PY=
for p in ${PYTHON:-} python3 /usr/bin/python3 /opt/conda/bin/python3 /usr/local/bin/python3 python; do
    command -v "$p" >/dev/null && "$p" -c 'import torch, numpy' 2>/dev/null && { PY=$p; break; }
done
if [ -z "$PY" ]; then
    say "no python3 with PyTorch and NumPy: the peer side is skipped."
    [ $STATUS = 0 ] && STATUS=77
else
    targs=(--models "$MODELS" --style "$STYLE" --frames "$FRAMES" --out "$OUT")
    if [ -n "$SC_JSON" ]; then targs+=(--sc-json "$SC_JSON"); else targs+=(--sizes "${SIZES[@]}"); fi
    [ $QUICK = 1 ] && targs+=(--threads "$(nproc)")
    say "$PY bench/gpu_torch.py ${targs[*]}"
    rc=0
    timeout 180 "$PY" "$ROOT/bench/gpu_torch.py" "${targs[@]}" || rc=$?
    case $rc in
        0) ;;
        1) say "outputs disagree (above)."; STATUS=1 ;;
        *) say "the PyTorch side failed (exit $rc)."; STATUS=2 ;;
    esac
fi
say "done in $(( $(date +%s) - T0 )) s, exit $STATUS; files in $OUT: $(cd "$OUT" && ls | tr '\n' ' ')"
exit $STATUS

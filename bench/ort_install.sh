#!/bin/sh
# Installs ONNX Runtime for Node (onnxruntime-node, pinned) where
# bench/compare.py looks for it: $STYLECAM_ORT, else
# ${XDG_CACHE_HOME:-~/.cache}/stylecam-bench/ort; never into the repository.
# --ignore-scripts skips the package's GPU download (the CPU build is inside
# the package). About 290 MB.
set -eu
VERSION=1.30.0
dest=${STYLECAM_ORT:-${XDG_CACHE_HOME:-$HOME/.cache}/stylecam-bench/ort}
command -v npm >/dev/null || { echo "ort_install.sh: npm is missing (Debian: apt install npm)." >&2; exit 1; }
mkdir -p "$dest"
cd "$dest"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "onnxruntime-node@$VERSION"
echo "ONNX Runtime $VERSION for Node is in $dest"

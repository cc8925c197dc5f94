#!/bin/sh
# Installs what bench/compare.py needs on Debian 12, besides stylecam's own
# build dependencies (scripts/deps.sh): Debian's PyTorch (CPU), OpenCV with its
# DNN module, ONNX (to check the exported file) and NumPy, all for /usr/bin/python3.
# About 700 MB on a machine that has stylecam's build deps.
#   bench/deps.sh           install what is missing
#   bench/deps.sh --print   list the packages, install nothing
set -eu

pkgs="python3 python3-numpy python3-torch python3-opencv python3-onnx"

if [ "${1:-}" = "--print" ]; then
    echo "$pkgs"
    exit 0
fi

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
        missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "bench/deps.sh: everything is installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "bench/deps.sh: run this as root, or install sudo, to install$missing" >&2
        exit 1
    }
    sudo=sudo
fi
echo "bench/deps.sh: installing$missing"
$sudo apt-get update -qq
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing

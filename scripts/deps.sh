#!/bin/sh
# Installs what stylecam needs on Debian 12 (or Ubuntu 22.04+).
#   scripts/deps.sh          to build and run
#   scripts/deps.sh --test   also what the test suite uses
set -eu

run=" meson ninja-build pkg-config gcc libc6-dev python3
      ocl-icd-opencl-dev opencl-headers ocl-icd-libopencl1 clinfo
      pocl-opencl-icd
      libsdl2-dev libv4l-dev libstb-dev
      libavformat-dev libavcodec-dev libswscale-dev libavutil-dev"
test=" check ffmpeg xvfb xdotool x11-utils x11-apps imagemagick util-linux
      clang libclang-rt-14-dev curl wget"

pkgs=$run
# The tests also run bench/compare.py, whose packages bench/deps.sh lists.
[ "${1:-}" = "--test" ] && pkgs="$run $test $("$(dirname "$0")/../bench/deps.sh" --print)"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "deps.sh: run this as root, or install sudo, to install packages" >&2
        exit 1
    }
    sudo=sudo
fi

missing=$(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null |
          awk '$NF != "installed" {print $1}')
# Packages dpkg has never heard of are missing too.
for p in $pkgs; do
    dpkg-query -W "$p" >/dev/null 2>&1 || missing="$missing $p"
done
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ -z "${missing% }" ]; then
    echo "deps.sh: everything is installed"
    exit 0
fi
echo "deps.sh: installing $missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing

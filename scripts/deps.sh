#!/bin/sh
# Installs what stylecam needs on Debian 12 (or Ubuntu 22.04+): the one
# package list of the project.
#   scripts/deps.sh           to build and run
#   scripts/deps.sh --test    also what the test suite uses (the bench's too)
#   scripts/deps.sh --bench   only what bench/compare.py adds (PyTorch, OpenCV, Node)
#   --print after the mode    list the packages, install nothing
set -eu

run=" meson ninja-build pkg-config gcc libc6-dev python3
      ocl-icd-opencl-dev opencl-headers ocl-icd-libopencl1 clinfo
      pocl-opencl-icd
      libsdl2-dev libv4l-dev libstb-dev
      libsdl2-ttf-dev libfontconfig-dev fonts-dejavu-core libx11-dev
      libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
      libjson-c-dev libprotobuf-c-dev protobuf-c-compiler
      libcurl4-openssl-dev libssl-dev
      scdoc librsvg2-bin bash-completion
      libpipewire-0.3-dev libspa-0.2-dev"
# The virtual camera needs nothing more to build (linux/videodev2.h comes with
# libc6-dev); to use it, the v4l2loopback module: v4l2loopback-dkms (README).
test=" check ffmpeg xvfb xdotool x11-utils x11-apps imagemagick util-linux
      clang libclang-rt-14-dev curl wget
      desktop-file-utils appstream dpkg-dev debhelper lintian man-db
      pipewire wireplumber pipewire-bin dbus gstreamer1.0-pipewire gstreamer1.0-tools
      gstreamer1.0-plugins-base gstreamer1.0-plugins-good"
# Debian's PyTorch (CPU), OpenCV with its DNN module, ONNX and NumPy, for
# /usr/bin/python3: about 700 MB. Node runs ONNX Runtime, which
# bench/ort_install.sh fetches with npm (Debian: the npm package, unless
# Node came from elsewhere with its own npm; not listed here for that reason).
bench=" python3 python3-numpy python3-torch python3-opencv python3-onnx nodejs"

case "${1:-}" in
--test) pkgs="$run $test $bench"; shift ;;
--bench) pkgs=$bench; shift ;;
*) pkgs=$run ;;
esac
if [ "${1:-}" = "--print" ]; then
    # shellcheck disable=SC2086 # split on purpose: one package a word
    echo $pkgs
    exit 0
fi

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
        missing="$missing $p"
done
# shellcheck disable=SC2086 # split on purpose: one package a word
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ -z "${missing% }" ]; then
    echo "deps.sh: everything is installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "deps.sh: run this as root, or install sudo, to install $missing" >&2
        exit 1
    }
    sudo=sudo
fi
echo "deps.sh: installing $missing"
$sudo apt-get update -qq
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing

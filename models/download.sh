#!/bin/sh
# Downloads stylecam's pretrained styles: a thin wrapper around
# `stylecam download` (see models/README.md), kept so that the old
# command line still works. Unless --dest is given, the styles go to the
# models/ folder holding this script (the repository's ./models).
#
# The program: $STYLECAM_BIN, else stylecam on the PATH, else build/stylecam
# beside this folder.
#
# usage: models/download.sh [--list] [--dest DIR] [--from DIR] [STYLE...|johnson|all]
here=$(cd "$(dirname "$0")" && pwd) || exit 2
bin=${STYLECAM_BIN:-}
if [ -z "$bin" ]; then
	if command -v stylecam >/dev/null 2>&1; then bin=stylecam
	elif [ -x "$here/../build/stylecam" ]; then bin=$here/../build/stylecam
	fi
fi
if [ -z "$bin" ]; then
	echo "models/download.sh: the stylecam program was not found; build it (meson setup build && meson compile -C build) or set STYLECAM_BIN." >&2
	exit 2
fi
# A --dest given by the caller comes later and wins.
exec "$bin" download --dest "$here" "$@"

#!/usr/bin/env bash
# Opt-in: scripts/deb-check.sh (build the .deb, lintian, install, run,
# remove). Skipped unless STYLECAM_DEB_CHECK=1, as it needs root, the
# package tools and minutes of build.
. "$STYLECAM_SRC/tests/util/lib.sh"
[ "${STYLECAM_DEB_CHECK:-}" = 1 ] || skip "set STYLECAM_DEB_CHECK=1 to build, install and run the Debian package"
[ "$(id -u)" -eq 0 ] || skip "installing the package needs root"
exec bash "$STYLECAM_SRC/scripts/deb-check.sh"

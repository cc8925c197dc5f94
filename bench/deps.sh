#!/bin/sh
# Installs what bench/compare.py needs besides stylecam's own build
# dependencies; the list lives in scripts/deps.sh.
#   bench/deps.sh           install what is missing
#   bench/deps.sh --print   list the packages, install nothing
exec "$(dirname "$0")/../scripts/deps.sh" --bench "$@"

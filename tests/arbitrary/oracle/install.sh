#!/bin/bash
# install.sh DIR: installs the oracle's npm packages (package.json and
# package-lock.json of this folder, pinned exactly) into DIR/node_modules,
# outside the source tree; the npm cache goes to DIR/npm-cache. Nothing is
# run from the packages at install time (--ignore-scripts). Does nothing when
# DIR already holds this lockfile's install.
# Exit status: 0 done; 77 npm/node missing or the registry unreachable;
# 1 anything else.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: install.sh DIR}
command -v node >/dev/null && command -v npm >/dev/null || { echo "install.sh: node or npm missing" >&2; exit 77; }
mkdir -p "$dir" || exit 1
stamp="$dir/node_modules/.stylecam-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$here/package-lock.json" &&
   [ -f "$dir/node_modules/@tensorflow/tfjs-tflite/wasm/tflite_web_api_cc.wasm" ] &&
   [ -f "$dir/node_modules/pngjs/package.json" ]; then
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/" || exit 1
# Is the registry there at all? (Quick: npm's own retries take minutes.)
if ! (cd "$dir" && timeout 60 npm ping --fetch-retries=0 --cache "$dir/npm-cache" >/dev/null 2>&1); then
  echo "install.sh: the npm registry is unreachable" >&2
  exit 77
fi
# The package's peer dependency (@tensorflow/tfjs-core) is not needed: the
# oracle uses only its WebAssembly runtime.
if ! (cd "$dir" && npm ci --ignore-scripts --legacy-peer-deps --no-audit --no-fund \
        --cache "$dir/npm-cache" --loglevel=error >"$dir/npm.log" 2>&1); then
  cat "$dir/npm.log" >&2
  exit 1
fi
cp "$here/package-lock.json" "$stamp"

#!/usr/bin/env bash
# Builds the Debian package from a copy of the source tree, checks it with
# lintian, installs it with dpkg (apt-get install -f for its dependencies),
# runs the installed program (--version, --list-styles, stylize with the
# built-in sketch style on an image from ../shared/images) and removes it.
# Nothing is written into the source tree. Needs root (or sudo) and the
# tools of `scripts/deps.sh --test` (dpkg-dev, debhelper, lintian); about
# two to four minutes on two cores. CI runs it after the test suite.
#   scripts/deb-check.sh [--keep DIR]    --keep: copy the built .deb into DIR
set -uo pipefail
prog=scripts/deb-check.sh
src=$(cd "$(dirname "$0")/.." && pwd) || exit 2
keep=""
case "${1:-}" in
--keep) keep=${2:?--keep needs a folder}; mkdir -p "$keep" && keep=$(cd "$keep" && pwd) || exit 2 ;;
"") ;;
*) echo "usage: $prog [--keep DIR]" >&2; exit 2 ;;
esac
shared=${STYLECAM_SHARED:-$src/../shared}

say() { printf 'deb-check: %s\n' "$*"; }
die() { printf 'deb-check: %s\n' "$*" >&2; exit 1; }
t0=$SECONDS
lap() { say "$1 ($((SECONDS - t0)) s so far)"; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing the package needs root; run $prog as root or install sudo."
    sudo=sudo
fi
for t in dpkg-buildpackage dh dpkg-checkbuilddeps; do
    command -v "$t" >/dev/null 2>&1 ||
        die "$t is not installed; run scripts/deps.sh --test (it installs dpkg-dev and debhelper)."
done
if dpkg-query -W -f='${Status}\n' stylecam 2>/dev/null | grep -q ' installed$'; then
    die "a stylecam package is installed already; remove it first (apt remove stylecam) so this check does not replace it."
fi
image=$shared/images/chelsea.png
[ -r "$image" ] || die "cannot read $image (the shared test images); set STYLECAM_SHARED to the shared folder."

work=$(mktemp -d "${TMPDIR:-/tmp}/stylecam-deb-XXXXXX") || die "mktemp failed"
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then
        $sudo dpkg --purge stylecam >/dev/null 2>&1 || say "could not remove the stylecam package; remove it with apt remove stylecam."
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- a copy of the tree: the files git knows (tracked or new, not ignored),
# else everything but build folders --------------------------------------------
version=$(sed -n '1s/^stylecam (\([^)]*\)).*/\1/p' "$src/debian/changelog")
[ -n "$version" ] || die "cannot read the version from debian/changelog."
tree=$work/stylecam-$version
mkdir -p "$tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$tree" ||
        die "copying the source tree (git ls-files) into $tree failed."
else
    (cd "$src" && tar --exclude=./.git --exclude='./build*' --exclude='./obj-*' \
        --exclude=./debian/stylecam --exclude=./debian/.debhelper -cf - .) | tar -xf - -C "$tree" ||
        die "copying the source tree into $tree failed."
fi
[ -f "$tree/debian/control" ] || die "the copy has no debian/control; is $src the stylecam tree?"

# --- build dependencies ----------------------------------------------------------
if ! (cd "$tree" && dpkg-checkbuilddeps) 2>"$work/builddeps"; then
    say "installing the missing build dependencies: $(sed 's/.*Unmet build dependencies: //' "$work/builddeps")"
    $sudo apt-get build-dep -y -qq --no-install-recommends "$tree" >"$work/apt.log" 2>&1 ||
        { $sudo apt-get update -qq && $sudo apt-get build-dep -y -qq --no-install-recommends "$tree"; } \
        >>"$work/apt.log" 2>&1 ||
        { tail -n 20 "$work/apt.log" >&2; die "cannot install the build dependencies (see above)."; }
fi

# --- build -----------------------------------------------------------------------
lap "building the package in $tree"
jobs=$(nproc 2>/dev/null || echo 2)
if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" dpkg-buildpackage -us -uc -b) \
    >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    die "dpkg-buildpackage failed (the last lines of its log are above)."
fi
deb=$(find "$work" -maxdepth 1 -name "stylecam_${version}_*.deb" | head -n 1)
[ -n "$deb" ] || die "dpkg-buildpackage made no stylecam_${version}_*.deb."
lap "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
[ -z "$keep" ] || cp "$deb" "$keep"/ || die "cannot copy the package into $keep."

# --- lintian ---------------------------------------------------------------------
if command -v lintian >/dev/null 2>&1; then
    changes=$(find "$work" -maxdepth 1 -name "stylecam_${version}_*.changes" | head -n 1)
    lintian --fail-on error --tag-display-limit 0 "$changes" >"$work/lintian.log" 2>&1
    lrc=$?
    grep -v "running with root privileges" "$work/lintian.log" | sed 's/^/  lintian: /'
    [ "$lrc" -eq 0 ] || die "lintian reports errors (above)."
    lap "lintian: no errors ($(grep -c '^W:' "$work/lintian.log") warnings)"
else
    say "lintian is not installed, so the package is not checked (scripts/deps.sh --test installs it)."
fi

# --- install, run, remove --------------------------------------------------------
installed=1
$sudo dpkg -i "$deb" >"$work/dpkg.log" 2>&1 ||
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq --no-install-recommends \
        >>"$work/dpkg.log" 2>&1 ||
    { tail -n 20 "$work/dpkg.log" >&2; die "installing $(basename "$deb") failed (see above)."; }
dpkg-query -W -f='${Status}\n' stylecam | grep -q ' installed$' ||
    { tail -n 20 "$work/dpkg.log" >&2; die "the package did not end up installed (see above)."; }
lap "installed"
bin=/usr/bin/stylecam
for f in $bin /usr/share/applications/io.github.stylecam.Stylecam.desktop \
    /usr/share/metainfo/io.github.stylecam.Stylecam.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/io.github.stylecam.Stylecam.svg \
    /usr/share/icons/hicolor/48x48/apps/io.github.stylecam.Stylecam.png \
    /usr/share/man/man1/stylecam.1.gz /usr/share/bash-completion/completions/stylecam; do
    [ -e "$f" ] || die "the installed package has no $f."
done

# The program runs from a scratch folder with scratch settings, so neither
# ./models nor the user's own styles or kernel cache come into it.
run=$work/run
mkdir -p "$run/home"
export HOME=$run/home XDG_DATA_HOME=$run/data XDG_CACHE_HOME=$run/cache \
    XDG_CONFIG_HOME=$run/config STYLECAM_MODELS=
cd "$run" || die "cd $run"
out=$("$bin" --version) || die "the installed stylecam --version failed."
[ "$out" = "stylecam $version" ] || die "the installed stylecam --version says '$out', not 'stylecam $version'."
say "$out"
"$bin" --list-styles >"$run/styles" 2>&1 || { cat "$run/styles" >&2; die "the installed stylecam --list-styles failed."; }
grep -Eq '^ +[0-9]+ +sketch +\(built in\)' "$run/styles" ||
    { cat "$run/styles" >&2; die "the installed stylecam --list-styles does not list the built-in sketch style."; }
grep -q '/usr/share/stylecam/models' "$run/styles" ||
    { cat "$run/styles" >&2; die "the installed stylecam does not search /usr/share/stylecam/models."; }
say "--list-styles lists sketch (built in) and searches /usr/share/stylecam/models"
"$bin" stylize --style sketch "$image" "$run/out.png" >"$run/stylize.log" 2>&1 ||
    { cat "$run/stylize.log" >&2; die "the installed stylecam stylize --style sketch failed on $image."; }
[ "$(head -c 8 "$run/out.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    die "stylize wrote no PNG at $run/out.png."
lap "stylize --style sketch $(basename "$image"): a PNG of $(du -k "$run/out.png" | cut -f1) KiB"

$sudo dpkg --purge stylecam >"$work/purge.log" 2>&1 ||
    { cat "$work/purge.log" >&2; die "removing the package failed."; }
installed=0
[ ! -e "$bin" ] || die "$bin is still there after removing the package."
lap "removed; the package builds, passes lintian, installs, runs and removes"

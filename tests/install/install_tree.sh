#!/usr/bin/env bash
# `meson install` into a scratch DESTDIR lays out a desktop application: the
# program, its menu entry and AppStream metadata (both valid), the icon as SVG
# and as PNGs of the right sizes, the manual page and the bash completion.
# usage: install_tree.sh MESON BUILD_DIR
. "$STYLECAM_SRC/tests/util/lib.sh"
need_tools desktop-file-validate appstreamcli
scratch_dir
meson=${1:?usage: install_tree.sh MESON BUILD_DIR}
build=${2:?usage: install_tree.sh MESON BUILD_DIR}
id=io.github.stylecam.Stylecam
dest=$SCRATCH/dest

"$meson" install -C "$build" --no-rebuild --destdir "$dest" >"$SCRATCH/install.log" 2>&1 ||
    { cat "$SCRATCH/install.log" >&2; fail "meson install --destdir failed"; }
# prefix, bindir, datadir and mandir as this build folder was set up.
read -r prefix bindir datadir mandir < <("$meson" introspect "$build" --buildoptions | python3 -c '
import json, os, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], *(os.path.join(o["prefix"], o[k]) for k in ("bindir", "datadir", "mandir")))' 2>&1)
[ -n "$mandir" ] || fail "cannot read prefix, datadir and mandir from meson introspect ($prefix)"
share=$dest$datadir
bin=$dest$bindir/stylecam

[ -x "$bin" ] || fail "no program at $bin"
desktop=$share/applications/$id.desktop
metainfo=$share/metainfo/$id.metainfo.xml
[ -f "$desktop" ] || fail "no menu entry $desktop"
[ -f "$metainfo" ] || fail "no AppStream metadata $metainfo"
desktop-file-validate "$desktop" >"$SCRATCH/dfv" 2>&1 || { cat "$SCRATCH/dfv" >&2; fail "desktop-file-validate rejects $id.desktop"; }
[ ! -s "$SCRATCH/dfv" ] || { cat "$SCRATCH/dfv" >&2; fail "desktop-file-validate has hints for $id.desktop"; }
appstreamcli validate --no-net --explain "$metainfo" >"$SCRATCH/asv" 2>&1 ||
    { cat "$SCRATCH/asv" >&2; fail "appstreamcli validate rejects $id.metainfo.xml"; }
pass "menu entry and AppStream metadata valid"

# The entry starts the installed program, names the installed icon, and the
# metadata points at the entry and the program.
grep -qx 'Exec=stylecam' "$desktop" || fail "the menu entry does not run stylecam"
grep -qx "Icon=$id" "$desktop" || fail "the menu entry's icon is not $id"
grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$metainfo" || fail "metadata: no launchable $id.desktop"
grep -q '<binary>stylecam</binary>' "$metainfo" || fail "metadata: does not provide the binary stylecam"
version=$("$bin" --version | sed -n 's/^stylecam //p')
grep -q "<release version=\"$version\"" "$metainfo" || fail "metadata: no release notes for version $version"

icons=$share/icons/hicolor
[ -f "$icons/scalable/apps/$id.svg" ] || fail "no scalable icon"
for s in 16 32 48 64 128 256; do
    png=$icons/${s}x$s/apps/$id.png
    [ -f "$png" ] || fail "no ${s}x$s icon at $png"
    # PNG: the signature, then IHDR with width and height (big-endian).
    wh=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
    [ "$wh" = "${s}x$s" ] || fail "$png is $wh, not ${s}x$s"
done
pass "icons: scalable and 16 to 256 pixels"

man=$dest$mandir/man1/stylecam.1
[ -f "$man" ] || fail "no manual page at $man"
grep -q '^\.TH "*stylecam"* "*1"*' "$man" || fail "$man is not a roff page of section 1"
comp=$(find "$dest" -path '*/bash-completion/completions/stylecam' -type f)
[ -n "$comp" ] || fail "no bash completion under $dest"
pass "manual page and bash completion installed"

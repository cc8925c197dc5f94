# Sourced by models/download.sh: the ONNX family (want_onnx), each file
# fetched, verified against its pin and converted with `stylecam import`
# into a style folder in $dest (the import writes it atomically).

sc_bin=${STYLECAM_BIN:-}
if [ -z "$sc_bin" ]; then
	if command -v stylecam >/dev/null 2>&1; then sc_bin=stylecam
	elif [ -x "$here/../build/stylecam" ]; then sc_bin=$here/../build/stylecam
	fi
fi
onnx_base=https://raw.githubusercontent.com/$onnx_repo/$onnx_commit/$onnx_folder
say "Johnson's networks (${want_onnx[*]}): licence 'free for personal or research use' (Justin Johnson), not MIT; do not use them commercially."

# install_onnx STYLE
install_onnx() {
	local s=$1 f=${onnx_file[$1]} tmp got
	if [ -z "$sc_bin" ]; then
		err "Style '$s' needs the stylecam program to convert it; build it (meson compile -C build) or set STYLECAM_BIN."
		failed+=("$s"); return
	fi
	tmp=$(mktemp -d "$dest/.download-$s.XXXXXX") || {
		err "$s: cannot create a temporary folder in $dest; check free space and permissions."
		failed+=("$s"); return
	}
	cleanup+=("$tmp")
	if [ -n "$from" ]; then
		if [ ! -f "$from/$f" ]; then
			rm -rf -- "$tmp"
			err "Style '$s' was not installed: the mirror lacks $from/$f; use a complete copy with --from, or download without --from."
			failed+=("$s"); return
		fi
		cat -- "$from/$f" >"$tmp/$f"
	elif ! fetch_urls "$tmp" "$f" "$onnx_base/$f"; then
		rm -rf -- "$tmp"
		[ "$fetch_kind" = net ] && no_network "$fetch_detail"
		err "Style '$s' was not installed: fetching $onnx_base/$f failed ($fetch_detail); run $prog $s again."
		failed+=("$s"); return
	fi
	got=$(file_digest "$tmp/$f")
	if [ "$got" != "${onnx_sum[$s]}" ]; then
		rm -rf -- "$tmp"
		err "Style '$s' failed verification ($f hashes to $got, the pin is ${onnx_sum[$s]}), so it was not installed; run $prog $s again, or use another copy with --from DIR."
		failed+=("$s"); return
	fi
	if ! "$sc_bin" import --force --models "$dest" "$tmp/$f" "$s" >/dev/null; then
		rm -rf -- "$tmp"
		err "Style '$s' verified but stylecam could not import it (see above)."
		failed+=("$s"); return
	fi
	rm -rf -- "$tmp"
	say "$s: verified, imported into $dest/$s"
	installed+=("$s")
}

declare -A onnx_seen=()
for s in "${want_onnx[@]}"; do
	[ -n "${onnx_seen[$s]+x}" ] && continue
	onnx_seen[$s]=1
	install_onnx "$s"
done

#!/usr/bin/env bash
# Download stylecam's pretrained styles, verify each against models/pins.txt
# and move only verified styles into place. See models/README.md.
#
# usage: models/download.sh [--dest DIR] [--from DIR] [STYLE...]
#
# STYLE may also be johnson (or johnson_candy, johnson_la_muse, johnson_mosaic,
# johnson_udnie): Johnson's ONNX networks, licensed "free for personal or
# research use", verified, then converted with `stylecam import` (the
# program: $STYLECAM_BIN, else stylecam on the PATH, else build/stylecam).
# With --from, their .onnx files are read from DIR.
#
# Exit status: 0 every requested style (and the LICENSE) verified;
# 1 some style failed; 2 bad usage; 3 the source host could not be reached.
#
# Environment (all optional):
#   STYLECAM_MODELS_URL       base URL; files are fetched as BASE/STYLE/FILE and
#                             BASE/LICENSE (default: the pinned upstream commit)
#   STYLECAM_LICENSE_URL      where to fetch the LICENSE (default: see above)
#   STYLECAM_DOWNLOADER       curl or wget (default: curl if installed, else wget)
#   STYLECAM_DOWNLOAD_TIMEOUT seconds to connect or to wait on a stalled
#                             transfer (default 20)
#   STYLECAM_DOWNLOAD_RETRIES retries per file after a transient error (default 3)

set -u
umask 022

prog=models/download.sh
here=$(cd "$(dirname "$0")" && pwd) || exit 2
pins=$here/pins.txt

say() { printf '%s\n' "$*"; }
err() { printf '%s: %s\n' "$prog" "$*" >&2; }
usage_err() { err "$*"; err "usage: $prog [--dest DIR] [--from DIR] [STYLE...] (see models/README.md)"; exit 2; }

# --- pins ---------------------------------------------------------------------
repo='' commit='' folder='' license_sum=''
files=() styles=() onnx_names=()
onnx_repo='' onnx_commit='' onnx_folder=''
declare -A style_sum=() onnx_file=() onnx_sum=()
[ -r "$pins" ] || { err "Cannot read $pins, which lists the styles and their digests; restore it from the stylecam repository."; exit 2; }
while read -r key rest; do
	read -r -a w <<<"$rest"
	case $key in
	repo) repo=${w[0]} ;;
	commit) commit=${w[0]} ;;
	folder) folder=${w[0]} ;;
	files) files+=("${w[@]}") ;;
	license) license_sum=${w[1]} ;;
	style) styles+=("${w[0]}"); style_sum[${w[0]}]=${w[1]} ;;
	onnx-repo) onnx_repo=${w[0]} ;;
	onnx-commit) onnx_commit=${w[0]} ;;
	onnx-folder) onnx_folder=${w[0]} ;;
	onnx) onnx_names+=("${w[0]}"); onnx_file[${w[0]}]=${w[1]}; onnx_sum[${w[0]}]=${w[2]} ;;
	esac
done <"$pins"
if [ -z "$repo" ] || [ -z "$commit" ] || [ -z "$license_sum" ] || [ ${#files[@]} -eq 0 ] || [ ${#styles[@]} -eq 0 ]; then
	err "$pins is incomplete (needs repo, commit, folder, files, license and style lines); restore it from the stylecam repository."
	exit 2
fi

# --- arguments ----------------------------------------------------------------
dest=$here from='' want=()
while [ $# -gt 0 ]; do
	case $1 in
	--dest) [ $# -ge 2 ] || usage_err "--dest needs a folder."; dest=$2; shift 2 ;;
	--dest=*) dest=${1#*=}; shift ;;
	--from) [ $# -ge 2 ] || usage_err "--from needs a folder."; from=$2; shift 2 ;;
	--from=*) from=${1#*=}; shift ;;
	-h|--help) sed -n '2,25s/^# \{0,1\}//p' "$0"; say "styles: ${styles[*]}"; say "ONNX styles (on request): ${onnx_names[*]}"; exit 0 ;;
	--) shift; want+=("$@"); break ;;
	-*) usage_err "Unknown option '$1'." ;;
	*) want+=("$1"); shift ;;
	esac
done
[ -n "$dest" ] || usage_err "--dest needs a folder."
is_style() { local t; for t in "${styles[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }
is_onnx() { [ -n "${onnx_file[$1]+x}" ]; }
want_onnx=() ml5_want=()
for s in "${want[@]+"${want[@]}"}"; do
	if [ "$s" = johnson ]; then
		want_onnx+=("${onnx_names[@]}")
	elif is_onnx "$s"; then
		want_onnx+=("$s")
	elif ! is_style "$s"; then
		err "Unknown style '$s'; the styles are: ${styles[*]} (give none to get all ${#styles[@]}), and on request johnson or ${onnx_names[*]}."
		exit 2
	else
		ml5_want+=("$s")
	fi
done
want=("${ml5_want[@]+"${ml5_want[@]}"}")
[ ${#want[@]} -gt 0 ] || [ ${#want_onnx[@]} -gt 0 ] || want=("${styles[@]}")
# Drop repeated names, keep order.
declare -A seen=()
todo=()
for s in "${want[@]}"; do [ -n "${seen[$s]+x}" ] || { seen[$s]=1; todo+=("$s"); }; done

if [ -n "$from" ] && [ ! -d "$from" ]; then
	usage_err "The mirror folder '$from' given with --from does not exist; give a folder that holds one sub-folder per style (and LICENSE)."
fi

# --- tools --------------------------------------------------------------------
if command -v sha256sum >/dev/null 2>&1; then
	sha() { sha256sum "$@"; }
elif command -v shasum >/dev/null 2>&1; then
	sha() { shasum -a 256 "$@"; }
else
	err "Neither sha256sum nor shasum is installed, so downloads cannot be verified; install coreutils and run $prog again."
	exit 2
fi

timeout_s=${STYLECAM_DOWNLOAD_TIMEOUT:-20}
retries=${STYLECAM_DOWNLOAD_RETRIES:-3}
case $timeout_s$retries in *[!0-9]*) usage_err "STYLECAM_DOWNLOAD_TIMEOUT and STYLECAM_DOWNLOAD_RETRIES must be whole numbers." ;; esac
[ "$timeout_s" -gt 0 ] || timeout_s=1

default_base=https://raw.githubusercontent.com/$repo/$commit/$folder
base=${STYLECAM_MODELS_URL:-$default_base}
base=${base%/}
if [ -n "${STYLECAM_LICENSE_URL:-}" ]; then
	license_url=$STYLECAM_LICENSE_URL
elif [ -n "${STYLECAM_MODELS_URL:-}" ]; then
	license_url=$base/LICENSE
else
	license_url=https://raw.githubusercontent.com/$repo/$commit/LICENSE
fi
host=${base#*://}
host=${host%%/*}

dl=
if [ -z "$from" ]; then
	dl=${STYLECAM_DOWNLOADER:-}
	if [ -z "$dl" ]; then
		if command -v curl >/dev/null 2>&1; then dl=curl
		elif command -v wget >/dev/null 2>&1; then dl=wget
		fi
	fi
	case $dl in
	curl|wget) command -v "$dl" >/dev/null 2>&1 || { err "STYLECAM_DOWNLOADER is '$dl' but $dl is not installed; install it or unset STYLECAM_DOWNLOADER."; exit 2; } ;;
	'') err "Neither curl nor wget is installed; install one of them and run $prog again, or use --from DIR with a local copy."; exit 2 ;;
	*) usage_err "STYLECAM_DOWNLOADER must be curl or wget, not '$dl'." ;;
	esac
fi

if ! mkdir -p -- "$dest" 2>/dev/null || [ ! -w "$dest" ]; then
	err "Cannot write to the destination folder '$dest'; choose another with --dest DIR or fix its permissions."
	exit 2
fi
dest=$(cd "$dest" && pwd)

# --- temporary folders, removed on any exit -----------------------------------
cleanup=()
# shellcheck disable=SC2317 # called by the trap
on_exit() { local p; for p in "${cleanup[@]+"${cleanup[@]}"}"; do rm -rf -- "$p"; done; }
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- verification -------------------------------------------------------------
# Digest of a style folder: SHA-256 of the sorted sha256sum lines of its files.
style_digest() {
	local lines
	lines=$(cd "$1" 2>/dev/null && sha -- "${files[@]}" 2>/dev/null) || return 1
	printf '%s\n' "$lines" | LC_ALL=C sort | sha | cut -c1-64
}
file_digest() { local d; d=$(sha -- "$1" 2>/dev/null) || return 1; printf '%s\n' "${d:0:64}"; }

# --- fetching -----------------------------------------------------------------
# Sets fetch_kind (net, http, missing, other), fetch_detail and fetch_host on failure.
fetch_kind='' fetch_detail='' fetch_host=''

no_network() {
	err "Could not reach $fetch_host to download the styles (no network?); connect and run $prog again, or use --from DIR with a local copy."
	[ -z "$1" ] || err "detail: $1"
	exit 3
}

# fetch_urls OUTDIR NAME URL [NAME URL...]: download each URL to OUTDIR/NAME.
fetch_urls() {
	local out=$1 log=$1.log args=() name url rc
	shift
	fetch_kind='' fetch_detail=''
	fetch_host=${2#*://}
	fetch_host=${fetch_host%%/*}
	cleanup+=("$log" "$log.w")
	if [ "$dl" = curl ]; then
		while [ $# -gt 0 ]; do args+=(-o "$out/$1" "$2"); shift 2; done
		# One process per batch so the connection is reused.
		curl --fail --fail-early --silent --show-error --location \
			--connect-timeout "$timeout_s" --speed-time "$timeout_s" --speed-limit 1 \
			--retry "$retries" --retry-delay 2 \
			-w '%{http_code} %{url_effective}\n' "${args[@]}" >"$log.w" 2>"$log"
		rc=$?
		fetch_detail=$(tail -n 1 "$log")
		case $rc in
		0) ;;
		5|6|7|28|52|55|56) fetch_kind=net ;;
		22) fetch_kind=http
			name=$(awk '$1 >= 400 { print "HTTP " $1 " for " $2; exit }' "$log.w")
			[ -z "$name" ] || fetch_detail=$name ;;
		*) fetch_kind=other ;;
		esac
		rm -f -- "$log" "$log.w"
		return $((rc != 0))
	fi
	while [ $# -gt 0 ]; do
		name=$1 url=$2
		shift 2
		wget -nv -O "$out/$name" --timeout="$timeout_s" --tries=$((retries + 1)) \
			--waitretry=2 -- "$url" 2>"$log"
		rc=$?
		[ $rc -eq 0 ] && continue
		fetch_detail=$(grep -v '^ *$' "$log" | tail -n 1)
		rm -f -- "$log"
		case $rc in
		4) fetch_kind=net ;;
		8) fetch_kind=http; fetch_detail="$fetch_detail ($url)" ;;
		*) fetch_kind=other ;;
		esac
		return 1
	done
	rm -f -- "$log"
	return 0
}

# fetch_style STYLE OUTDIR: put the style's files in OUTDIR.
fetch_style() {
	local s=$1 out=$2 f pairs=()
	if [ -n "$from" ]; then
		for f in "${files[@]}"; do
			if [ ! -f "$from/$s/$f" ]; then
				fetch_kind=missing fetch_detail="$from/$s/$f"
				return 1
			fi
			cat -- "$from/$s/$f" >"$out/$f" || { fetch_kind=other fetch_detail="could not copy $from/$s/$f"; return 1; }
		done
		return 0
	fi
	for f in "${files[@]}"; do pairs+=("$f" "$base/$s/$f"); done
	fetch_urls "$out" "${pairs[@]}"
}

# --- LICENSE ------------------------------------------------------------------
ok_license=0
install_license() {
	local tmp got
	if [ "$(file_digest "$dest/LICENSE")" = "$license_sum" ]; then
		ok_license=1
		return
	fi
	tmp=$(mktemp -d "$dest/.download-LICENSE.XXXXXX") || { err "Cannot create a temporary folder in $dest; check free space and permissions."; return; }
	cleanup+=("$tmp")
	if [ -n "$from" ]; then
		if [ ! -f "$from/LICENSE" ]; then
			err "The mirror '$from' has no LICENSE file; copy the MIT LICENSE of $repo there, or download without --from."
			return
		fi
		cat -- "$from/LICENSE" >"$tmp/LICENSE" || return
	elif ! fetch_urls "$tmp" LICENSE "$license_url"; then
		[ "$fetch_kind" = net ] && no_network "$fetch_detail"
		err "Could not download the LICENSE from $license_url ($fetch_detail); run $prog again later."
		return
	fi
	got=$(file_digest "$tmp/LICENSE")
	if [ "$got" != "$license_sum" ]; then
		err "The downloaded LICENSE does not match its pin (got $got, expected $license_sum), so it was not installed; run $prog again, or use --from DIR with a verified copy."
		return
	fi
	mv -f -- "$tmp/LICENSE" "$dest/LICENSE" && ok_license=1
	say "LICENSE: verified, installed in $dest/LICENSE"
}

# --- styles -------------------------------------------------------------------
installed=() skipped=() failed=()
total=${#todo[@]}

# install_style N STYLE
install_style() {
	local s=$2 tag="[$1/$total] $2" tmp old='' got what
	if [ -d "$dest/$s" ]; then
		if [ "$(style_digest "$dest/$s")" = "${style_sum[$s]}" ]; then
			say "$tag: already present and verified, skipped"
			skipped+=("$s")
			return
		fi
		say "$tag: $dest/$s is incomplete or changed; fetching a fresh copy"
	fi
	if [ -n "$from" ]; then what="copying ${#files[@]} files from $from/$s"
	else what="downloading ${#files[@]} files from $host"; fi
	say "$tag: $what"
	tmp=$(mktemp -d "$dest/.download-$s.XXXXXX") || {
		err "$s: cannot create a temporary folder in $dest; check free space and permissions, then run $prog $s again."
		failed+=("$s"); return
	}
	cleanup+=("$tmp")
	if ! fetch_style "$s" "$tmp"; then
		rm -rf -- "$tmp"
		case $fetch_kind in
		net) no_network "$fetch_detail" ;;
		missing) err "Style '$s' was not installed: the mirror lacks $fetch_detail; use a complete copy with --from, or download without --from." ;;
		http) err "Style '$s' was not installed: the server at $host answered with an error ($fetch_detail); check STYLECAM_MODELS_URL, or run $prog $s again later." ;;
		*) err "Style '$s' was not installed: fetching its files failed ($fetch_detail); run $prog $s again." ;;
		esac
		failed+=("$s"); return
	fi
	got=$(style_digest "$tmp")
	if [ "$got" != "${style_sum[$s]}" ]; then
		rm -rf -- "$tmp"
		err "Style '$s' failed verification (its files hash to $got, the pin is ${style_sum[$s]}), so it was not installed; run $prog $s again, and if it fails again the source is damaged: use another copy with --from DIR."
		failed+=("$s"); return
	fi
	# Move the verified folder into place in one rename; an old copy goes aside first.
	if [ -e "$dest/$s" ]; then
		if ! old=$(mktemp -d "$dest/.old-$s.XXXXXX") || ! mv -T -- "$dest/$s" "$old/$s"; then
			rm -rf -- "$tmp" "$old"
			err "Style '$s' verified but $dest/$s could not be replaced; remove it and run $prog $s again."
			failed+=("$s"); return
		fi
		cleanup+=("$old")
	fi
	if ! mv -T -- "$tmp" "$dest/$s"; then
		err "Style '$s' verified but could not be moved to $dest/$s; check permissions and run $prog $s again."
		failed+=("$s"); return
	fi
	chmod 755 -- "$dest/$s"
	[ -z "$old" ] || rm -rf -- "$old"
	say "$tag: verified, installed in $dest/$s"
	installed+=("$s")
}

if [ ${#todo[@]} -gt 0 ]; then
	install_license
else
	ok_license=1
fi
i=0
for s in "${todo[@]+"${todo[@]}"}"; do
	i=$((i + 1))
	install_style "$i" "$s"
done
# shellcheck source=models/download_onnx.sh
[ ${#want_onnx[@]} -eq 0 ] || . "$here/download_onnx.sh"

say "Done: ${#installed[@]} installed, ${#skipped[@]} already present, ${#failed[@]} failed${failed[*]:+ (${failed[*]})}."
if [ ${#failed[@]} -gt 0 ] || [ $ok_license -ne 1 ]; then
	exit 1
fi
exit 0

# Shared by the models tests (sourced): paths, a scratch folder, checks.
# The general helpers (fail, pass, at_exit, scratch_dir) are tests/util/lib.sh's.
# shellcheck disable=SC2034 # STYLES and RC are used by the sourcing scripts
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../util/lib.sh"
: "${STYLECAM_SRC:?set STYLECAM_SRC to the source tree (meson test does)}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared (meson test does)}"
DL=$STYLECAM_SRC/models/download.sh
MIRROR=$STYLECAM_SHARED/models
STYLES="la_muse mathura matilde_perez matta rain_princess scream udnie wave wreck"
FILES="manifest.json Variable $(seq -f 'Variable_%g' 1 47 | tr '\n' ' ')"
# Keep tests offline and quick whatever the caller's environment says.
unset STYLECAM_MODELS_URL STYLECAM_LICENSE_URL STYLECAM_DOWNLOADER
export STYLECAM_DOWNLOAD_TIMEOUT=3 STYLECAM_DOWNLOAD_RETRIES=0

[ -d "$MIRROR/la_muse" ] || skip "$MIRROR has no styles"
[ -x "$DL" ] || fail "$DL is missing or not executable"

scratch_dir

# run_dl OUT_PREFIX ARGS...: runs the script, sets RC; stdout/stderr in OUT_PREFIX.{out,err}.
run_dl() {
	local p=$1; shift
	"$DL" "$@" >"$p.out" 2>"$p.err"
	RC=$?
	sed 's/^/  | /' "$p.out" "$p.err"
}

# same_style DEST STYLE: the installed style equals the mirror's byte for byte.
same_style() {
	local f
	for f in $FILES; do
		cmp -s "$MIRROR/$2/$f" "$1/$2/$f" || fail "$1/$2/$f differs from $MIRROR/$2/$f"
	done
}

# refused OUT_PREFIX DEST NAME PATTERN WHAT: the last run_dl exited 1 with
# PATTERN on stderr, and left neither DEST/NAME nor temporary files in DEST.
refused() {
	[ "$RC" -eq 1 ] || fail "$5: exit $RC, expected 1"
	grep -q "$4" "$1.err" || fail "$5: the message is missing"
	[ ! -e "$2/$3" ] || fail "$5: $2/$3 was left"
	no_leftovers "$2"
}

# no_leftovers DEST: no temporary folders or files remain.
no_leftovers() {
	local left
	left=$(find "$1" -maxdepth 1 -name '.*' ! -name . | head -n 5)
	[ -z "$left" ] || fail "temporary files left in $1: $left"
}

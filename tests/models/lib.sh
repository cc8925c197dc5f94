# Shared by the models tests (sourced): paths, a scratch folder, the loopback
# HTTP server, checks. The general helpers (fail, pass, at_exit, scratch_dir,
# wait_for) are tests/util/lib.sh's. The tests run `stylecam download`
# ($STYLECAM_BIN); wrapper.sh covers models/download.sh.
# shellcheck disable=SC2034 # STYLES and RC are used by the sourcing scripts
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../util/lib.sh"
: "${STYLECAM_SRC:?set STYLECAM_SRC to the source tree (meson test does)}"
: "${STYLECAM_SHARED:?set STYLECAM_SHARED to ../shared (meson test does)}"
: "${STYLECAM_BIN:?set STYLECAM_BIN to the program (meson test does)}"
DL=$STYLECAM_SRC/models/download.sh
MIRROR=$STYLECAM_SHARED/models
ONNX=$STYLECAM_SHARED/models-onnx/johnson
SERVER=$(dirname "${BASH_SOURCE[0]}")/server.py
STYLES="la_muse mathura matilde_perez matta rain_princess scream udnie wave wreck"
FILES="manifest.json Variable $(seq -f 'Variable_%g' 1 47 | tr '\n' ' ')"
# Keep tests offline and quick whatever the caller's environment says.
unset STYLECAM_MODELS_URL STYLECAM_LICENSE_URL STYLECAM_DOWNLOADER STYLECAM_MODELS
export STYLECAM_DOWNLOAD_TIMEOUT=3 STYLECAM_DOWNLOAD_RETRIES=0

[ -d "$MIRROR/la_muse" ] || skip "$MIRROR has no styles"
[ -x "$STYLECAM_BIN" ] || fail "$STYLECAM_BIN is missing or not executable"

scratch_dir
export XDG_DATA_HOME=$SCRATCH/xdg

# run_dl OUT_PREFIX ARGS...: runs `stylecam download ARGS`, sets RC;
# stdout/stderr in OUT_PREFIX.{out,err}.
run_dl() {
	local p=$1; shift
	"$STYLECAM_BIN" download "$@" >"$p.out" 2>"$p.err"
	RC=$?
	sed 's/^/  | /' "$p.out" "$p.err"
}

# mirror_of DIR STYLE...: a writable mirror in DIR with these styles and
# the LICENSE, made from ../shared in the test's scratch folder.
mirror_of() {
	local m=$1 s
	shift
	mkdir -p "$m"
	for s in "$@"; do cp -r "$MIRROR/$s" "$m/"; done
	cp "$MIRROR/LICENSE" "$m/"
	chmod -R u+w "$m"
}

# serve DIR [server.py options]: starts the loopback server for DIR; sets
# PORT, URL (exported as STYLECAM_MODELS_URL) and LOG (one line a request).
serve() {
	local dir=$1 portfile=$SCRATCH/port.$RANDOM
	shift
	command -v python3 >/dev/null || skip "python3 not installed"
	LOG=$portfile.log
	: >"$LOG"
	python3 "$SERVER" "$dir" "$portfile" "$LOG" "$@" 2>"$portfile.err" &
	local pid=$!
	at_exit "kill $pid 2>/dev/null; cat '$portfile.err' >&2"
	WAIT_PID=$pid wait_for "$PATIENCE" "the HTTP server's port" test -s "$portfile"
	PORT=$(cat "$portfile")
	URL=http://127.0.0.1:$PORT
	export STYLECAM_MODELS_URL=$URL
}

# same_style DEST STYLE: the installed style equals the mirror's byte for byte.
same_style() {
	local f
	for f in $FILES; do
		cmp -s "$MIRROR/$2/$f" "$1/$2/$f" || fail "$1/$2/$f differs from $MIRROR/$2/$f"
	done
}

# holds DEST NAMES: DEST's visible entries are exactly NAMES (sorted, space
# separated; "" for none or an absent DEST): nothing unverified was installed.
holds() {
	local got
	got=$(ls "$1" 2>/dev/null | sort | tr '\n' ' ')
	[ "${got% }" = "$2" ] || fail "$1 holds '${got% }', expected '$2'"
}

# refused OUT_PREFIX DEST NAMES PATTERN WHAT [RC]: the last run exited RC
# (default 1) with PATTERN on stderr, DEST holds exactly NAMES, and no
# temporary files are left.
refused() {
	[ "$RC" -eq "${6:-1}" ] || fail "$5: exit $RC, expected ${6:-1}"
	grep -q -- "$4" "$1.err" || fail "$5: the message is missing"
	one_sentence "$1.err" "$5"
	holds "$2" "$3"
	no_leftovers "$2"
}

# one_sentence FILE WHAT: the failure is said in one line (besides the
# summary on stdout).
one_sentence() {
	local n
	n=$(grep -c '^stylecam: error:' "$1")
	[ "$n" -eq 1 ] || fail "$2: $n error lines, expected one"
}

# no_leftovers DEST: no temporary folders or files remain.
no_leftovers() {
	local left
	left=$(find "$1" -maxdepth 1 -name '.*' ! -name . 2>/dev/null | head -n 5)
	[ -z "$left" ] || fail "temporary files left in $1: $left"
}

# only_partial DEST: the only hidden entry is .partial (kept to resume), and
# it holds no lock.
only_partial() {
	local left
	left=$(find "$1" -maxdepth 1 -name '.*' ! -name . ! -name .partial | head -n 5)
	[ -z "$left" ] || fail "temporary files left in $1: $left"
	[ -d "$1/.partial" ] || fail "$1/.partial was not kept for resuming"
	[ ! -e "$1/.partial/.lock" ] || fail "$1/.partial/.lock was left"
}

#!/usr/bin/env bash
# Real HTTP downloads, offline: a loopback server serves the shared mirror
# (STYLECAM_MODELS_URL points at it). Covers curl, wget and a 404.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

# serve DIR: start a loopback HTTP server for DIR; sets PORT.
serve() {
	local portfile=$SCRATCH/port.$RANDOM _
	python3 - "$1" "$portfile" 2>"$SCRATCH/server.err" <<'PY' &
import functools, http.server, os, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
        functools.partial(Quiet, directory=sys.argv[1]))
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
PY
	at_exit "kill $! 2>/dev/null; cat '$SCRATCH/server.err' >&2"
	WAIT_PID=$! wait_for "$PATIENCE" "the HTTP server's port" test -s "$portfile"
	PORT=$(cat "$portfile")
}

serve "$MIRROR"
export STYLECAM_MODELS_URL=http://127.0.0.1:$PORT
tried=0
for pair in curl:wave wget:scream; do
	tool=${pair%%:*} s=${pair#*:}
	command -v "$tool" >/dev/null || continue
	tried=$((tried + 1))
	D=$SCRATCH/dest-$tool
	STYLECAM_DOWNLOADER=$tool run_dl "$SCRATCH/$tool" --dest "$D" "$s"
	[ "$RC" -eq 0 ] || fail "$tool: download exited $RC"
	grep -q "$s: downloading 49 files from 127.0.0.1:$PORT" "$SCRATCH/$tool.out" || fail "$tool: no progress line"
	same_style "$D" "$s"
	cmp -s "$MIRROR/LICENSE" "$D/LICENSE" || fail "$tool: LICENSE not installed"
	no_leftovers "$D"
	pass "$tool: $s downloaded over HTTP and verified"
done
[ "$tried" -gt 0 ] || { echo "SKIP: neither curl nor wget installed"; exit 77; }

# A file the server does not have: the style fails with the HTTP error, nothing partial.
M=$SCRATCH/mirror
mkdir -p "$M"
cp -r "$MIRROR/udnie" "$MIRROR/LICENSE" "$M/"
chmod -R u+w "$M"
rm "$M/udnie/Variable_47"
serve "$M"
export STYLECAM_MODELS_URL=http://127.0.0.1:$PORT
for tool in curl wget; do
	command -v "$tool" >/dev/null || continue
	D=$SCRATCH/dest404-$tool
	STYLECAM_DOWNLOADER=$tool run_dl "$SCRATCH/404-$tool" --dest "$D" udnie
	refused "$SCRATCH/404-$tool" "$D" udnie \
		"Style 'udnie' was not installed: the server at 127.0.0.1:$PORT answered with an error (.*404.*udnie/Variable_47)" \
		"$tool 404"
	pass "$tool: missing file on the server reported"
done

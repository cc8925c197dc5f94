#!/usr/bin/env python3
"""A loopback HTTP server for the download tests: serves DIR with Range
support, logs each request, and can misbehave on purpose.

usage: server.py DIR PORTFILE LOG [--stall SUBSTR:BYTES] [--cut SUBSTR:BYTES[:once]]
                 [--rate BYTES_PER_S]

Port 0 is asked for; the port is written to PORTFILE (atomically). LOG gets
one line per request: "GET /path range=bytes=N- -> 206".
--stall: after BYTES of a file whose path contains SUBSTR, send nothing more
(the connection stays open). --cut: after BYTES, close the connection (with
once: only the first time that file is asked for; later requests are served).
--rate: send every file at about this many bytes per second."""
import argparse
import functools
import http.server
import os
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument('dir')
ap.add_argument('portfile')
ap.add_argument('log')
ap.add_argument('--stall')
ap.add_argument('--cut')
ap.add_argument('--rate', type=int, default=0)
args = ap.parse_args()
lock = threading.Lock()
cut_done = set()


def fault(spec, path):
    """(bytes, once) when spec applies to path, else None."""
    if not spec:
        return None
    parts = spec.split(':')
    if parts[0] not in path:
        return None
    return int(parts[1]), len(parts) > 2 and parts[2] == 'once'


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *a):
        pass

    def note(self, code):
        with lock, open(args.log, 'a') as f:
            f.write(f'GET {self.path} range={self.headers.get("Range", "-")} -> {code}\n')

    def do_GET(self):
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.note(404)
            self.send_error(404)
            return
        size = os.path.getsize(path)
        start, code = 0, 200
        rng = self.headers.get('Range')
        if rng and rng.startswith('bytes=') and rng.endswith('-'):
            start = int(rng[6:-1])
            if start >= size:
                self.note(416)
                self.send_response(416)
                self.send_header('Content-Range', f'bytes */{size}')
                self.send_header('Content-Length', '0')
                self.end_headers()
                return
            code = 206
        self.note(code)
        self.send_response(code)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(size - start))
        if code == 206:
            self.send_header('Content-Range', f'bytes {start}-{size - 1}/{size}')
        self.end_headers()
        stall = fault(args.stall, self.path)
        cut = fault(args.cut, self.path)
        if cut and cut[1]:
            with lock:
                if self.path in cut_done:
                    cut = None
                else:
                    cut_done.add(self.path)
        with open(path, 'rb') as f:
            f.seek(start)
            sent = start
            while sent < size:
                chunk = f.read(16384)
                if stall and sent + len(chunk) >= stall[0]:
                    chunk = chunk[:max(0, stall[0] - sent)]
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(3600)
                    return
                if cut and sent + len(chunk) >= cut[0]:
                    self.wfile.write(chunk[:max(0, cut[0] - sent)])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.wfile.write(chunk)
                sent += len(chunk)
                if args.rate:
                    time.sleep(len(chunk) / args.rate)


srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                      functools.partial(Handler, directory=args.dir))
srv.daemon_threads = True
with open(args.portfile + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
os.rename(args.portfile + '.tmp', args.portfile)
srv.serve_forever()

#!/usr/bin/env python3
"""After a failed sanitizer run: when every failed test failed only because
LeakSanitizer's own tracer crashed ("Tracer caught signal 11 ... LeakSanitizer
has encountered a fatal error", a fault of GCC 12's runtime beside PoCL's LLVM
threads, seen about once in two ASan runs of the whole suite), runs those
tests once more and merges their results into the log. Any other failure is
left as it is. Usage: retry_lsan.py BUILD_DIR; exit 0 when the run now passes."""
import json
import subprocess
import sys

MARK = "LeakSanitizer has encountered a fatal error"
BAD = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"}


def load(path):
    out = []
    for line in open(path, encoding="utf-8", errors="replace"):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def main():
    build = sys.argv[1]
    path = build + "/meson-logs/testlog.json"
    tests = load(path)
    failed = [t for t in tests if t.get("result") in BAD]
    if not failed:
        return 0
    if any(MARK not in (t.get("stdout") or "") + (t.get("stderr") or "") for t in failed):
        return 1
    names = [t["name"].split(" / ")[-1] for t in failed]
    print("ci: LeakSanitizer's tracer crashed in %s; running %s once more"
          % (", ".join(names), "it" if len(names) == 1 else "them"), flush=True)
    rc = subprocess.call(["meson", "test", "-C", build, "--print-errorlogs"] + names)
    again = {t["name"]: t for t in load(path)}
    with open(path, "w", encoding="utf-8") as f:
        for t in tests:
            f.write(json.dumps(again.get(t["name"], t)) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())

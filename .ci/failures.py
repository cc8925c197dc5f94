#!/usr/bin/env python3
"""Closing summary of meson test logs: each failed test with the tail of
its output, then one line with the counts of all runs."""
import json
import sys

BAD = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"}
counts = {"ok": 0, "failed": 0, "skipped": 0}
failed = []
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        continue
    build = path.split("/")[0]
    for line in lines:
        try:
            t = json.loads(line)
        except ValueError:
            continue
        r = t.get("result", "")
        if r in BAD:
            counts["failed"] += 1
            failed.append((build, t))
        elif r == "SKIP":
            counts["skipped"] += 1
        elif r in ("OK", "EXPECTEDFAIL"):
            counts["ok"] += 1

for build, t in failed:
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    tail = out.splitlines()[-40:]
    print(f"ci: FAILED {build} {t.get('name')} ({t.get('result')}, "
          f"rc {t.get('returncode')}, {t.get('duration', 0):.1f} s); its last lines:")
    for line in tail:
        print("    " + line[:300])
print(f"ci: {counts['ok']} passed, {counts['failed']} failed, {counts['skipped']} skipped")

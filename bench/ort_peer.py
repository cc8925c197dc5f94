"""ONNX Runtime (onnxruntime-node, CPU) as a peer of bench/compare.py, through
bench/ort_run.js: the package is installed by bench/ort_install.sh outside
the repository; Node runs it with a fixed number of intra-op threads."""
import json
import os
import shutil
import subprocess

import numpy as np

VERSION = "1.30.0"   # what bench/ort_install.sh pins
HERE = os.path.dirname(os.path.abspath(__file__))


def default_dir():
    """$STYLECAM_ORT, else the first cache folder holding the package
    ($XDG_CACHE_HOME, then ~/.cache: tests set their own XDG_CACHE_HOME)."""
    if os.environ.get("STYLECAM_ORT"):
        return os.environ["STYLECAM_ORT"]
    dirs = [os.path.join(c, "stylecam-bench", "ort")
            for c in (os.environ.get("XDG_CACHE_HOME"),
                      os.path.join(os.path.expanduser("~"), ".cache")) if c]
    for d in dirs:
        if os.path.isfile(os.path.join(d, "node_modules", "onnxruntime-node", "package.json")):
            return d
    return dirs[-1]


def find(folder):
    """(node, node_modules folder), or raises RuntimeError saying what is missing."""
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        raise RuntimeError("node is missing (Debian: apt install nodejs npm)")
    mods = os.path.join(folder, "node_modules")
    if not os.path.isfile(os.path.join(mods, "onnxruntime-node", "package.json")):
        raise RuntimeError("onnxruntime-node is not installed in %s (bench/ort_install.sh)"
                           % folder)
    return node, mods


def version(mods):
    with open(os.path.join(mods, "onnxruntime-node", "package.json")) as f:
        return json.load(f)["version"]


def run(ort, model, rgb, threads, warmup, frames, tmp):
    """Runs the export on rgb (H x W x 3 uint8): (H' x W' x 3 float32 output,
    per-frame round-trip ms, session.run ms)."""
    node, mods = ort
    h, w = rgb.shape[:2]
    inp = os.path.join(tmp, "ort_in_%dx%d.rgb" % (w, h))
    out = os.path.join(tmp, "ort_out_%dx%d.f32" % (w, h))
    job = os.path.join(tmp, "ort_job_%dx%d.json" % (w, h))
    np.ascontiguousarray(rgb, dtype=np.uint8).tofile(inp)
    with open(job, "w") as f:
        json.dump({"model": model, "input": inp, "output": out, "w": w, "h": h,
                   "threads": threads, "warmup": warmup, "frames": frames}, f)
    env = dict(os.environ, NODE_PATH=mods)
    p = subprocess.run([node, os.path.join(HERE, "ort_run.js"), job], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("ONNX Runtime failed (exit %d): %s"
                           % (p.returncode, (p.stderr or p.stdout).strip()[-300:]))
    res = json.loads(p.stdout)
    y = np.fromfile(out, dtype="<f4")
    if y.size != res["out_w"] * res["out_h"] * 3:
        raise RuntimeError("ONNX Runtime wrote %d floats for %dx%d" % (y.size, res["out_w"],
                                                                       res["out_h"]))
    return y.reshape(res["out_h"], res["out_w"], 3), res["frame_ms"], res["run_ms"]

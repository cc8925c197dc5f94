#!/usr/bin/python3
"""Side-by-side: stylecam against ONNX Runtime, OpenCV DNN and PyTorch running the
same network.

One style, one machine, one go: builds Engstrom's fast-style-transfer (as ml5 runs
it) in PyTorch from the style folder, checks it against the golden references,
exports it to ONNX for ONNX Runtime (onnxruntime-node, bench/ort_run.js) and
OpenCV's DNN module, checks that all engines agree on a photo at each size, then
times each engine per frame, --rounds times, keeping each engine's best round.
See bench/README.md.

Exit status: 0 all outputs agree, 1 an output disagrees beyond tolerance,
2 a usage or run error, 77 PyTorch or OpenCV cannot be imported.
"""
import argparse
import glob
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

GOLDEN_TOL = 1e-3        # float, PyTorch vs the TensorFlow.js references
ONNX_TOL = 1e-3          # float, OpenCV DNN vs PyTorch
LEVEL_TOL = 2            # 8-bit levels, stylecam vs PyTorch ...
LEVEL_OUTLIERS = 0.001   # ... except at most this fraction of values
WARMUP = 2               # frames each engine runs before it is timed

try:
    import numpy as np
    import torch
    import cv2
except ImportError as e:
    print("SKIP: bench/compare.py needs PyTorch, OpenCV and NumPy for Python 3 "
          "(Debian: bench/deps.sh installs python3-torch python3-opencv python3-numpy "
          "python3-onnx); %s. Run it with /usr/bin/python3 so Debian's packages "
          "are importable." % e)
    sys.exit(77)


# ---------------------------------------------------------------- the network

from stylenet import StyleNet, load_style, network_macs, out_size  # noqa: E402
import ort_peer  # noqa: E402


# ---------------------------------------------------------------- engines

def to_nchw(rgb):
    return torch.from_numpy(rgb).permute(2, 0, 1).unsqueeze(0).float()


def run_torch(net, rgb):
    """H×W×3 uint8 -> H'×W'×3 float32 0..1."""
    with torch.inference_mode():
        y = net(to_nchw(rgb))
    return y[0].permute(1, 2, 0).contiguous().numpy()


def run_cv(cvnet, rgb):
    blob = cv2.dnn.blobFromImage(rgb.astype(np.float32))   # NCHW, no scaling, no swap
    cvnet.setInput(blob)
    y = cvnet.forward()
    return np.ascontiguousarray(y[0].transpose(1, 2, 0))


def export_onnx(net, w, h, path, opset):
    dummy = torch.zeros(1, 3, h, w)
    with torch.inference_mode(), warnings.catch_warnings():
        # The sizes are fixed per export, which is what the tracer warns about.
        warnings.simplefilter("ignore")
        torch.onnx.export(net, dummy, path, opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
    try:
        import onnx
        onnx.checker.check_model(onnx.load(path))
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    except ImportError:
        ops = None
    return ops


def load_cv(path):
    cvnet = cv2.dnn.readNetFromONNX(path)
    cvnet.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    cvnet.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    return cvnet


def time_frames(fn, frames):
    for _ in range(WARMUP):
        fn()
    t = []
    for _ in range(frames):
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1e3)
    return stats(t)


def stats(t):
    """Median, p10, p90 picked as stylecam's bench picks them."""
    t = sorted(t)
    n = len(t)
    med = t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2
    return {"frames": n, "ms_median": med, "ms_p10": t[n // 10],
            "ms_p90": t[min(n * 9 // 10, n - 1)], "ms_min": t[0], "ms_max": t[-1],
            "fps": 1e3 / med}


def stylecam_env(threads):
    env = dict(os.environ)
    # PoCL's CPU device: one worker thread per core unless told (3.x, 4.x names).
    env["POCL_MAX_PTHREAD_COUNT"] = str(threads)
    env["POCL_CPU_MAX_CU_COUNT"] = str(threads)
    return env


def stylecam_cmd(a, *rest):
    cmd = [a.stylecam, rest[0], "--models", a.models, "--style", a.style]
    if a.cl_device is not None:
        cmd += ["--cl-device", str(a.cl_device)]
    return cmd + list(rest[1:])


def run_stylecam(a, args, what):
    p = subprocess.run(stylecam_cmd(a, *args), env=stylecam_env(a.threads),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("stylecam %s failed (exit %d): %s"
                           % (what, p.returncode, (p.stderr or p.stdout).strip()))
    return p.stdout


# ---------------------------------------------------------------- checks

def to_levels(f):
    """0..1 floats -> 8-bit levels, rounded as stylecam rounds (+0.5, truncate)."""
    return np.floor(np.clip(f * 255.0, 0, 255) + 0.5).astype(np.int16)


def read_rgb(path):
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise RuntimeError("cannot read the image %s" % path)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def photo_at(photo, w, h):
    """Centre-crop the photo to w:h, then resize (area filter) to w×h."""
    ph, pw = photo.shape[:2]
    if pw * h > ph * w:
        cw, ch = ph * w // h, ph
    else:
        cw, ch = pw, pw * h // w
    x0, y0 = (pw - cw) // 2, (ph - ch) // 2
    crop = photo[y0:y0 + ch, x0:x0 + cw]
    interp = cv2.INTER_AREA if cw >= w else cv2.INTER_CUBIC
    return np.ascontiguousarray(cv2.resize(crop, (w, h), interpolation=interp))


def check_golden(a, failures):
    """PyTorch vs every TensorFlow.js reference in the golden folder."""
    rows = []
    files = sorted(glob.glob(os.path.join(a.golden, "*.f32")))
    if a.golden_style_only:
        files = [f for f in files if f.endswith(".%s.f32" % a.style)]
    nets = {}
    for f in files:
        m = re.match(r"(.+_(\d+)x(\d+))\.([A-Za-z0-9_]+)\.f32$", os.path.basename(f))
        if not m:
            continue
        stem, w, h, style = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        sdir = os.path.join(a.models, style)
        if not os.path.isdir(sdir):
            continue
        if style not in nets:
            nets[style] = StyleNet(load_style(sdir)).eval()
        rgb = read_rgb(os.path.join(a.golden, stem + ".png"))
        ow, oh = out_size(w, h)
        ref = np.fromfile(f, dtype="<f4")
        if ref.size != ow * oh * 3:
            raise RuntimeError("%s holds %d floats, expected %dx%dx3" % (f, ref.size, oh, ow))
        out = run_torch(nets[style], rgb)
        d = float(np.abs(out - ref.reshape(oh, ow, 3)).max())
        ok = d <= GOLDEN_TOL
        rows.append({"file": os.path.basename(f), "max_abs_diff": d, "ok": ok})
        print("  golden %-36s PyTorch max |diff| %.2e  %s"
              % (os.path.basename(f), d, "ok" if ok else "FAIL"))
        if not ok:
            failures.append("PyTorch vs golden %s: max |diff| %.2e > %.0e"
                            % (os.path.basename(f), d, GOLDEN_TOL))
    if not rows:
        print("  golden: no references for style %s in %s" % (a.style, a.golden))
    return rows


def check_levels(name, got, want, failures):
    d = np.abs(got.astype(np.int16) - want)
    over = int((d > LEVEL_TOL).sum())
    frac = over / d.size
    ok = frac <= LEVEL_OUTLIERS
    if not ok:
        failures.append("%s: %d of %d values (%.3f%%) differ by more than %d levels"
                        " (max %d)" % (name, over, d.size, 100 * frac, LEVEL_TOL, d.max()))
    return {"max_levels": int(d.max()), "over_tol": over, "over_frac": frac, "ok": ok}


# ---------------------------------------------------------------- report

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def print_table(size, rows, sc_ms):
    w, h = size
    print("\n%dx%d  (network output %dx%d, %.3f GMAC per frame)"
          % (w, h, *out_size(w, h), network_macs(w, h) * 1e-9))
    print("  %-22s %26s %8s %9s %16s" % ("engine", "ms median (p10-p90)", "fps",
                                         "GFLOP/s", "ratio peer/sc"))
    for name, r in rows:
        span = "%.1f (%.1f-%.1f)" % (r["ms_median"], r["ms_p10"], r["ms_p90"])
        ratio = "-" if name.startswith("stylecam") else "%.2f" % (r["ms_median"] / sc_ms)
        gf = 2 * network_macs(w, h) / (r["ms_median"] * 1e6)
        print("  %-22s %26s %8.2f %9.1f %16s" % (name, span, r["fps"], gf, ratio))


# ---------------------------------------------------------------- main

def parse_size(s):
    m = re.fullmatch(r"(\d+)x(\d+)", s)
    if not m or not (16 <= int(m.group(1)) <= 8192 and 16 <= int(m.group(2)) <= 8192):
        raise argparse.ArgumentTypeError("size must be WxH, each 16..8192, e.g. 320x240")
    return int(m.group(1)), int(m.group(2))


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get("STYLECAM_SHARED", os.path.join(here, "..", "..", "shared"))
    p = argparse.ArgumentParser(description="Time stylecam against PyTorch and OpenCV DNN "
                                "on the same network, and check that all agree.")
    p.add_argument("--style", default="udnie", help="style name (default udnie)")
    p.add_argument("--size", action="append", type=parse_size, metavar="WxH",
                   help="frame size, repeatable (default 320x240 and 640x480)")
    p.add_argument("--frames", type=int, default=10, help="timed frames per engine and size")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for every engine (default: all cores)")
    p.add_argument("--stylecam", default=os.environ.get("STYLECAM_BIN") or
                   shutil.which("stylecam") or "stylecam", help="the stylecam binary")
    p.add_argument("--models", default=os.path.join(shared, "models"),
                   help="folder of style folders (default ../shared/models)")
    p.add_argument("--golden", help="golden references (default: MODELS/../golden)")
    p.add_argument("--golden-style-only", action="store_true",
                   help="check only the references for --style, not every style's")
    p.add_argument("--image", help="photo to stylize (default: MODELS/../images/coffee.png)")
    p.add_argument("--cl-device", type=int, help="stylecam's OpenCL device number")
    p.add_argument("--onnx-norm", choices=("auto", "builtin", "explicit"), default="auto",
                   help="instance norm in the ONNX export: the InstanceNormalization op, "
                   "explicit reductions, or the first OpenCV runs (default)")
    p.add_argument("--opset", type=int, default=11, help="ONNX opset (>= 11, default 11)")
    p.add_argument("--keep", metavar="DIR", help="keep the ONNX files and images here")
    p.add_argument("--json", metavar="OUT", help="write every figure and check as JSON")
    p.add_argument("--rounds", type=int, default=1,
                   help="time every engine this many times, keeping each one's best round")
    p.add_argument("--ort", metavar="DIR",
                   help="where bench/ort_install.sh put onnxruntime-node (default "
                   "$STYLECAM_ORT, else the cache's stylecam-bench/ort; skipped when absent)")
    p.add_argument("--no-ort", action="store_true", help="leave ONNX Runtime out")
    a = p.parse_args()
    if a.rounds < 1:
        p.error("--rounds must be at least 1")
    a.ort_note = None
    if a.no_ort:
        a.ort = None
    else:
        try:
            a.ort = ort_peer.find(a.ort or ort_peer.default_dir())
        except RuntimeError as e:
            if a.ort:      # asked for by name: its absence is an error
                p.error("ONNX Runtime: %s" % e)
            a.ort, a.ort_note = None, str(e)
    a.size = a.size or [(320, 240), (640, 480)]
    if a.frames < 1 or a.threads < 1 or a.opset < 11:
        p.error("--frames and --threads must be at least 1, --opset at least 11")
    a.models = os.path.abspath(a.models)
    a.golden = a.golden or os.path.join(a.models, "..", "golden")
    a.image = a.image or os.path.join(a.models, "..", "images", "coffee.png")
    if not os.path.isdir(os.path.join(a.models, a.style)):
        p.error("no style folder %s in %s (--models, --style)" % (a.style, a.models))
    if not (os.path.isfile(a.stylecam) and os.access(a.stylecam, os.X_OK)):
        p.error("stylecam binary %r not found or not executable (--stylecam, "
                "or build it: meson setup build && ninja -C build)" % a.stylecam)
    return a


def bench_size(a, size, tmp, net, photo, failures):
    w, h = size
    rgb = photo_at(photo, w, h)
    in_png = os.path.join(tmp, "in_%dx%d.png" % (w, h))
    sc_png = os.path.join(tmp, "stylecam_%dx%d.png" % (w, h))
    onnx_path = os.path.join(tmp, "%s_%dx%d.onnx" % (a.style, w, h))
    cv2.imwrite(in_png, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    res = {"w": w, "h": h}

    ref = run_torch(net, rgb)
    ow, oh = out_size(w, h)
    if ref.shape != (oh, ow, 3):
        raise RuntimeError("PyTorch output %s, expected %dx%dx3" % (ref.shape, oh, ow))

    # OpenCV DNN on the ONNX export of the portable spelling; should OpenCV lack
    # InstanceNormalization, the explicit mean/variance one.
    cvnet, ops, last = None, None, None
    for norm in ("builtin", "explicit") if a.onnx_norm == "auto" else (a.onnx_norm,):
        m = StyleNet(net.v, norm, portable=True).eval()
        # The rewrite must be the same function as the reference spelling.
        dn = float(np.abs(run_torch(m, rgb) - ref).max())
        res["export_model_vs_torch_%s" % norm] = dn
        if dn > ONNX_TOL:
            failures.append("%dx%d portable (%s norm) vs reference PyTorch model: %.2e"
                            % (w, h, norm, dn))
        try:
            ops = export_onnx(m, w, h, onnx_path, a.opset)
            cvnet = load_cv(onnx_path)
            out_cv = run_cv(cvnet, rgb)
        except (cv2.error, RuntimeError) as e:
            msg = str(e).strip()
            last = "%s norm: %s" % (norm, msg[-300:] if msg else type(e).__name__)
            print("  OpenCV could not run the %s-norm export (%s)" % (norm, last))
            cvnet = None
            continue
        res["onnx_norm"] = norm
        res["onnx_ops"] = ops
        break
    if cvnet is None:
        raise RuntimeError("OpenCV's DNN module cannot run the ONNX export (%s)" % last)
    d_cv = float(np.abs(out_cv - ref).max()) if out_cv.shape == ref.shape else float("inf")
    res["opencv_vs_torch_max_abs"] = d_cv
    if not d_cv <= ONNX_TOL:
        failures.append("%dx%d OpenCV vs PyTorch: max |diff| %.2e > %.0e (shape %s vs %s)"
                        % (w, h, d_cv, ONNX_TOL, out_cv.shape, ref.shape))

    # stylecam on the same photo, 8-bit at the input size.
    run_stylecam(a, ["stylize", in_png, sc_png], "stylize")
    sc = read_rgb(sc_png)
    ref8 = to_levels(ref[:h, :w])
    if sc.shape != ref8.shape:
        failures.append("%dx%d stylecam stylize wrote %dx%d" % (w, h, sc.shape[1], sc.shape[0]))
        res["stylecam_vs_torch"] = {"ok": False}
    else:
        res["stylecam_vs_torch"] = check_levels("%dx%d stylecam vs PyTorch" % (w, h),
                                                sc, ref8, failures)
    res["opencv_vs_torch_levels"] = check_levels(
        "%dx%d OpenCV vs PyTorch (8-bit)" % (w, h), to_levels(out_cv[:h, :w]), ref8, failures)
    print("  %dx%d  OpenCV vs PyTorch max |diff| %.2e (%s norm);  stylecam vs PyTorch "
          "max %s levels, %d values over %d"
          % (w, h, d_cv, res["onnx_norm"], res["stylecam_vs_torch"].get("max_levels", "?"),
             res["stylecam_vs_torch"].get("over_tol", -1), LEVEL_TOL))
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        for f in (in_png, sc_png, onnx_path):
            shutil.copy(f, a.keep)
    # The export is rewritten per size (and per norm above): ONNX Runtime's copy.
    ort_model = os.path.join(tmp, "ort_%s_%dx%d.onnx" % (a.style, w, h))
    shutil.copy(onnx_path, ort_model)
    if a.ort:
        check_ort(a, res, rgb, ref, ref8, sc, ort_model, tmp, failures)

    timers = {"torch": lambda: time_frames(lambda: run_torch(net, rgb), a.frames),
              "opencv": lambda: time_frames(lambda: run_cv(cvnet, rgb), a.frames)}
    if a.ort:
        timers["ort"] = lambda: time_ort(a, rgb, ort_model, tmp)
    return res, timers


def check_ort(a, res, rgb, ref, ref8, sc, model, tmp, failures):
    """ONNX Runtime's output against PyTorch's (float) and stylecam's (8-bit)."""
    w, h = rgb.shape[1], rgb.shape[0]
    out, _, _ = ort_peer.run(a.ort, model, rgb, a.threads, 0, 1, tmp)
    d = float(np.abs(out - ref).max()) if out.shape == ref.shape else float("inf")
    res["ort_vs_torch_max_abs"] = d
    if not d <= ONNX_TOL:
        failures.append("%dx%d ONNX Runtime vs PyTorch: max |diff| %.2e > %.0e (shape %s vs %s)"
                        % (w, h, d, ONNX_TOL, out.shape, ref.shape))
        return
    ort8 = to_levels(out[:h, :w])
    res["ort_vs_torch_levels"] = check_levels("%dx%d ONNX Runtime vs PyTorch (8-bit)" % (w, h),
                                              ort8, ref8, failures)
    if sc.shape == ort8.shape:
        res["ort_vs_stylecam_levels"] = check_levels(
            "%dx%d ONNX Runtime vs stylecam (8-bit)" % (w, h), sc, ort8, failures)
    print("  %dx%d  ONNX Runtime vs PyTorch max |diff| %.2e;  vs stylecam max %s levels"
          % (w, h, d, res.get("ort_vs_stylecam_levels", {}).get("max_levels", "?")))


def time_ort(a, rgb, model, tmp):
    """One round of ONNX Runtime frames (a fresh Node process, its own warm-up)."""
    _, frame_ms, run_ms = ort_peer.run(a.ort, model, rgb, a.threads, WARMUP, a.frames, tmp)
    st = stats(frame_ms)
    st["session_run_ms_median"] = stats(run_ms)["ms_median"]
    return st


def timed_rounds(a, checked):
    """Times every engine a.rounds times, each round all peers per size and then
    stylecam's bench for all sizes, so a change of load touches every engine;
    keeps each engine's best round (lowest median). Returns stylecam's JSON
    with its best round per size."""
    best_sc = {}
    sc = None
    args = ["bench", "--frames", str(a.frames), "--json"]
    for w, h in a.size:
        args += ["--size", "%dx%d" % (w, h)]
    for rnd in range(a.rounds):
        for res, timers in checked:
            for name, fn in timers.items():
                st = fn()
                res.setdefault(name + "_rounds_ms", []).append(st["ms_median"])
                if name not in res or st["ms_median"] < res[name]["ms_median"]:
                    res[name] = st
        out = run_stylecam(a, args, "bench")
        try:
            sc = json.loads(out)
        except ValueError:
            raise RuntimeError("stylecam bench --json printed no JSON: %r" % out[:200])
        for r in sc.get("results", []):
            key = (r["w"], r["h"])
            rounds = best_sc.get(key, {}).get("rounds_ms", []) + [r["ms_median"]]
            if key not in best_sc or r["ms_median"] < best_sc[key]["ms_median"]:
                best_sc[key] = r
            best_sc[key]["rounds_ms"] = rounds
        print("  round %d of %d done (load average %s)" % (rnd + 1, a.rounds, load_average()))
    sc["results"] = [best_sc[k] for k in sorted(best_sc, key=lambda k: k[0] * k[1])]
    return sc


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    cv2.setNumThreads(a.threads)
    failures = []
    report = {"style": a.style, "threads": a.threads, "frames": a.frames,
              "machine": {"cpu": cpu_model(), "cores": os.cpu_count(),
                          "python": platform.python_version(), "torch": torch.__version__,
                          "opencv": cv2.__version__, "numpy": np.__version__},
              "tolerances": {"golden_float": GOLDEN_TOL, "opencv_float": ONNX_TOL,
                             "levels": LEVEL_TOL, "level_outlier_frac": LEVEL_OUTLIERS}}
    print("bench: style %s, sizes %s, %d frames, %d threads"
          % (a.style, " ".join("%dx%d" % s for s in a.size), a.frames, a.threads))
    load = report["machine"]["load_before"] = load_average()
    if load is not None and load > 0.5 * (os.cpu_count() or 1):
        print("bench: note: load average %.2f on %d cores before the run; other work "
              "will skew the timings" % (load, os.cpu_count() or 1))
    if a.ort:
        report["machine"]["onnxruntime_node"] = ort_peer.version(a.ort[1])
    elif a.ort_note:
        print("bench: ONNX Runtime left out: %s" % a.ort_note)
    try:
        print("checking PyTorch against the golden references:")
        report["golden"] = check_golden(a, failures)
        net = StyleNet(load_style(os.path.join(a.models, a.style))).eval()
        photo = read_rgb(a.image)
        print("checking the engines against each other on %s:" % os.path.basename(a.image))
        with tempfile.TemporaryDirectory(prefix="stylecam-bench-") as tmp:
            checked = [bench_size(a, s, tmp, net, photo, failures) for s in a.size]
            sc = timed_rounds(a, checked)
    except (RuntimeError, OSError, ValueError) as e:
        print("bench: %s" % e, file=sys.stderr)
        return 2
    sizes = [res for res, _ in checked]
    report["rounds"] = a.rounds
    report["machine"]["opencl_device"] = sc.get("device")
    report["machine"]["load_after"] = load_average()
    report["stylecam_peak_gflops"] = sc.get("peak_gflops")
    by_size = {(r["w"], r["h"]): r for r in sc.get("results", [])}
    print("\nmachine: %s, %d cores (load average %s before, %s after); "
          "stylecam OpenCL device: %s; best of %d round(s)"
          % (report["machine"]["cpu"], os.cpu_count(), report["machine"]["load_before"],
             report["machine"]["load_after"], sc.get("device"), a.rounds))
    print("versions: ONNX Runtime %s (onnxruntime-node, CPU), PyTorch %s, OpenCV %s (DNN, CPU "
          "backend); %d threads each"
          % (report["machine"].get("onnxruntime_node", "-"), torch.__version__,
             cv2.__version__, a.threads))
    for r in sizes:
        s = by_size.get((r["w"], r["h"]))
        if not s:
            print("bench: stylecam bench has no result for %dx%d" % (r["w"], r["h"]),
                  file=sys.stderr)
            return 2
        r["stylecam"] = s
        rows = [("stylecam (OpenCL)", s), ("PyTorch %s" % torch.__version__, r["torch"]),
                ("OpenCV DNN %s" % cv2.__version__, r["opencv"])]
        if "ort" in r:
            rows.insert(0, ("ONNX Runtime %s" % report["machine"]["onnxruntime_node"], r["ort"]))
        for name in ("ort", "torch", "opencv"):
            if name in r:
                r[name]["ratio_vs_stylecam"] = r[name]["ms_median"] / s["ms_median"]
        print_table((r["w"], r["h"]), rows, s["ms_median"])
    report["sizes"] = sizes
    report["failures"] = failures
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    if failures:
        print("\nFAIL: outputs disagree beyond tolerance:")
        for f in failures:
            print("  " + f)
        return 1
    print("\nall outputs agree (golden <= %.0e, OpenCV <= %.0e, 8-bit <= %d levels)"
          % (GOLDEN_TOL, ONNX_TOL, LEVEL_TOL))
    return 0


if __name__ == "__main__":
    sys.exit(main())

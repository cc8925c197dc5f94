#!/usr/bin/python3
"""PyTorch beside `stylecam bench --json --dump DIR`, for bench/gpu.sh.

Reads stylecam's bench JSON (per-size times, per-layer GFLOP/s against the
device's FMA peak, and with --dump the raw input and float output of each
size), runs the same network in PyTorch (bench/stylenet.py) on CUDA when
there is one (fp32 with TF32 off, TF32 as PyTorch's default allows, fp16),
else on the CPU (fp32 only), checks every output against stylecam's on the
same input (PSNR, max |diff|), times each, and writes peers.json and
summary.md into --out. Ratios are peer ms / stylecam ms from the same run.

Exit status: 0 all outputs agree, 1 an output disagrees, 2 a run error,
77 PyTorch or NumPy missing.
"""
import argparse
import json
import os
import platform
import sys
import time

try:
    import numpy as np
    import torch
except ImportError as e:
    print("SKIP: bench/gpu_torch.py needs PyTorch and NumPy for Python 3 (%s)." % e)
    sys.exit(77)

from stylenet import StyleNet, load_style, network_macs  # noqa: E402

PSNR_FP32 = 50.0   # dB, PyTorch fp32 against stylecam's float output (CPU: ~120)
PSNR_LOW = 40.0    # dB, TF32 and fp16 (the golden tolerance for --fp16)
WARMUP = 3


def psnr(a, b):
    """Peak 1.0 (outputs are 0..1 floats); inf when equal."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else float(10.0 * np.log10(1.0 / mse))


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def stats(t):
    t = sorted(t)
    n = len(t)
    med = t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2
    return {"frames": n, "ms_median": med, "ms_min": t[0], "ms_max": t[-1],
            "ms_p10": t[n // 10], "ms_p90": t[min(n * 9 // 10, n - 1)], "fps": 1e3 / med}


def time_fn(fn, frames, dev):
    for _ in range(WARMUP):
        fn()
    sync(dev)
    t = []
    for _ in range(frames):
        t0 = time.perf_counter()
        fn()
        sync(dev)
        t.append((time.perf_counter() - t0) * 1e3)
    return stats(t)


def variants(dev):
    """(name, dtype, allow_tf32) of what runs on this device."""
    if dev.type != "cuda":
        return [("fp32", torch.float32, False)]
    return [("fp32", torch.float32, False), ("tf32", torch.float32, True),
            ("fp16", torch.float16, False)]


def set_tf32(on):
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def read_dump(r):
    """stylecam's input (h x w x 3 uint8) and float output (oh x ow x 3)."""
    d = r["dump"]
    w, h, ow, oh = d["w"], d["h"], d["ow"], d["oh"]
    rgb = np.fromfile(d["input"], dtype=np.uint8)
    sc = np.fromfile(d["output"], dtype="<f4")
    if rgb.size != w * h * 3 or sc.size != ow * oh * 3:
        raise RuntimeError("%s or %s has the wrong size for %dx%d (output %dx%d)"
                           % (d["input"], d["output"], w, h, ow, oh))
    return rgb.reshape(h, w, 3), sc.reshape(oh, ow, 3)


def bench_picture(w, h):
    """stylecam bench's first picture (fill_frame at t = 0), for a run without stylecam."""
    x = np.arange(w)[None, :].repeat(h, 0)
    y = np.arange(h)[:, None].repeat(w, 1)
    return np.stack([x & 255, (y * 2) & 255, (x ^ y) & 255], axis=2).astype(np.uint8)


def run_size(net_by_dtype, dev, rgb, sc, frames, failures):
    """Times each variant on rgb; checks it against stylecam's output sc (None: no checks)."""
    h, w = rgb.shape[:2]
    host = torch.from_numpy(rgb)
    if dev.type == "cuda":
        host = host.pin_memory()
    rows = {}
    ref32 = None
    for name, dtype, tf32 in variants(dev):
        set_tf32(tf32)
        net = net_by_dtype[dtype]
        x_dev = host.to(dev).permute(2, 0, 1).unsqueeze(0).to(dtype)

        def forward():
            with torch.inference_mode():
                return net(x_dev)

        def round_trip():
            # As stylecam's bench: 8-bit RGB in host memory to float RGB in host memory.
            with torch.inference_mode():
                x = host.to(dev, non_blocking=True).permute(2, 0, 1).unsqueeze(0).to(dtype)
                y = net(x)
                return y[0].permute(1, 2, 0).float().contiguous().cpu()

        out = round_trip().numpy()
        if sc is None:
            rows[name] = {"round_trip": time_fn(round_trip, frames, dev),
                          "forward": time_fn(forward, frames, dev), "ok": None,
                          "psnr_vs_torch_fp32": psnr(out, ref32) if ref32 is not None else None}
            ref32 = out if ref32 is None else ref32
            print("  %dx%d PyTorch %-4s %8.2f ms round trip (%.2f forward), not checked: no "
                  "stylecam output" % (w, h, name, rows[name]["round_trip"]["ms_median"],
                                       rows[name]["forward"]["ms_median"]))
            continue
        if out.shape != sc.shape:
            failures.append("%dx%d PyTorch %s output %s, stylecam %s"
                            % (w, h, name, out.shape, sc.shape))
            continue
        if name == "fp32":
            ref32 = out
        p_sc = psnr(out, sc)
        row = {"psnr_vs_stylecam": p_sc,
               "max_abs_vs_stylecam": float(np.abs(out - sc).max()),
               "psnr_vs_torch_fp32": psnr(out, ref32) if name != "fp32" and ref32 is not None
                                     else None,
               "round_trip": time_fn(round_trip, frames, dev),
               "forward": time_fn(forward, frames, dev)}
        limit = PSNR_FP32 if name == "fp32" else PSNR_LOW
        row["ok"] = p_sc >= limit
        if not row["ok"]:
            failures.append("%dx%d PyTorch %s vs stylecam: PSNR %.1f dB < %.0f dB (max |diff| "
                            "%.2e)" % (w, h, name, p_sc, limit, row["max_abs_vs_stylecam"]))
        rows[name] = row
        print("  %dx%d PyTorch %-4s %8.2f ms round trip (%.2f forward)  vs stylecam: PSNR "
              "%.1f dB, max |diff| %.2e  %s" % (w, h, name, row["round_trip"]["ms_median"],
                                               row["forward"]["ms_median"], p_sc,
                                               row["max_abs_vs_stylecam"],
                                               "ok" if row["ok"] else "FAIL"))
    set_tf32(False)
    return rows


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def summary(sc, sizes, dev_name, report):
    lines = ["# stylecam beside PyTorch, %s" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             "",
             "- stylecam OpenCL device: %s" % sc.get("device"),
             "- its measured FMA peak: %.1f GFLOP/s (float%d chains)"
             % (sc.get("peak_gflops", 0), sc.get("peak_vector_width", 0)),
             "- load average before: %s" % load_average(),
             "- PyTorch %s on %s" % (torch.__version__, dev_name),
             "- style %s; ms per frame, median of %s frames, each a round trip from 8-bit RGB "
             "in host memory to float RGB in host memory (PyTorch's forward alone in brackets); "
             "ratio = peer ms / stylecam ms (above 1: stylecam faster)"
             % (sc.get("style"), report["frames"]),
             "",
             "| size | engine | ms median (min) | fps | GFLOP/s | ratio peer/stylecam | "
             "PSNR vs stylecam |",
             "|---|---|---|---|---|---|---|"]
    by_size = {"%dx%d" % (r["w"], r["h"]): r for r in sc["results"]}
    for key, rows in sizes.items():
        w, h = (int(v) for v in key.split("x"))
        gm = network_macs(w, h)
        r = by_size.get(key)
        if r:
            lines.append("| %dx%d | **stylecam** (OpenCL) | **%.2f** (%.2f) | %.1f | %.0f (%.0f%% "
                         "of peak) | – | – |" % (w, h, r["ms_median"], r["ms_min"], r["fps"],
                                                 r["gflops"], r.get("pct_peak", 0)))
        else:
            lines.append("| %dx%d | stylecam | did not run | | | | |" % (w, h))
        for name, row in rows.items():
            t = row["round_trip"]
            ratio = "%.2f" % (t["ms_median"] / r["ms_median"]) if r else "–"
            p = row.get("psnr_vs_stylecam")
            lines.append("| | PyTorch %s | %.2f (%.2f) [%.2f] | %.1f | %.0f | %s | %s |"
                         % (name, t["ms_median"], t["ms_min"], row["forward"]["ms_median"],
                            t["fps"], 2 * gm / (t["ms_median"] * 1e6), ratio,
                            "%.1f dB" % p if p is not None else "–"))
    for r in sc["results"]:
        lines += ["", "stylecam per layer at %dx%d (GFLOP/s from the multiply-adds the kernels "
                  "perform; Winograd's direct-equivalent in brackets):" % (r["w"], r["h"]), "",
                  "| layer | ms | GFLOP/s | % of peak |", "|---|---|---|---|"]
        for ly in r.get("layers", []):
            if ly.get("gmacs_real", 0) > 0:
                direct = ("" if abs(ly["gflops_direct"] - ly["gflops_real"]) < 0.01
                          else " [%.0f]" % ly["gflops_direct"])
                lines.append("| %s | %.2f | %.0f%s | %.1f |" % (ly["name"], ly["ms"],
                                                                 ly["gflops_real"], direct,
                                                                 ly["pct_peak"]))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sc-json", help="stylecam bench --json --dump output")
    ap.add_argument("--sizes", nargs="*", default=[],
                    help="without --sc-json: sizes WxH to time PyTorch alone at")
    ap.add_argument("--models", required=True)
    ap.add_argument("--style", default="udnie")
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.device == "cuda" or (a.device == "auto" and torch.cuda.is_available()):
        dev = torch.device("cuda")
        torch.backends.cudnn.benchmark = True
        dev_name = "CUDA, %s" % torch.cuda.get_device_name(0)
    else:
        dev = torch.device("cpu")
        dev_name = "the CPU (%d threads; no CUDA device, so fp32 only)" % torch.get_num_threads()
    failures = []
    try:
        if a.sc_json:
            with open(a.sc_json) as f:
                sc = json.load(f)
        else:
            sc = {"device": "none (stylecam did not run)", "style": a.style, "results": []}
        base = StyleNet(load_style(os.path.join(a.models, a.style))).eval()
        nets = {torch.float32: base.to(dev)}
        if dev.type == "cuda":
            nets[torch.float16] = StyleNet(base.v).eval().to(dev).half()
        print("PyTorch %s on %s:" % (torch.__version__, dev_name))
        sizes = {}
        for r in sc["results"]:
            if "dump" not in r:
                raise RuntimeError("stylecam's JSON has no dump for %dx%d (run it with --dump)"
                                   % (r["w"], r["h"]))
            rgb, out = read_dump(r)
            sizes["%dx%d" % (r["w"], r["h"])] = run_size(nets, dev, rgb, out, a.frames, failures)
        if not a.sc_json:
            for key in a.sizes:
                w, h = (int(v) for v in key.split("x"))
                sizes[key] = run_size(nets, dev, bench_picture(w, h), None, a.frames, failures)
    except (RuntimeError, OSError, ValueError, KeyError) as e:
        print("gpu_torch: %s" % e, file=sys.stderr)
        return 2
    report = {"torch": torch.__version__, "device": dev_name, "frames": a.frames,
              "python": platform.python_version(), "stylecam": sc, "torch_sizes": sizes,
              "tolerances_psnr_db": {"fp32": PSNR_FP32, "tf32": PSNR_LOW, "fp16": PSNR_LOW},
              "failures": failures}
    with open(os.path.join(a.out, "peers.json"), "w") as f:
        json.dump(report, f, indent=1)
    text = summary(sc, sizes, dev_name, report)
    with open(os.path.join(a.out, "summary.md"), "w") as f:
        f.write(text)
    print("\n" + text)
    if failures:
        print("FAIL: outputs disagree:\n  " + "\n  ".join(failures))
        return 1
    if not sc["results"]:
        print("stylecam did not run: PyTorch was timed alone, nothing was checked")
        return 0
    print("all outputs agree (PSNR >= %.0f dB fp32, >= %.0f dB TF32 and fp16)"
          % (PSNR_FP32, PSNR_LOW))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Engstrom's fast-style-transfer as ml5 runs it, in PyTorch, from a style folder.

Shared by bench/compare.py (CPU peers) and bench/gpu_torch.py (CUDA peer);
needs only NumPy and PyTorch. See bench/README.md, "How the network was
translated".
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F


def load_style(folder):
    """The style's 48 variables as float32 arrays in their manifest shapes."""
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    v = {}
    for name, ent in manifest.items():
        a = np.fromfile(os.path.join(folder, ent["filename"]), dtype="<f4")
        shape = tuple(ent["shape"])
        if a.size != math.prod(shape):
            raise ValueError("%s/%s holds %d floats, the manifest says %s"
                             % (folder, ent["filename"], a.size, shape))
        v[name] = a.reshape(shape)
    return v


def var(v, i):
    return v["Variable" if i == 0 else "Variable_%d" % i]


def same_pads(n, k, s):
    """TensorFlow 'SAME': (before, after), the smaller half before."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def out_size(w, h):
    """The network's output size: two stride-2 convs up (ceil), two x2 up."""
    return 4 * (-(-(-(-w // 2)) // 2)), 4 * (-(-(-(-h // 2)) // 2))


def zero_pad(x, left, right, top, bottom):
    """F.pad(x, (left, right, top, bottom)) with zeros, spelled as a concatenation
    with constant zero blocks: torch 1.13 exports F.pad's pads as a computed
    tensor that OpenCV 4.6's ONNX importer cannot read; Concat of constants it can."""
    n, c, h, w = (int(d) for d in x.shape)
    parts = []
    if left:
        parts.append(x.new_zeros(n, c, h, left))
    parts.append(x)
    if right:
        parts.append(x.new_zeros(n, c, h, right))
    x = torch.cat(parts, dim=3) if len(parts) > 1 else x
    w += left + right
    parts = []
    if top:
        parts.append(x.new_zeros(n, c, top, w))
    parts.append(x)
    if bottom:
        parts.append(x.new_zeros(n, c, bottom, w))
    return torch.cat(parts, dim=2) if len(parts) > 1 else x


class StyleNet(torch.nn.Module):
    """Input N×3×H×W floats 0..255, output N×3×H'×W' floats 0..1.

    norm='builtin' uses F.instance_norm (ONNX InstanceNormalization);
    norm='explicit' spells it as mean/variance reductions (ReduceMean, Sub, Mul,
    Sqrt, Div), the same arithmetic, for importers without the op.
    portable=True spells the two constructs torch 1.13 exports in forms OpenCV 4.6
    cannot import (Pad with computed pads, Clip with min/max inputs) as Concat with
    zero blocks and Relu/Sub; the PyTorch timings use portable=False.
    """

    def __init__(self, v, norm="builtin", portable=False):
        super().__init__()
        self.norm_kind = norm
        self.portable = portable
        def t(a):
            return torch.from_numpy(np.ascontiguousarray(a))
        self.v = v   # kept to rebuild the net with the other norm
        conv_ids = [0, 3, 6] + [b + j for b in (9, 15, 21, 27, 33) for j in (0, 3)] + [45]
        for i in conv_ids:
            # TF conv filter [kh, kw, in, out] -> torch [out, in, kh, kw]
            self.register_buffer("w%d" % i, t(var(v, i)).permute(3, 2, 0, 1).contiguous())
        for i in (39, 42):
            # TF conv2d_transpose filter [kh, kw, out, in] -> torch [in, out, kh, kw]
            self.register_buffer("w%d" % i, t(var(v, i)).permute(3, 2, 0, 1).contiguous())
        for i in conv_ids + [39, 42]:
            self.register_buffer("shift%d" % i, t(var(v, i + 1)))
            self.register_buffer("scale%d" % i, t(var(v, i + 2)))

    def norm(self, x, i):
        shift, scale = getattr(self, "shift%d" % i), getattr(self, "scale%d" % i)
        if self.norm_kind == "builtin":
            return F.instance_norm(x, weight=scale, bias=shift, eps=1e-3)
        mu = x.mean(dim=(2, 3), keepdim=True)
        d = x - mu
        var_ = (d * d).mean(dim=(2, 3), keepdim=True)
        return d / torch.sqrt(var_ + 1e-3) * scale.view(1, -1, 1, 1) + shift.view(1, -1, 1, 1)

    def conv(self, x, i, stride):
        w = getattr(self, "w%d" % i)
        k = w.shape[2]
        h, wd = x.shape[2], x.shape[3]
        if isinstance(h, torch.Tensor):   # tracing: sizes are fixed per export
            h, wd = int(h), int(wd)
        pt, pb = same_pads(h, k, stride)
        pl, pr = same_pads(wd, k, stride)
        if pt == pb and pl == pr:
            y = F.conv2d(x, w, stride=stride, padding=(pt, pl))
        else:
            pad = zero_pad if self.portable else lambda x, *p: F.pad(x, p)
            y = F.conv2d(pad(x, pl, pr, pt, pb), w, stride=stride)
        return self.norm(y, i)

    def deconv(self, x, i):
        # TF's SAME transposed conv, stride 2, h -> 2h: the adjoint of the SAME
        # conv 2h -> h, which pads p before (0 for k 3) and the rest after. So the
        # full transposed conv, (h-1)*2+k, cropped to [p, p+2h).
        w = getattr(self, "w%d" % i)
        h, wd = x.shape[2], x.shape[3]
        if isinstance(h, torch.Tensor):
            h, wd = int(h), int(wd)
        y = F.conv_transpose2d(x, w, stride=2)
        pt, pl = same_pads(2 * h, w.shape[2], 2)[0], same_pads(2 * wd, w.shape[3], 2)[0]
        return self.norm(y[:, :, pt:pt + 2 * h, pl:pl + 2 * wd], i)

    def forward(self, x):
        x = F.relu(self.conv(x, 0, 1))
        x = F.relu(self.conv(x, 3, 2))
        x = F.relu(self.conv(x, 6, 2))
        for b in (9, 15, 21, 27, 33):
            x = x + self.conv(F.relu(self.conv(x, b, 1)), b + 3, 1)
        x = F.relu(self.deconv(x, 39))
        x = F.relu(self.deconv(x, 42))
        x = 127.5 + 150.0 * torch.tanh(self.conv(x, 45, 1))
        if self.portable:   # clamp to 0..255 (equal up to rounding, ~1e-7 after /255)
            return (255.0 - F.relu(255.0 - F.relu(x))) / 255.0
        return torch.clamp(x, 0.0, 255.0) / 255.0


def network_macs(w, h):
    """Useful multiply-adds per frame (the transposed convs counted per input
    pixel), the same count stylecam's bench reports as gmacs."""
    macs = 0
    c1 = w * h * 81 * 3 * 32
    w2, h2 = -(-w // 2), -(-h // 2)
    w3, h3 = -(-w2 // 2), -(-h2 // 2)
    macs += c1 + w2 * h2 * 9 * 32 * 64 + w3 * h3 * 9 * 64 * 128
    macs += 10 * w3 * h3 * 9 * 128 * 128
    macs += w3 * h3 * 9 * 128 * 64 + (2 * w3) * (2 * h3) * 9 * 64 * 32
    macs += (4 * w3) * (4 * h3) * 81 * 32 * 3
    return macs



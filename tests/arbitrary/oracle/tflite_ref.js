#!/usr/bin/env node
// References for arbitrary style transfer from TensorFlow Lite's own runtime:
// the WebAssembly build that npm @tensorflow/tfjs-tflite@0.0.1-alpha.10 ships
// (wasm/tflite_web_api_cc.wasm, the plain build: no SIMD, no threads), run in
// Node. The emscripten module is given the .wasm bytes directly and the model
// is created the way the package's own loader (TFLiteWebModelRunner.create)
// does, so XNNPACK is on, as in ../shared/golden-arbitrary.
//
//   node tflite_ref.js predict  MODEL.tflite STYLE.(png|f32) OUT.f32
//   node tflite_ref.js transfer MODEL.tflite CONTENT.(png|f32) VECTOR.f32 OUT.f32 [OUT.png]
//        [--size=WxH]
//
// Pictures are read as exactly k/255 float32 values (8-bit RGB or RGBA PNG;
// alpha is dropped). A .f32 input is raw little-endian float32, H×W×3.
// transfer at a size other than the model's: the model is patched in memory
// (input shape and shape_signature, and the three RESIZE_NEAREST_NEIGHBOR
// size constants to (H/2,W/2), (H,W), (H,W)); the size comes from the PNG, or
// from --size=WxH for a .f32 content. Every other activation's stored shape
// is recomputed op by op too (ORACLE_PATCH_INPUT_ONLY=1 skips that, for
// comparison: the outputs are the same, the runtime recomputes them itself).
//   node tflite_ref.js patch MODEL.tflite WxH OUT.tflite   writes the patched
// model, for inspection. Nothing is printed on success.
//
// The npm packages (install.sh DIR installs them) are looked up in
// $ORACLE_NODE_MODULES (a node_modules folder), else in
// ${XDG_CACHE_HOME:-~/.cache}/stylecam-tflite-oracle/node_modules, make_refs.sh's default.
'use strict';
const fs = require('fs');
const path = require('path');

const NM = process.env.ORACLE_NODE_MODULES ||
  path.join(process.env.XDG_CACHE_HOME || path.join(require('os').homedir(), '.cache'),
    'stylecam-tflite-oracle', 'node_modules');
const WASM_DIR = path.join(NM, '@tensorflow', 'tfjs-tflite', 'wasm');

function die(msg) {
  process.stderr.write('tflite_ref: ' + msg + '\n');
  process.exit(1);
}

// ---- pictures and raw floats ----------------------------------------------
function readPng(file) {
  const { PNG } = require(path.join(NM, 'pngjs'));
  const png = PNG.sync.read(fs.readFileSync(file));
  if (png.depth !== 8) die(file + ': only 8-bit PNGs');
  const n = png.width * png.height;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) out[3 * i + c] = png.data[4 * i + c] / 255;
  return { data: out, w: png.width, h: png.height };
}

function readF32(file) {
  const b = fs.readFileSync(file);
  if (b.length % 4) die(file + ': size not a multiple of 4');
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  return new Float32Array(ab);
}

function writeF32(file, arr) {
  fs.writeFileSync(file, Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
}

function writePng(file, arr, w, h) {
  const { PNG } = require(path.join(NM, 'pngjs'));
  const png = new PNG({ width: w, height: h, colorType: 2 });
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) {
      // x·255 in float32 (as the golden PNG), then rounded.
      const v = Math.round(Math.fround(arr[3 * i + c] * 255));
      png.data[4 * i + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    png.data[4 * i + 3] = 255;
  }
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 2 }));
}

// ---- a minimal FlatBuffer walker for the TFLite schema ---------------------
// Model: subgraphs = field 2, buffers = field 4. SubGraph: tensors = 0,
// inputs = 1, operators = 3. Tensor: shape = 0, buffer = 2, name = 3,
// shape_signature = 7. Operator: opcode_index = 0, inputs = 1.
// OperatorCode: deprecated_builtin_code = 0 (int8), builtin_code = 3 (int32).
// Buffer: data = 0.
function fbReader(buf) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u32 = (o) => dv.getUint32(o, true);
  const i32 = (o) => dv.getInt32(o, true);
  const table = (o) => ({ o, vt: o - i32(o) });
  const field = (t, i) => {
    const vl = dv.getUint16(t.vt, true);
    if (4 + 2 * i >= vl) return null;
    const off = dv.getUint16(t.vt + 4 + 2 * i, true);
    return off ? t.o + off : null;
  };
  const deref = (p) => p + u32(p);
  const vec = (t, i) => {
    const p = field(t, i);
    if (p === null) return null;
    const v = deref(p);
    return { at: v + 4, n: u32(v) };
  };
  const tables = (t, i) => {
    const v = vec(t, i);
    if (!v) return [];
    const r = [];
    for (let k = 0; k < v.n; k++) r.push(table(deref(v.at + 4 * k)));
    return r;
  };
  const ints = (t, i) => {
    const v = vec(t, i);
    if (!v) return null;
    const r = [];
    for (let k = 0; k < v.n; k++) r.push(i32(v.at + 4 * k));
    return r;
  };
  const scalar = (t, i, get, dflt) => {
    const p = field(t, i);
    return p === null ? dflt : get(p);
  };
  const root = table(u32(0));
  return { dv, i32, u32, table, field, vec, tables, ints, scalar, root };
}

const OP = { ADD: 0, CONV_2D: 3, DEQUANTIZE: 6, LOGISTIC: 14, MUL: 18, MEAN: 40, SUB: 41,
  RSQRT: 76, RESIZE_NEAREST_NEIGHBOR: 97, SQUARED_DIFFERENCE: 99, MIRROR_PAD: 100 };

// Returns a patched copy of the transformer for an H×W content picture: the
// content input's shape (and shape_signature if present), the three resize
// targets, and every other activation's stored shape, recomputed operator by
// operator, so that the file is consistent as a whole.
function patchTransformer(model, H, W) {
  const out = Buffer.from(model); // a copy
  const f = fbReader(out);
  const codes = f.tables(f.root, 1).map((c) =>
    Math.max(f.scalar(c, 3, (p) => f.i32(p), 0), f.scalar(c, 0, (p) => f.dv.getInt8(p), 0)));
  const subgraphs = f.tables(f.root, 2);
  if (subgraphs.length !== 1) die('expected one subgraph');
  const sg = subgraphs[0];
  const tensors = f.tables(sg, 0);
  const buffers = f.tables(f.root, 4);
  const setInts = (v, vals) => {
    if (!v || v.n !== vals.length) die('patch: unexpected vector length');
    vals.forEach((x, k) => f.dv.setInt32(v.at + 4 * k, x, true));
  };
  const constInts = (k) => {
    const data = f.vec(buffers[f.scalar(tensors[k], 2, (p) => f.u32(p), 0)], 0);
    if (!data || data.n % 4) die('patch: tensor ' + k + ' is not a constant int32 tensor');
    const r = [];
    for (let i = 0; i < data.n / 4; i++) r.push(f.i32(data.at + 4 * i));
    return { r, at: data.at };
  };
  const shapes = tensors.map((t) => f.ints(t, 0) || []);
  // The content input: the 4-D float input with 3 channels.
  let content = -1;
  for (const k of f.ints(sg, 1)) {
    const s = shapes[k];
    if (s.length === 4 && s[3] === 3) content = k;
  }
  if (content < 0) die('patch: no content input [1,H,W,3]');
  shapes[content] = [1, H, W, 3];
  const sig = f.vec(tensors[content], 7);
  if (sig) setInts(sig, [1, H, W, 3]);
  const sizes = [[H / 2, W / 2], [H, W], [H, W]];
  let nresize = 0;
  const broadcast = (a, b) => {
    const n = Math.max(a.length, b.length), r = [];
    for (let i = 0; i < n; i++) {
      const x = i < n - a.length ? 1 : a[i - (n - a.length)];
      const y = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (x !== y && x !== 1 && y !== 1) die('patch: shapes do not broadcast');
      r.push(x === 1 ? y : x);
    }
    return r;
  };
  for (const op of f.tables(sg, 3)) {
    const code = codes[f.scalar(op, 0, (p) => f.u32(p), 0)];
    const ins = f.ints(op, 1), outs = f.ints(op, 2);
    const a = shapes[ins[0]];
    let s;
    switch (code) {
      case OP.DEQUANTIZE: case OP.LOGISTIC: case OP.RSQRT:
        s = a.slice(); break;
      case OP.ADD: case OP.MUL: case OP.SUB: case OP.SQUARED_DIFFERENCE:
        s = broadcast(a, shapes[ins[1]]); break;
      case OP.MIRROR_PAD: {
        const pads = constInts(ins[1]).r;
        s = a.map((d, i) => d + pads[2 * i] + pads[2 * i + 1]);
        break;
      }
      case OP.CONV_2D: {
        const o = f.table(f.u32(f.field(op, 4)) + f.field(op, 4)); // Conv2DOptions
        const padding = f.scalar(o, 0, (p) => f.dv.getInt8(p), 0); // 0 SAME, 1 VALID
        const sw = f.scalar(o, 1, (p) => f.i32(p), 0), sh = f.scalar(o, 2, (p) => f.i32(p), 0);
        const dw = f.scalar(o, 4, (p) => f.i32(p), 1), dh = f.scalar(o, 5, (p) => f.i32(p), 1);
        const wt = shapes[ins[1]]; // [out, kh, kw, in]
        const dim = (n, k, st, dl) => padding === 0 ? Math.ceil(n / st)
          : Math.floor((n - dl * (k - 1) - 1) / st) + 1;
        s = [a[0], dim(a[1], wt[1], sh, dh), dim(a[2], wt[2], sw, dw), wt[0]];
        break;
      }
      case OP.MEAN: {
        const axes = constInts(ins[1]).r.map((x) => (x < 0 ? x + a.length : x));
        const keep = shapes[outs[0]].length === a.length;
        s = [];
        a.forEach((d, i) => { if (!axes.includes(i)) s.push(d); else if (keep) s.push(1); });
        break;
      }
      case OP.RESIZE_NEAREST_NEIGHBOR: {
        if (nresize >= sizes.length) die('patch: more than 3 resizes');
        const c = constInts(ins[1]);
        if (c.r.length !== 2) die('patch: resize size is not int32[2]');
        const [h, w] = sizes[nresize++];
        f.dv.setInt32(c.at, h, true);
        f.dv.setInt32(c.at + 4, w, true);
        s = [a[0], h, w, a[3]];
        break;
      }
      default:
        die('patch: operator ' + code + ' not known');
    }
    if (outs.length !== 1) die('patch: operator with ' + outs.length + ' outputs');
    if (!process.env.ORACLE_PATCH_INPUT_ONLY) shapes[outs[0]] = s;
  }
  if (nresize !== 3) die('patch: expected 3 resizes, found ' + nresize);
  shapes.forEach((s, k) => { if (s.length) setInts(f.vec(tensors[k], 0), s); });
  return out;
}

// ---- the runtime -------------------------------------------------------------
async function loadRunner(modelBytes) {
  const factory = require(path.join(WASM_DIR, 'tflite_web_api_cc.js'));
  const wasmBinary = fs.readFileSync(path.join(WASM_DIR, 'tflite_web_api_cc.wasm'));
  const quiet = (s) => {
    if (!/^INFO: Created TensorFlow Lite XNNPACK delegate/.test(s)) process.stderr.write(s + '\n');
  };
  const mod = await factory({ wasmBinary, print: quiet, printErr: quiet });
  // As TFLiteWebModelRunner.create does (navigator.hardwareConcurrency/2 or
  // -1 where there is no navigator; this build has no threads anyway).
  const m = new Uint8Array(modelBytes);
  const ptr = mod._malloc(m.length);
  mod.HEAPU8.set(m, ptr);
  const st = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, m.length, {
    numThreads: -1, enableProfiling: false, maxProfilingBufferEntries: 1024 });
  if (!st || !st.ok()) die('Failed to create TFLiteWebModelRunner: ' + (st ? st.errorMessage() : ''));
  return st.value();
}

function vecToArray(v) {
  const r = [];
  for (let i = 0; i < v.size(); i++) r.push(v.get(i));
  v.delete();
  return r;
}

function shapeOf(info) {
  return info.shape.split(',').map(Number);
}

async function run(modelBytes, feeds /* function(info) -> Float32Array */) {
  const runner = await loadRunner(modelBytes);
  const inputs = vecToArray(runner.GetInputs());
  for (const info of inputs) {
    if (info.dataType !== 'float32') die('input ' + info.name + ' is ' + info.dataType);
    const src = feeds(info);
    const dst = info.data();
    if (src.length !== dst.length)
      die('input ' + info.name + ' [' + info.shape + '] wants ' + dst.length + ' values, got ' + src.length);
    dst.set(src);
  }
  if (!runner.Infer()) die('Infer failed');
  const outputs = vecToArray(runner.GetOutputs());
  if (outputs.length !== 1 || outputs[0].dataType !== 'float32') die('expected one float32 output');
  return { data: Float32Array.from(outputs[0].data()), shape: shapeOf(outputs[0]) };
}

function readPicture(file, size) {
  if (/\.png$/i.test(file)) return readPng(file);
  const data = readF32(file);
  if (size) {
    if (data.length !== size.w * size.h * 3) die(file + ': not ' + size.w + 'x' + size.h + 'x3 floats');
    return { data, w: size.w, h: size.h };
  }
  return { data, w: 0, h: 0 };
}

async function main() {
  const args = process.argv.slice(2);
  let size = null;
  const pos = [];
  for (const a of args) {
    const m = /^--size=(\d+)x(\d+)$/.exec(a);
    if (m) size = { w: +m[1], h: +m[2] };
    else pos.push(a);
  }
  const cmd = pos[0];
  if (cmd === 'predict' && pos.length === 4) {
    const [, modelFile, styleFile, outFile] = pos;
    const style = readPicture(styleFile, size);
    const r = await run(fs.readFileSync(modelFile), () => style.data);
    writeF32(outFile, r.data);
  } else if (cmd === 'transfer' && (pos.length === 5 || pos.length === 6)) {
    const [, modelFile, contentFile, vectorFile, outFile, outPng] = pos;
    const content = readPicture(contentFile, size);
    const vector = readF32(vectorFile);
    let model = fs.readFileSync(modelFile);
    if (content.w) {
      const f = fbReader(model);
      const sg = f.tables(f.root, 2)[0];
      const tensors = f.tables(sg, 0);
      const shapes = f.ints(sg, 1).map((k) => f.ints(tensors[k], 0));
      const s = shapes.find((x) => x.length === 4 && x[3] === 3);
      if (!s || s[1] !== content.h || s[2] !== content.w) {
        if (content.h % 2 || content.w % 2) die('content size must be even');
        model = patchTransformer(model, content.h, content.w);
      }
    }
    const r = await run(model, (info) => (shapeOf(info)[3] === 3 ? content.data : vector));
    writeF32(outFile, r.data);
    if (outPng) writePng(outPng, r.data, r.shape[2], r.shape[1]);
  } else if (cmd === 'patch' && pos.length === 4) {
    // node tflite_ref.js patch MODEL.tflite WxH OUT.tflite (for inspection)
    const [, modelFile, wh, outFile] = pos;
    const m = /^(\d+)x(\d+)$/.exec(wh) || die('bad size ' + wh);
    fs.writeFileSync(outFile, patchTransformer(fs.readFileSync(modelFile), +m[2], +m[1]));
  } else {
    die('usage: predict MODEL STYLE.(png|f32) OUT.f32 | ' +
        'transfer MODEL CONTENT.(png|f32) VECTOR.f32 OUT.f32 [OUT.png] [--size=WxH] | ' +
        'patch MODEL WxH OUT.tflite');
  }
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));

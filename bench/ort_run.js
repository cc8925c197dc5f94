#!/usr/bin/env node
// ONNX Runtime (onnxruntime-node, CPU) as a peer of bench/compare.py: runs
// one ONNX export on one 8-bit picture, times each frame, writes the last
// output. Run by bench/ort_peer.py with NODE_PATH at the installed package
// (bench/ort_install.sh); not meant to be run by hand.
//
//   node ort_run.js JOB.json
//
// JOB: {"model", "input" (raw H x W x 3 uint8), "w", "h", "threads",
// "warmup", "frames", "output" (written: raw H' x W' x 3 float32)}.
// Prints one JSON line: {"version", "frame_ms": [...], "run_ms": [...],
// "out_w", "out_h"}. A frame is the round trip the other peers time: 8-bit
// H x W x 3 in, float NCHW conversion, session.run, H' x W' x 3 floats out;
// run_ms is session.run alone.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function toNCHW(rgb, w, h, dst) {
    const plane = w * h;
    for (let i = 0, j = 0; i < plane; i++, j += 3) {
        dst[i] = rgb[j];
        dst[plane + i] = rgb[j + 1];
        dst[2 * plane + i] = rgb[j + 2];
    }
}

function toHWC(src, w, h, dst) {
    const plane = w * h;
    for (let i = 0, j = 0; i < plane; i++, j += 3) {
        dst[j] = src[i];
        dst[j + 1] = src[plane + i];
        dst[j + 2] = src[2 * plane + i];
    }
}

async function main() {
    const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const { w, h } = job;
    const rgb = fs.readFileSync(job.input);
    if (rgb.length !== w * h * 3)
        throw new Error(`${job.input} holds ${rgb.length} bytes, expected ${w}x${h}x3`);
    const session = await ort.InferenceSession.create(job.model, {
        executionProviders: ['cpu'],
        intraOpNumThreads: job.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
    });
    const inName = session.inputNames[0], outName = session.outputNames[0];
    const input = new Float32Array(3 * w * h);
    let out = null, outW = 0, outH = 0;
    const frameMs = [], runMs = [];
    for (let f = 0; f < job.warmup + job.frames; f++) {
        const t0 = process.hrtime.bigint();
        toNCHW(rgb, w, h, input);
        const t1 = process.hrtime.bigint();
        const res = await session.run({ [inName]: new ort.Tensor('float32', input, [1, 3, h, w]) });
        const t2 = process.hrtime.bigint();
        const y = res[outName];
        [outH, outW] = [y.dims[2], y.dims[3]];
        if (!out)
            out = new Float32Array(outW * outH * 3);
        toHWC(y.data, outW, outH, out);
        const t3 = process.hrtime.bigint();
        if (f >= job.warmup) {
            frameMs.push(Number(t3 - t0) / 1e6);
            runMs.push(Number(t2 - t1) / 1e6);
        }
    }
    fs.writeFileSync(job.output, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    const version = require('onnxruntime-node/package.json').version;
    process.stdout.write(JSON.stringify({ version, frame_ms: frameMs, run_ms: runMs,
                                          out_w: outW, out_h: outH }) + '\n');
}

main().catch((e) => {
    process.stderr.write(`ort_run.js: ${e.message || e}\n`);
    process.exit(2);
});

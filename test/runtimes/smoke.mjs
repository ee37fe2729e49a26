// The smoke suite for runtimes other than the machine's Node (Node 22/24/26, Bun, Deno), run from a folder where
// zerodl is installed from its packed tarball, as a user installs it (scripts/ci-runtimes.mjs sets that up):
//   <runtime> smoke.mjs              → import, init(), train a small BatchNorm net, bytes and file round trips
//   <runtime> smoke.mjs seeded simd  → the 300 seeded losses of seeded.mjs on that binary
// Prints one JSON line: { runtime, checks: [{ name, ok, detail }] } or { runtime, losses, variant }.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zerodl';
import * as zn from 'zerodl/node';
import { seededLosses } from './seeded.mjs';

const runtime = globalThis.Deno
  ? `deno ${globalThis.Deno.version.deno}`
  : globalThis.Bun
    ? `bun ${globalThis.Bun.version}`
    : `node ${process.versions.node}`;

if (process.argv[2] === 'seeded') {
  const r = await seededLosses(z, process.argv[3]);
  console.log(JSON.stringify({ runtime, ...r }));
  process.exit(0);
}

const checks = [];
async function check(name, fn) {
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail });
  } catch (e) {
    checks.push({ name, ok: false, detail: String((e && e.stack) || e) });
  }
}
const assert = (cond, what) => {
  if (!cond) throw new Error(what);
};

await check('import zerodl and zerodl/node (ESM)', () => {
  for (const k of ['init', 'MultiLayerNet', 'Trainer', 'createOptimizer', 'BackendError'])
    assert(typeof z[k] === 'function', `zerodl.${k}`);
  for (const k of ['loadMnist', 'saveNet', 'loadNet']) assert(typeof zn[k] === 'function', `zerodl/node.${k}`);
  assert(zn.init === z.init, "'zerodl' and 'zerodl/node' are one module graph");
});

await check('init() loads a SIMD binary (relaxed where the engine has it)', async () => {
  await z.init();
  const v = z.simdVariant();
  assert(v === (z.hasRelaxedSimd() ? 'relaxed-simd' : 'simd'), `variant ${v}, hasRelaxedSimd ${z.hasRelaxedSimd()}`);
  return v;
});

// Learnable made-up data: the class is the argmax of a fixed linear map of x.
let s = 99;
const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) | 0) >>> 8) / 16777216;
const N = 600,
  D = 20,
  K = 4;
const map = Float32Array.from({ length: D * K }, () => next() - 0.5);
const x = Float32Array.from({ length: N * D }, () => next());
const t = new Int32Array(N);
for (let n = 0; n < N; n++) {
  let best = 0,
    bestScore = -Infinity;
  for (let k = 0; k < K; k++) {
    let score = 0;
    for (let j = 0; j < D; j++) score += (x[n * D + j] - 0.5) * map[j * K + k];
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  t[n] = best;
}
const net = new z.MultiLayerNet({ inputSize: D, hiddenSizes: [32, 32], outputSize: K, useBatchNorm: true, seed: 1 });

await check('train a small BatchNorm net with the Trainer (well above chance)', async () => {
  const xs = x.subarray(0, 500 * D),
    ts = t.subarray(0, 500),
    xv = x.subarray(500 * D),
    tv = t.subarray(500);
  const trainer = new z.Trainer(net, xs, ts, xv, tv, {
    epochs: 15,
    batchSize: 50,
    optimizer: 'adam',
    optimizerParams: { lr: 0.01 },
    seed: 2,
  });
  const r = await trainer.train();
  assert(r.trainLoss.every(Number.isFinite), 'finite losses');
  assert(r.finalTestAccuracy > 0.6, `test accuracy ${r.finalTestAccuracy} (chance 0.25)`);
  return r.finalTestAccuracy;
});

const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
await check('toBytes / fromBytes round trip: the same predictions, bit for bit', () => {
  const back = z.MultiLayerNet.fromBytes(net.toBytes());
  assert(same(back.predict(x.subarray(0, 50 * D)), net.predict(x.subarray(0, 50 * D))), 'predictions differ');
});

await check('save / load a model file: the same predictions, bit for bit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerodl-smoke-'));
  try {
    const file = join(dir, 'model.safetensors');
    await net.save(file);
    const back = await z.MultiLayerNet.load(file);
    assert(same(back.predict(x.subarray(0, 50 * D)), net.predict(x.subarray(0, 50 * D))), 'predictions differ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

await check('threads: init({ threads: 2 }) runs 2 kernel threads, bit-identical to one thread', async () => {
  const steps = (n) => {
    const opt = z.createOptimizer('adam', { lr: 1e-3 });
    const xb = new Float32Array(128 * 784).map((_, i) => ((i * 2654435761) >>> 0) / 4294967296);
    const tb = Int32Array.from({ length: 128 }, (_, i) => (i * 7) % 10);
    for (let k = 0; k < 3; k++) {
      n.gradient(xb, tb);
      opt.update(n.params, n.grads);
    }
    return Array.from(n.params.W2);
  };
  const opts = { inputSize: 784, hiddenSizes: [256, 256], outputSize: 10, useBatchNorm: true, seed: 5 };
  const one = steps(new z.MultiLayerNet(opts));
  await z.init({ threads: 2 });
  try {
    assert(z.threadCount() === 2, `threadCount() ${z.threadCount()}`);
    const two = new z.MultiLayerNet(opts);
    assert(two.backend.threads === 2, `backend threads ${two.backend.threads}`);
    assert(same(steps(two), one), 'weights differ from one thread');
  } finally {
    await z.init({ threads: 1 });
  }
});

console.log(JSON.stringify({ runtime, checks }));

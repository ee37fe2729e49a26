// bench/participation.mjs — in a training step with init({ threads: 2 }), which pool jobs the second thread takes
// part in (issue 13, threads)
//
// Trains the 784-100x4-10 net (batch 128, Adam, random data) on one thread and on two, interleaved, and prints the
// speed-up; then, for each pool job of a step (in order), the chunks the worker thread ran per call (count from
// ThreadPool.stats(): 1.0 = it always took its share of a 2-chunk job) and the call's median time. A worker that
// sleeps when a job is posted wakes later than the caller can run the chunks itself: what it misses shows here.
//
//   node [--experimental-wasm-relaxed-simd] bench/participation.mjs [simd|relaxed-simd] [--net=2x1024]
import { init, MultiLayerNet, Trainer, createOptimizer } from '../dist/node.js';
import { hostName } from './peak.mjs';

const simd = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'simd';
const wide = process.argv.includes('--net=2x1024');
const hiddenSizes = wide ? [1024, 1024] : [100, 100, 100, 100],
  batchSize = wide ? 256 : 128,
  steps = wide ? 5 : 100;
const N = 2048,
  x = new Float32Array(N * 784),
  t = new Uint8Array(N);
let s = 3;
for (let i = 0; i < x.length; i++) {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  x[i] = s / 2 ** 32;
}
for (let i = 0; i < N; i++) t[i] = i % 10;
const make = () => {
  const net = new MultiLayerNet({ inputSize: 784, hiddenSizes, outputSize: 10, seed: 1 });
  const trainer = new Trainer(net, x, t, x.subarray(0, 7840), t.subarray(0, 10), {
    batchSize,
    optimizer: createOptimizer('adam'),
  });
  return { net, trainer };
};
await init({ simd });
const one = make();
await init({ simd, threads: 2 });
const two = make();
const pool = two.net.backend.pool;
if (!pool) throw new Error('init({ threads: 2 }) gave no thread pool here');
for (let i = 0; i < 2 * steps; i++) {
  one.trainer.step();
  two.trainer.step();
}
const t1 = [],
  t2 = [];
for (let r = 0; r < 10; r++) {
  let a = performance.now();
  for (let i = 0; i < steps; i++) one.trainer.step();
  t1.push((performance.now() - a) / steps);
  a = performance.now();
  for (let i = 0; i < steps; i++) two.trainer.step();
  t2.push((performance.now() - a) / steps);
}
const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
console.log(
  `participation — ${hostName()}, node ${process.version}, ${simd}, 784-${hiddenSizes.join('-')}-10 b${batchSize}`,
);
console.log(
  `ms/step: one thread ${median(t1).toFixed(3)}, two ${median(t2).toFixed(3)}, speed-up ` +
    `${(median(t1) / median(t2)).toFixed(2)}x (median of 10 interleaved rounds of ${steps} steps)`,
);
// Each job of a step, wrapped: the worker's chunks during the call, and its time.
const calls = [];
for (const m of ['gemm', 'elementwise']) {
  const f = pool[m].bind(pool);
  pool[m] = (...a) => {
    const w0 = pool.stats().workerChunks,
      s0 = performance.now();
    f(...a);
    const what =
      m === 'gemm' ? `gemm ${a[3]}×${a[4]}×${a[5]}${a[6] ? ' Aᵀ' : ''}${a[7] ? ' Bᵀ' : ''}` : `${a[0]} ${a[5]}`;
    calls.push([what, pool.stats().workerChunks - w0, performance.now() - s0]);
  };
}
two.trainer.step();
const perStep = calls.length;
calls.length = 0;
const measured = wide ? 20 : 200;
for (let i = 0; i < measured; i++) two.trainer.step();
console.log(`\n| job | kernel (M×N×K) | worker chunks per call | µs per call (median) |\n|--:|---|--:|--:|`);
for (let j = 0; j < perStep; j++) {
  const mine = calls.filter((_, i) => i % perStep === j);
  const chunks = mine.reduce((a, c) => a + c[1], 0) / mine.length;
  console.log(`| ${j} | ${mine[0][0]} | ${chunks.toFixed(2)} | ${(median(mine.map((c) => c[2])) * 1000).toFixed(0)} |`);
}
process.exit(0);

// bench/participation.mjs — in a training step with init({ threads: 2 }), how much each pool job gains and whether
// the second thread takes part (issue 13, threads)
//
// Trains the 784-100x4-10 net (batch 128, Adam, random data) on one thread and on two, interleaved, and prints the
// speed-up; then, for each pool job of a step (in order): its chunks, the chunks the worker ran per call (the job's
// chunks less those the caller ran: 1.0 = it always took its share of a 2-chunk job; the pool's own count of worker
// chunks is added after the job is signalled done, so it may land in the next job's), the call's median time beside
// the same call's on one thread (the one-thread net's backend, wrapped), and the caller's time per gemm chunk. A job
// that ends well after the caller's chunk had a worker that started late (woken from its sleep: bench/wake-latency.mjs).
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
// Each job of a step, wrapped: the chunks it had and the chunks the caller ran itself (its gemm_part and kernel
// calls, wrapped too; the rest the worker ran), and its time. (The pool's own count of worker chunks is added by
// the worker after it signals the job done, so it may land in the next job's count.)
const calls = [];
let mine = 0;
const gemmPart = pool.gemmPart;
let mineMs = 0;
pool.gemmPart = (...a) => {
  mine++;
  const s0 = performance.now();
  gemmPart(...a);
  mineMs += performance.now() - s0;
};
const fns = pool.fns;
pool.fns = Object.fromEntries(
  Object.entries(fns).map(([name, f]) => [
    name,
    typeof f === 'function'
      ? (...a) => {
          mine++;
          return f(...a);
        }
      : f,
  ]),
);
// A job's chunk count, as the pool wrote it into its control block (CTL.COUNT of src/backend/wasm/pool.ts).
const COUNT = 5;
const describe = (name, a) =>
  name === 'gemm' ? `gemm ${a[3]}×${a[4]}×${a[5]}${a[6] ? ' Aᵀ' : ''}${a[7] ? ' Bᵀ' : ''}` : `${name} ${a[4]}`;
for (const m of ['gemm', 'elementwise']) {
  const f = pool[m].bind(pool);
  pool[m] = (...a) => {
    mine = 0;
    mineMs = 0;
    const s0 = performance.now();
    f(...a);
    // (the pool's elementwise(name, p0…p3, n, …) against the backend's adam_update(p, g, m, v, n, …))
    const what = m === 'gemm' ? describe('gemm', a) : describe(a[0], a.slice(1));
    const count = pool.ctl[COUNT];
    calls.push([what, count - mine, performance.now() - s0, count, mine > 0 ? mineMs / mine : Number.NaN]);
  };
}
// The same calls on one thread (the gemms and Adam updates of the one-thread net's backend, each tagged like the
// jobs): a job is matched with the call of the same tag and the same rank among that tag's calls in a step.
const solo = [];
const be1 = one.net.backend;
for (const name of ['gemm', 'adam_update']) {
  const f = be1[name].bind(be1);
  be1[name] = (...a) => {
    const s0 = performance.now();
    f(...a);
    solo.push([describe(name, a), performance.now() - s0]);
  };
}
one.trainer.step();
const soloPerStep = solo.length;
solo.length = 0;
two.trainer.step();
const perStep = calls.length;
calls.length = 0;
const measured = wide ? 20 : 200;
for (let i = 0; i < measured; i++) {
  two.trainer.step();
  one.trainer.step();
}
console.log(
  `\n| job | kernel (M×N×K) | chunks | worker's chunks per call | µs per call, 2 threads | 1 thread | speed-up | µs per caller's gemm chunk |\n` +
    '|--:|---|--:|--:|--:|--:|--:|--:|',
);
for (let j = 0; j < perStep; j++) {
  const mine = calls.filter((_, i) => i % perStep === j);
  const worker = mine.reduce((a, c) => a + c[1], 0) / mine.length;
  const t2 = median(mine.map((c) => c[2]));
  const own = mine.map((c) => c[4]).filter(Number.isFinite);
  const chunk = own.length > 0 ? median(own) : Number.NaN;
  const tag = calls[j][0],
    rank = calls.slice(0, j).filter((c) => c[0] === tag).length;
  const at = solo
    .slice(0, soloPerStep)
    .findIndex((c, i, all) => c[0] === tag && all.slice(0, i).filter((d) => d[0] === tag).length === rank);
  const t1 = at < 0 ? Number.NaN : median(solo.filter((_, i) => i % soloPerStep === at).map((c) => c[1]));
  console.log(
    `| ${j} | ${mine[0][0]} | ${mine[0][3]} | ${worker.toFixed(2)} | ${(t2 * 1000).toFixed(0)} | ` +
      `${Number.isFinite(t1) ? `${(t1 * 1000).toFixed(0)} | ${(t1 / t2).toFixed(2)}x` : '— | —'} | ${Number.isFinite(chunk) ? (chunk * 1000).toFixed(0) : '—'} |`,
  );
}
process.exit(0);

// bench/wake-latency.mjs — how long a kernel thread asleep in Atomics.wait takes to run after Atomics.notify on
// this host (issue 13, threads): the pool's worker sleeps between jobs that are far apart, and a job posted then is
// partly the caller's alone until the worker runs. 300 wake-ups, each after 2 ms asleep; the caller spins meanwhile
// (as the pool's caller runs its own chunk). Times are taken on one clock (performance.timeOrigin + now()).
//
//   node bench/wake-latency.mjs
import { Worker } from 'node:worker_threads';
const sab = new SharedArrayBuffer(64);
const ctl = new Int32Array(sab);
const t = new Float64Array(sab, 32, 2);
const w = new Worker(
  `const { workerData } = require('worker_threads'); const ctl = new Int32Array(workerData); const t = new Float64Array(workerData, 32, 2);
let seen = 0; for (;;) { while (Atomics.load(ctl, 0) === seen) Atomics.wait(ctl, 0, seen, 1000); seen = Atomics.load(ctl, 0); t[1] = performance.timeOrigin + performance.now(); Atomics.store(ctl, 1, seen); if (seen < 0) break; }`,
  { eval: true, workerData: sab },
);
await new Promise((r) => setTimeout(r, 200));
const lat = [];
for (let i = 1; i <= 300; i++) {
  const g = performance.now();
  while (performance.now() - g < 2) {} // the worker is asleep by now
  t[0] = performance.timeOrigin + performance.now();
  Atomics.store(ctl, 0, i);
  Atomics.notify(ctl, 0);
  while (Atomics.load(ctl, 1) !== i) {}
  lat.push((t[1] - t[0]) * 1000);
}
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.floor(p * (lat.length - 1))].toFixed(0);
const { hostName } = await import('./peak.mjs');
console.log(
  `${hostName()}, node ${process.version}: wake latency (Atomics.notify → the sleeping thread runs), µs: ` +
    `p10 ${q(0.1)}, p50 ${q(0.5)}, p90 ${q(0.9)}, max ${q(1)}`,
);
Atomics.store(ctl, 0, -1);
Atomics.notify(ctl, 0);
await w.terminate();

// A/B of two builds of zerodl: the same training steps through build A and build B, in one process, interleaved
// round by round (the order alternates), so a busy or drifting machine hits both alike. For checking that a
// refactor changed no speed ("bench figures unchanged within noise"):
//
//   git worktree add --detach /tmp/zerodl-old <commit> && (cd /tmp/zerodl-old && npm ci && node scripts/build.mjs)
//   node bench/ab.mjs /tmp/zerodl-old/dist dist [--rounds 9] [--seconds 0.4]
//   node --experimental-wasm-relaxed-simd bench/ab.mjs …     # Node 20: the relaxed-SIMD binaries
//
// Prints, per net, A's and B's median samples/s and B/A per round (min–max and median).
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { hostName } from './peak.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string' }, seconds: { type: 'string' } },
});
if (positionals.length !== 2) {
  console.error('usage: node bench/ab.mjs <dist of build A> <dist of build B> [--rounds N] [--seconds S]');
  process.exit(2);
}
const rounds = Number(values.rounds ?? 9),
  seconds = Number(values.seconds ?? 0.4);
const load = (dir) => import(pathToFileURL(resolve(dir, 'index.js')).href);
const [A, B] = [await load(positionals[0]), await load(positionals[1])];
await A.init();
await B.init();

const N = 2048;
const x = new Float32Array(N * 784),
  t = new Uint8Array(N);
let s = 12345;
for (let i = 0; i < x.length; i++) {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  x[i] = (s >>> 8) / 16777216;
}
for (let i = 0; i < N; i++) t[i] = i % 10;
const NETS = [
  { name: '784-100x4-10 b128', hiddenSizes: [100, 100, 100, 100], batch: 128 },
  { name: '784-1024x2-10 b256', hiddenSizes: [1024, 1024], batch: 256 },
  {
    name: '784-100x4-10 b128 BatchNorm + Dropout 0.2',
    hiddenSizes: [100, 100, 100, 100],
    batch: 128,
    useBatchnorm: true,
    useDropout: true,
    dropoutRatio: 0.2,
  },
];
const trainer = (Z, { name, batch, ...net }) =>
  new Z.Trainer(
    new Z.MultiLayerNet({ inputSize: 784, outputSize: 10, seed: 1, maxBatchSize: 1000, ...net }),
    x,
    t,
    x.subarray(0, 7840),
    t.subarray(0, 10),
    { batchSize: batch, optimizer: Z.createOptimizer('adam') },
  );
/** Seconds per step, stepping for at least `seconds`. */
const time = (tr) => {
  let n = 0;
  const t0 = performance.now();
  do {
    tr.step();
    n++;
  } while (performance.now() - t0 < seconds * 1000);
  return (performance.now() - t0) / 1000 / n;
};
const median = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];

console.log(`${hostName()}, ${cpus().length} cores, Node ${process.version}`);
console.log(`A ${positionals[0]} (${A.simdVariant()}) vs B ${positionals[1]} (${B.simdVariant()}), ${rounds} rounds`);
for (const spec of NETS) {
  const ta = trainer(A, spec),
    tb = trainer(B, spec);
  for (let i = 0; i < 20; i++) {
    ta.step();
    tb.step();
  }
  const sa = [],
    sb = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2) {
      sb.push(time(tb));
      sa.push(time(ta));
    } else {
      sa.push(time(ta));
      sb.push(time(tb));
    }
  }
  const ratios = sa.map((v, i) => v / sb[i]).sort((p, q) => p - q);
  console.log(
    `${spec.name}: A ${(spec.batch / median(sa)).toFixed(0)} samples/s, B ${(spec.batch / median(sb)).toFixed(0)}; ` +
      `B/A per round ${ratios[0].toFixed(3)}–${ratios.at(-1).toFixed(3)}, median ${median(ratios).toFixed(3)}`,
  );
}

// bench/gemm-variants.mjs — every gemm micro-kernel variant of both binaries (plain and relaxed SIMD), in one
// process, against this process's own register-only peak (bench/peak.mjs). For docs/notes/gemm-variants.md.
//
//   node scripts/build.mjs && node --experimental-wasm-relaxed-simd bench/gemm-variants.mjs [--rounds=N]
//
// Each shape: all variants of both binaries timed in turn, the order rotated every round; each figure is the best
// of the rounds (a busy or slow moment only ever makes a call slower, and this VM's speed drifts ±20% between runs,
// so only figures of one run are compared). The binaries are instantiated raw (build/zerodl*.wasm): gemm,
// gemm_set_variant and heap_base are all this needs. Results are checked bit-identical across the variants of each
// binary before anything is timed.
import { readFileSync } from 'node:fs';
import { GEMM_VARIANTS } from '../dist/index.js';
import { hostName, measurePeak } from './peak.mjs';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 9);
// [M, K, N, transA, transB]
const SHAPES = [
  [512, 512, 512, 0, 0],
  [256, 784, 1024, 0, 0],
  [784, 256, 1024, 1, 0],
  [256, 1024, 1024, 0, 0],
  [128, 784, 100, 0, 0],
  [128, 784, 100, 1, 0],
  [128, 100, 100, 0, 0],
  [128, 100, 100, 1, 0],
  [128, 100, 10, 0, 0],
  [128, 100, 10, 1, 0],
];
const label = ([M, K, N, ta, tb]) => `${M}×${K}×${N} ${ta ? 'Aᵀ·B' : tb ? 'A·Bᵀ' : 'A·B'}`;

const floats = Math.max(...SHAPES.map(([M, K, N]) => M * K + K * N + M * N));
function load(name) {
  let k;
  try {
    k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL(`../build/${name}`, import.meta.url))), {})
      .exports;
  } catch (e) {
    console.log(`${name}: not available here (${String(e.message ?? e).split('\n')[0]})`);
    return undefined;
  }
  const base = (k.heap_base() + 63) & ~63;
  const need = base + 4 * floats + 256;
  if (need > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const f = new Float32Array(k.memory.buffer, base, floats);
  let s = 7;
  for (let i = 0; i < floats; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    f[i] = ((s >>> 8) / 16777216) * 2 - 1;
  }
  const variants = GEMM_VARIANTS.filter((_, v) => k.gemm_set_variant(v) === v);
  return { name, k, base, variants };
}
const builds = [load('zerodl.wasm'), load('zerodl-relaxed.wasm')].filter(Boolean);

const peaks = {};
for (const b of builds) peaks[b.name] = (await measurePeak({ relaxed: b.name.includes('relaxed') })).gflops;

// The contenders: every (binary, variant). Each has its own A, B (same values in every instance) and C.
const runs = builds.flatMap((b) => b.variants.map((v) => ({ b, v, i: GEMM_VARIANTS.indexOf(v) })));
const call = ({ b, i }, [M, K, N, ta, tb]) => {
  const a = b.base,
    bb = a + 4 * M * K,
    c = bb + 4 * K * N;
  b.k.gemm_set_variant(i);
  b.k.gemm(c, a, bb, M, N, K, ta, tb, 0);
  return new Float32Array(b.k.memory.buffer, c, M * N);
};

console.log(`${hostName()}, node ${process.version}; best of ${rounds} interleaved rounds, GFLOP/s (of peak)`);
console.log(
  `peak (bench/peak.mjs, this process): ${builds.map((b) => `${b.name} ${peaks[b.name].toFixed(1)}`).join(', ')}`,
);
const rows = [];
for (const shape of SHAPES) {
  const [M, K, N] = shape;
  for (const b of builds) {
    const ref = call({ b, i: 0 }, shape).slice();
    for (const r of runs.filter((r) => r.b === b)) {
      const c = call(r, shape);
      for (let j = 0; j < ref.length; j++)
        if (!Object.is(c[j], ref[j])) throw new Error(`${b.name} ${r.v} ${label(shape)}: C[${j}] differs from 4x8's`);
    }
  }
  const flops = 2 * M * N * K;
  const reps = Math.max(1, Math.round(2e7 / flops)); // calls per sample: ≥ ~1 ms of work
  const best = runs.map(() => Infinity);
  for (let round = -1; round < rounds; round++) {
    for (let j = 0; j < runs.length; j++) {
      const x = (j + Math.max(round, 0)) % runs.length;
      for (let s = 0; s < 5; s++) {
        const t0 = performance.now();
        for (let n = 0; n < reps; n++) call(runs[x], shape);
        const dt = (performance.now() - t0) / reps;
        if (round >= 0) best[x] = Math.min(best[x], dt);
      }
    }
  }
  rows.push([
    label(shape),
    ...runs.map((r, x) => {
      const g = flops / best[x] / 1e6;
      return `${g.toFixed(1)} (${Math.round((100 * g) / peaks[r.b.name])}%)`;
    }),
  ]);
}
const header = ['M×K×N', ...runs.map((r) => `${r.b.name.includes('relaxed') ? 'relaxed' : 'plain'} ${r.v}`)];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));

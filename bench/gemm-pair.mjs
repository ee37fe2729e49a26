// bench/gemm-pair.mjs — what two cores give two gemms at once, with no thread pool in between (issue 13, threads)
//
// The thread pool splits a gemm into blocks of C; each thread then runs gemm_part on its block. This measures the
// ceiling that leaves: each of two worker threads has its own instance and memory of the single-thread build (no
// shared operand, no hand-off, no atomics) and runs the same product in a loop, first each alone, then both at
// once; the figure is the per-call time at once ÷ alone (median over interleaved rounds). 1.00 means the cores do
// not slow each other; pairProbe (bench/peak.mjs, register-only arithmetic) stays near 1.0 on the hosts measured, so
// whatever shows here comes from the caches and memory the two cores share. The products are the halves of the
// nets' first-layer products that a 2-thread pool gives each thread.
//
//   node [--experimental-wasm-relaxed-simd] bench/gemm-pair.mjs [--simd=simd|relaxed-simd] [--rounds=N]
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

/** [M, N, K]: half the rows of the 4x100 net's first layer (128×784 · 784×100), its 100×100 layer, the 2x1024 net's. */
export const PAIR_SHAPES = [
  [64, 100, 784],
  [64, 100, 100],
  [128, 1024, 784],
];

/**
 * Times `shapes` alone and in pairs; `binary` is the path of a single-thread build, `variant` gemm_set_variant's
 * index. Returns [{ shape, alone, together, ratio, ratios }] (µs per call: a round's lower quartile).
 */
export async function gemmPair(binary, variant, { shapes = PAIR_SHAPES, rounds = 9, ms = 120 } = {}) {
  const bytes = readFileSync(binary);
  const out = [];
  for (const shape of shapes) {
    const start = () =>
      new Promise((resolve, reject) => {
        const w = new Worker(fileURLToPath(import.meta.url), { workerData: { bytes, shape, variant } });
        w.once('message', () => resolve(w));
        w.once('error', reject);
      });
    const ws = [await start(), await start()];
    const go = (list) =>
      Promise.all(
        list.map(
          (w) =>
            new Promise((resolve) => {
              w.once('message', resolve);
              w.postMessage(ms);
            }),
        ),
      );
    const ratios = [],
      alones = [],
      togethers = [];
    for (let r = 0; r < rounds; r++) {
      const [a] = await go([ws[0]]);
      const [b] = await go([ws[1]]);
      const [c, d] = await go(ws);
      alones.push((a + b) / 2);
      togethers.push((c + d) / 2);
      ratios.push((c + d) / (a + b));
    }
    for (const w of ws) await w.terminate();
    out.push({ shape, alone: median(alones), together: median(togethers), ratio: median(ratios), ratios });
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (!isMainThread) {
  const { bytes, shape, variant } = workerData;
  const [M, N, K] = shape;
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort: () => 0 } }).exports;
  k.gemm_set_variant?.(variant);
  const floats = M * K + K * N + M * N;
  const base = (k.heap_base() + 15) & ~15;
  const need = base + 4 * floats + 64,
    have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const f = new Float32Array(k.memory.buffer, base, floats);
  for (let i = 0; i < floats; i++) f[i] = ((i * 2654435761) % 1999) / 1000 - 1 + 1e-3;
  const a = base,
    b = a + 4 * M * K,
    c = b + 4 * K * N;
  const t0 = performance.now();
  while (performance.now() - t0 < 150) k.gemm(c, a, b, M, N, K, 0, 0, 0); // optimized code before the first round
  parentPort.postMessage(0);
  parentPort.on('message', (dur) => {
    const ts = [];
    const s0 = performance.now();
    while (performance.now() - s0 < dur) {
      const s = performance.now();
      k.gemm(c, a, b, M, N, K, 0, 0, 0);
      ts.push(performance.now() - s);
    }
    ts.sort((x, y) => x - y);
    parentPort.postMessage(ts[ts.length >> 2] * 1000);
  });
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { init, simdVariant, gemmVariantState, GEMM_VARIANTS } = await import('../dist/node.js');
  const { hostName } = await import('./peak.mjs');
  const simd = process.argv.find((a) => a.startsWith('--simd='))?.slice(7) ?? 'auto';
  const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 9);
  await init({ simd });
  const file = simdVariant() === 'relaxed-simd' ? 'zerodl-relaxed.wasm' : 'zerodl.wasm';
  const v = gemmVariantState().variant;
  console.log(`gemm pair — ${hostName()}, node ${process.version}, ${file}, micro-kernel ${v}`);
  console.log('| M×N×K | µs alone | µs both cores at once | at once ÷ alone (median, range) |');
  console.log('|---|--:|--:|--:|');
  const binary = fileURLToPath(new URL(`../build/${file}`, import.meta.url));
  for (const r of await gemmPair(binary, GEMM_VARIANTS.indexOf(v), { rounds })) {
    const lo = Math.min(...r.ratios).toFixed(2),
      hi = Math.max(...r.ratios).toFixed(2);
    console.log(
      `| ${r.shape.join('×')} | ${r.alone.toFixed(0)} | ${r.together.toFixed(0)} | ${r.ratio.toFixed(2)} (${lo}–${hi}) |`,
    );
  }
}

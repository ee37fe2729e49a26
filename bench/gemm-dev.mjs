// bench/gemm-dev.mjs — dev harness for assembly/gemm.ts (validation + GFLOP/s).
//
// Build the wasm first (this script compiles nothing):
//   npx asc assembly/gemm.ts --enable simd -O3 --noAssert --runtime stub -o /tmp/gemm.wasm
//   (if asconfig.json's entries get in the way, add --config pointing at an empty {} file)
// Then:
//   node bench/gemm-dev.mjs [path/to/gemm.wasm] [--validate-only|--bench-only] [--quick] [--cpu]
//                           [--shapes=MxKxN,...]
//
// (a) validates all 4 transpose combos × accumulate on/off against a naive
//     f64 triple loop at awkward and random shapes (plus bias_forward /
//     bias_backward), reporting max |err| / sqrt(K);
// (b) times GFLOP/s = 2·M·N·K / s (median of reps after warmup) for the
//     shapes of a 784-100-…-10 MLP at batch 128 and for 512³ / 1024³.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const wasmPath = args.find((a) => !a.startsWith('--')) ?? '/tmp/gemm.wasm';
const validateOnly = args.includes('--validate-only');
const benchOnly = args.includes('--bench-only');
const quick = args.includes('--quick');
// --cpu: time with process CPU time (user+sys) instead of wall time. On this
// shared 2-core box other tenants' processes time-slice ours; CPU time is
// immune to that (not to their cache/memory traffic). Use longer reps then.
const useCpu = args.includes('--cpu');
const now = useCpu
  ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e3;
    }
  : () => performance.now();
// --shapes=MxKxN,MxKxN  restrict the benchmark shapes
const shapesArg = args.find((a) => a.startsWith('--shapes='));

const bytes = readFileSync(wasmPath);
const { instance } = await WebAssembly.instantiate(bytes, {
  env: {
    abort(msg, file, line, col) {
      throw new Error(`wasm abort at ${line}:${col}`);
    },
  },
});
const { memory, gemm, bias_forward, bias_backward, heap_base } = instance.exports;
const BASE = (Number(heap_base()) + 63) & ~63;

// ---- bump allocator over linear memory (reset between cases) ----------------
let top = BASE;
function reset() {
  top = BASE;
}
function alloc(nFloats) {
  const ptr = top;
  top = (top + nFloats * 4 + 63) & ~63;
  if (top > memory.buffer.byteLength) {
    const need = Math.ceil((top - memory.buffer.byteLength) / 65536);
    memory.grow(need);
  }
  return ptr;
}
const f32 = (ptr, n) => new Float32Array(memory.buffer, ptr, n);

// ---- deterministic RNG -------------------------------------------------------
let seed = 0x12345678;
function rand() {
  // xorshift32 → [-1, 1)
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return ((seed >>> 0) / 4294967296) * 2 - 1;
}
const randInt = (lo, hi) => lo + Math.floor(((rand() + 1) / 2) * (hi - lo + 1));

// ---- validation ---------------------------------------------------------------
const GUARD = 16; // floats of canary on either side of C
const CANARY = 12345.678;

function checkGemm(M, N, K, tA, tB, acc) {
  reset();
  const pa = alloc(M * K);
  const pb = alloc(K * N);
  const pcg = alloc(M * N + 2 * GUARD);
  const pc = pcg + GUARD * 4;
  const A = f32(pa, M * K);
  const B = f32(pb, K * N);
  for (let i = 0; i < A.length; i++) A[i] = rand();
  for (let i = 0; i < B.length; i++) B[i] = rand();
  const Cg = f32(pcg, M * N + 2 * GUARD);
  Cg.fill(CANARY);
  const C0 = new Float32Array(M * N);
  for (let i = 0; i < C0.length; i++) C0[i] = rand();
  f32(pc, M * N).set(C0);

  gemm(pc, pa, pb, M, N, K, tA, tB, acc);

  // Re-view after call (memory may not grow inside, but be safe).
  const C = f32(pc, M * N);
  const Cg2 = f32(pcg, M * N + 2 * GUARD);
  for (let g = 0; g < GUARD; g++) {
    if (Cg2[g] !== Math.fround(CANARY) || Cg2[GUARD + M * N + g] !== Math.fround(CANARY)) {
      return { err: Infinity, why: 'guard overwritten' };
    }
  }
  const A2 = f32(pa, M * K);
  const B2 = f32(pb, K * N);
  let maxErr = 0;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = acc ? C0[i * N + j] : 0;
      for (let k = 0; k < K; k++) {
        const av = tA ? A2[k * M + i] : A2[i * K + k];
        const bv = tB ? B2[j * K + k] : B2[k * N + j];
        s += av * bv;
      }
      const e = Math.abs(C[i * N + j] - s);
      if (!(e <= maxErr)) maxErr = Number.isNaN(e) ? Infinity : Math.max(maxErr, e);
    }
  }
  return { err: maxErr / Math.sqrt(Math.max(K, 1)) };
}

function checkBias(Bn, N) {
  reset();
  const py = alloc(Bn * N);
  const pbias = alloc(N);
  const pdb = alloc(N + GUARD);
  const y0 = new Float32Array(Bn * N).map(rand);
  const bias = new Float32Array(N).map(rand);
  f32(py, Bn * N).set(y0);
  f32(pbias, N).set(bias);
  bias_forward(py, pbias, Bn, N);
  let e1 = 0;
  const y = f32(py, Bn * N);
  for (let i = 0; i < Bn; i++)
    for (let j = 0; j < N; j++) e1 = Math.max(e1, Math.abs(y[i * N + j] - (y0[i * N + j] + bias[j])));
  // backward: db = column sums of dy (reuse y0 as dy)
  f32(py, Bn * N).set(y0);
  const dbg = f32(pdb, N + GUARD);
  dbg.fill(CANARY);
  bias_backward(pdb, py, Bn, N);
  let e2 = 0;
  const db = f32(pdb, N + GUARD);
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (let i = 0; i < Bn; i++) s += y0[i * N + j];
    e2 = Math.max(e2, Math.abs(db[j] - s) / Math.sqrt(Math.max(Bn, 1)));
  }
  for (let g = 0; g < GUARD; g++) if (db[N + g] !== Math.fround(CANARY)) e2 = Infinity;
  return Math.max(e1, e2);
}

const VARIANTS = [
  [0, 0, 'A·B  '],
  [1, 0, 'Aᵀ·B '],
  [0, 1, 'A·Bᵀ '],
  [1, 1, 'Aᵀ·Bᵀ'],
];
const TOL = 1e-5; // on |err|/sqrt(K) with inputs in [-1,1)

function validate() {
  const shapes = [
    [1, 1, 1],
    [0, 5, 3],
    [5, 0, 3],
    [4, 8, 0],
    [3, 5, 0],
    [1, 7, 1],
    [7, 1, 1],
    [1, 1, 9],
    [3, 5, 7],
    [4, 8, 4],
    [5, 9, 3],
    [8, 16, 12],
    [17, 127, 5],
    [127, 3, 17],
    [65, 257, 33],
    [129, 33, 257],
    [33, 9, 300],
    [130, 2049, 3],
    [5, 2053, 2],
    [131, 17, 260],
    [2, 3, 1030],
    [8, 12, 9],
    [16, 100, 30],
    [9, 4, 5],
    [128, 10, 100],
    [9, 2100, 20],
    [260, 20, 520],
    [131, 1029, 7],
  ];
  const nRandom = quick ? 10 : 40;
  for (let r = 0; r < nRandom; r++) {
    const big = r % 5 === 0;
    shapes.push([randInt(1, big ? 300 : 70), randInt(1, big ? 300 : 70), randInt(1, big ? 600 : 70)]);
  }
  // Shapes are [M, N, K].
  const worst = {};
  let fails = 0;
  for (const [M, N, K] of shapes) {
    for (const [tA, tB, name] of VARIANTS) {
      for (const acc of [0, 1]) {
        const { err, why } = checkGemm(M, N, K, tA, tB, acc);
        const key = `${name} acc=${acc}`;
        worst[key] = Math.max(worst[key] ?? 0, err);
        if (!(err < TOL)) {
          fails++;
          console.log(`FAIL ${key} M=${M} N=${N} K=${K}: err/sqrtK=${err}${why ? ' ' + why : ''}`);
        }
      }
    }
  }
  console.log(`gemm validation over ${shapes.length} shapes (M,N,K incl. zeros, 1, primes, random):`);
  for (const [k, v] of Object.entries(worst)) console.log(`  ${k}: max |err|/sqrt(K) = ${v.toExponential(2)}`);
  let be = 0;
  for (const [Bn, N] of [
    [0, 5],
    [1, 1],
    [3, 5],
    [128, 100],
    [7, 13],
    [128, 10],
    [17, 4],
  ]) {
    be = Math.max(be, checkBias(Bn, N));
  }
  console.log(`bias_forward/backward: max err = ${be.toExponential(2)}`);
  if (!(be < TOL)) fails++;
  console.log(fails ? `${fails} FAILURES` : 'all variants OK');
  return fails === 0;
}

// ---- benchmark ------------------------------------------------------------------
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

// Times all 4 transpose variants of one shape. Reps are interleaved
// round-robin across the variants so that interference from other tenants
// of this shared machine hits them alike; returns median and best GFLOP/s.
function benchShape(M, K, N) {
  reset();
  const pa = alloc(M * K);
  const pb = alloc(K * N);
  const pc = alloc(M * N);
  f32(pa, M * K).forEach((_, i, a) => (a[i] = rand()));
  f32(pb, K * N).forEach((_, i, a) => (a[i] = rand()));
  const flops = 2 * M * N * K;
  // calls per rep so a rep lasts ~5 ms at ~30 GFLOP/s
  const inner = Math.max(1, Math.round(((quick ? 2e-3 : useCpu ? 20e-3 : 5e-3) * 30e9) / flops));
  for (const [tA, tB] of VARIANTS)
    for (let i = 0; i < Math.max(3, inner * 3); i++) gemm(pc, pa, pb, M, N, K, tA, tB, 0);
  const reps = quick ? 9 : 21;
  const times = VARIANTS.map(() => []);
  for (let r = 0; r < reps; r++) {
    VARIANTS.forEach(([tA, tB], v) => {
      const t0 = now();
      for (let i = 0; i < inner; i++) gemm(pc, pa, pb, M, N, K, tA, tB, 0);
      times[v].push((now() - t0) / 1e3 / inner);
    });
  }
  return times.map((ts) => ({ med: flops / median(ts) / 1e9, best: flops / Math.min(...ts) / 1e9 }));
}

function runBench() {
  // (M, K, N). MLP 784-100-100-100-100-10 at batch 128:
  //   forward  y = x·W           (128,784,100) (128,100,100) (128,100,10)
  //   dW = xᵀ·dy                  (784,128,100) (100,128,100) (100,128,10)
  //   dx = dy·Wᵀ                  (128,100,784) (128,10,100)
  let shapes = [
    [128, 784, 100],
    [128, 100, 100],
    [128, 100, 10],
    [784, 128, 100],
    [100, 128, 100],
    [100, 128, 10],
    [128, 100, 784],
    [100, 128, 784],
    [128, 10, 100],
    [512, 512, 512],
    [1024, 1024, 1024],
  ];
  if (shapesArg)
    shapes = shapesArg
      .slice(9)
      .split(',')
      .map((t) => t.split('x').map(Number));
  // warm up / tier up the whole module once
  for (let i = 0; i < 3; i++) benchShape(64, 64, 64);
  console.log(
    `\nGFLOP/s by ${useCpu ? 'process CPU' : 'wall'} time, accumulate=0, C = op(A)·op(B); each cell: median / best rep`,
  );
  console.log('      M     K     N |         A·B        Aᵀ·B        A·Bᵀ       Aᵀ·Bᵀ | plain/worst (median, best)');
  const results = new Map();
  for (const [M, K, N] of shapes) {
    const g = benchShape(M, K, N);
    results.set(`${M},${K},${N}`, g);
    const rMed = g[0].med / Math.min(...g.map((x) => x.med));
    const rBest = g[0].best / Math.min(...g.map((x) => x.best));
    console.log(
      `${String(M).padStart(7)}${String(K).padStart(6)}${String(N).padStart(6)} |` +
        g.map((x) => `${x.med.toFixed(1).padStart(6)}/${x.best.toFixed(1).padEnd(5)}`).join('') +
        ` | ${rMed.toFixed(2)}x, ${rBest.toFixed(2)}x`,
    );
  }
  // gemm share of one training step of the 784-100-100-100-100-10 MLP at batch
  // 128 (forward y = x·W, dW = xᵀ·dy, dx = dy·Wᵀ; no dx for the input layer).
  const step = [
    [128, 784, 100, 0],
    [128, 100, 100, 0],
    [128, 100, 100, 0],
    [128, 100, 100, 0],
    [128, 100, 10, 0],
    [784, 128, 100, 1],
    [100, 128, 100, 1],
    [100, 128, 100, 1],
    [100, 128, 100, 1],
    [100, 128, 10, 1],
    [128, 100, 100, 2],
    [128, 100, 100, 2],
    [128, 100, 100, 2],
    [128, 10, 100, 2],
  ];
  if (step.every(([M, K, N]) => results.has(`${M},${K},${N}`))) {
    let tMed = 0;
    let tBest = 0;
    let flops = 0;
    for (const [M, K, N, v] of step) {
      const g = results.get(`${M},${K},${N}`)[v];
      const f = 2 * M * N * K;
      flops += f;
      tMed += f / (g.med * 1e9);
      tBest += f / (g.best * 1e9);
    }
    console.log(
      `\nMLP 784-100-100-100-100-10, batch 128, gemms of one training step (${(flops / 1e6).toFixed(1)} MFLOP): ` +
        `${(tMed * 1e3).toFixed(3)} ms median (${(flops / tMed / 1e9).toFixed(1)} GFLOP/s, ≤ ${Math.round(128 / tMed)} samples/s), ` +
        `${(tBest * 1e3).toFixed(3)} ms best (≤ ${Math.round(128 / tBest)} samples/s)`,
    );
  }
}

let ok = true;
if (!benchOnly) ok = validate();
if (!validateOnly) runBench();
process.exitCode = ok ? 0 : 1;

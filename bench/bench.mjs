// `npm run bench`: wasm vs js, side by side in one run, single thread.
//   1. gemm GFLOP/s at the affine layers' shapes and at 512³ / 1024³, for every transpose variant;
//   2. training samples/s (gradient + Adam update) for 784-100x4-10 (batch 128) and 784-1024x2-10 (batch 256);
//   3. inference samples/s at batch 1000;
//   1b. (after 1) each gemm micro-kernel variant forced in turn at 512³ and the 784-1024x2-10 net's shapes.
// Each figure is the median of several timed repetitions after a warm-up; kernels are validated against the js
// reference before they are timed. `--quick` shortens every measurement (a smoke run, not for quoting).
// It starts by measuring this host's own SIMD128 peak (bench/peak.mjs: register-only mul+add for the plain
// binary, relaxed_madd for the relaxed one; every form and chain count, best kept) and gives every gemm and training
// figure also as a share of it. This VM's speed drifts by ±20% over minutes, so a peak measured once at the start is
// no yardstick for figures timed later: the best loop of that first measurement is re-timed (a few ms, `peakProbe`)
// before and after each figure in each round, and "of peak" is the median over rounds of (the round's figure ÷ the
// mean of the two peaks timed beside it).
// A full run records its figures, the CPU, the peak and the peaks timed beside each figure (`roundPeaks`, GFLOP/s
// per round) in bench/results/bench-<cpu>.json (one file per CPU kind, one entry per binary), so figures from
// different CPUs are never mixed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createBackend,
  init,
  MultiLayerNet,
  Trainer,
  createOptimizer,
  simdVariant,
  gemmVariant,
  gemmVariantState,
  GEMM_VARIANTS,
  BACKEND_NAMES,
  KERNEL_NAMES,
} from '../dist/index.js';
import { hostInfo, hostName, hostSlug, measurePeak, pairProbe, peakProbe } from './peak.mjs';
import { poolJobCalls, profileKernels } from './profile.mjs';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
// `--simd=simd|relaxed-simd` measures that binary (scripts/bench.mjs runs both); default: the engine's choice.
await init({ simd: process.argv.find((a) => a.startsWith('--simd='))?.slice(7) ?? 'auto' });
const host = hostInfo();
const peak = await measurePeak({ relaxed: simdVariant() === 'relaxed-simd', ms: quick ? 5 : 25, reps: quick ? 2 : 5 });
const PROBE = { ms: quick ? 1.5 : 4.5, reps: 3 }; // peakProbe: the fastest of 3 calls of 0.5 (quick) or 1.5 ms
const probeOnce = await peakProbe(peak, PROBE);
const probes = []; // every peak timed beside a figure (GFLOP/s), for the run's summary
const probe = () => {
  const g = probeOnce();
  probes.push(g);
  return g;
};
const gemmChoice = gemmVariantState(); // the micro-kernel init() picked (calibrated, or named by ZERODL_GEMM)
const record = {
  date: new Date().toISOString(),
  node: process.version,
  variant: simdVariant(),
  quick,
  host,
  peak,
  peakProbe: { chains: peak.chains, ...PROBE },
  gemmVariant: {
    variant: gemmChoice.variant,
    source: gemmChoice.source,
    candidates: gemmChoice.calibration?.candidates,
    calibrationMs: gemmChoice.calibration?.ms,
    calibrationTookMs: gemmChoice.calibration?.tookMs,
  },
  gemm: [],
  train: [],
};
/** A share of the peak as a percentage, e.g. '87%'. */
const pct = (share) => `${Math.round(100 * share)}%`;

/** Median seconds per call of fn, timed until `minSeconds` have passed and at least `minReps` calls were made. */
function time(fn, { minReps = 5, minSeconds = quick ? 0.05 : 0.5, warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  const start = performance.now();
  while (samples.length < minReps || (performance.now() - start) / 1000 < minSeconds) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
    if (samples.length >= 1000) break;
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/**
 * This machine is shared: its speed drifts over seconds. So the contenders of one row are timed in interleaved
 * rounds (A B C … A B C …) and each figure is the median over rounds of the per-round median.
 */
const ROUND = { minReps: 3, minSeconds: quick ? 0.03 : 0.15, warmup: 1 };
/**
 * Rounds with the peak timed beside every figure: each round runs a peak probe, then each contender followed
 * by a probe (P A P B P …), and a contender's round is paired with the mean of the two probes on either side of it.
 * Per contender: the median seconds, and per round the seconds and that peak (GFLOP/s).
 */
function besidePeak(fns, rounds = quick ? 1 : 5, opts = ROUND) {
  const per = fns.map(() => ({ rounds: [], peaks: [] }));
  for (let r = 0; r < rounds; r++) {
    let before = probe();
    fns.forEach((fn, i) => {
      per[i].rounds.push(time(fn, opts));
      const after = probe();
      per[i].peaks.push((before + after) / 2);
      before = after;
    });
  }
  return per.map((p) => ({ ...p, seconds: median(p.rounds) }));
}

/** A figure's share of the peak: the median over rounds of (the round's GFLOP/s ÷ the peak timed beside it). */
const shareOfPeak = (flops, p) => median(p.rounds.map((t, r) => flops / t / 1e9 / p.peaks[r]));
/** The peaks timed beside a figure, for the record (0.1 GFLOP/s is finer than this VM's drift). */
const roundPeaks = (p) => p.peaks.map((g) => Number(g.toFixed(1)));

function randomFill(a, seed) {
  let s = seed | 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    a[i] = ((s >>> 8) / 16777216) * 2 - 1;
  }
}

const fmt = (v, d = 1) => (v >= 100 ? v.toFixed(0) : v.toFixed(d));
const table = (header, rows) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padStart(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log();
};

console.log(
  `zerodl bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, wasm binary: ${simdVariant()}, single thread (threads: section 4)${quick ? ', QUICK' : ''}`,
);
console.log(
  `host: ${hostName(host)}, ${host.cores} cores, ${Object.entries(host.caches)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
console.log(
  `host SIMD128 peak (${peak.op}, register-only, best of ${Object.keys(peak.perChains).join('/')} chains): ` +
    `${peak.gflops.toFixed(1)} GFLOP/s with ${peak.chains} chains; that loop is re-timed (fastest of ${PROBE.reps} ` +
    `calls of ${PROBE.ms / PROBE.reps} ms) before and after every gemm and training figure in every round, and "of peak" ` +
    `below is the median over rounds of (figure ÷ the peak timed beside it)`,
);
const calib = gemmChoice.calibration;
console.log(
  `gemm micro-kernel: ${gemmVariant()} (${gemmChoice.source}` +
    (calib
      ? `; init() timed ${calib.candidates.join(', ')}${calib.x86 ? ' (an x86 host)' : ''} on ` +
        `${calib.shapes.map((s) => s.join('×')).join(' and ')}, ${calib.rounds} rounds in ${calib.tookMs.toFixed(0)} ms, best: ` +
        calib.candidates.map((v) => `${v} ${calib.ms[v].map((t) => t.toFixed(2)).join('+')} ms`).join(', ')
      : '') +
    ')\n',
);

// ---- 1. gemm ---------------------------------------------------------------------------------------------------
if (!only || only === 'gemm') {
  const js = createBackend('js'),
    wasm = createBackend('wasm');
  const shapes = [
    [128, 784, 100],
    [128, 100, 100],
    [784, 128, 100],
    [128, 100, 10],
    [512, 512, 512],
    [1024, 1024, 1024],
  ];
  const variants = [
    ['A·B', false, false],
    ['Aᵀ·B', true, false],
    ['A·Bᵀ', false, true],
    ['Aᵀ·Bᵀ', true, true],
  ];
  const rows = [];
  console.log(
    'gemm: C[M×N] = op(A)·op(B), GFLOP/s = 2·M·N·K / s (median); of peak: the best and the worst transpose form, each ' +
      'against the peak timed beside it',
  );
  for (const [M, K, N] of shapes) {
    const flops = 2 * M * N * K;
    const big = flops > 1e8;
    // Reserve first: an allocation that grows wasm memory detaches the views made before it.
    const bufs = (k) => (
      k.reserve(M * K + K * N + M * N + 64), { a: k.alloc(M * K), b: k.alloc(K * N), c: k.alloc(M * N) }
    );
    const bw = bufs(wasm),
      bj = bufs(js);
    randomFill(bw.a, 1);
    randomFill(bw.b, 2);
    bj.a.set(bw.a);
    bj.b.set(bw.b);
    const row = [`${M}×${K}×${N}`];
    for (const [, ta, tb] of variants) {
      wasm.gemm(bw.c, bw.a, bw.b, M, N, K, ta, tb, false);
      if (!big || !quick) {
        js.gemm(bj.c, bj.a, bj.b, M, N, K, ta, tb, false);
        let maxErr = 0;
        for (let i = 0; i < M * N; i++) maxErr = Math.max(maxErr, Math.abs(bw.c[i] - bj.c[i]));
        if (maxErr > 1e-3 * Math.sqrt(K))
          throw new Error(`gemm ${M}×${K}×${N} ta=${ta} tb=${tb}: wasm differs from js by ${maxErr}`);
      }
    }
    const timed = besidePeak(
      variants.map(
        ([, ta, tb]) =>
          () =>
            wasm.gemm(bw.c, bw.a, bw.b, M, N, K, ta, tb, false),
      ),
    );
    const times = timed.map((p) => p.seconds);
    const shares = timed.map((p) => shareOfPeak(flops, p));
    const plain = flops / times[0] / 1e9;
    for (const t of times) row.push(fmt(flops / t / 1e9));
    row.push(`${fmt(Math.max(...times) / Math.min(...times), 2)}x`);
    row.push(`${pct(Math.max(...shares))} / ${pct(Math.min(...shares))}`);
    record.gemm.push({
      shape: [M, K, N],
      gflops: Object.fromEntries(variants.map(([name], i) => [name, flops / times[i] / 1e9])),
      worstOfPeak: Math.min(...shares),
      ofPeak: Object.fromEntries(variants.map(([name], i) => [name, shares[i]])),
      roundPeaks: Object.fromEntries(variants.map(([name], i) => [name, roundPeaks(timed[i])])),
    });
    const tj = time(
      () => js.gemm(bj.c, bj.a, bj.b, M, N, K, false, false, false),
      big ? { minReps: 1, minSeconds: 0, warmup: 0 } : {},
    );
    const gj = flops / tj / 1e9;
    row.push(fmt(gj, 2), `${fmt(plain / gj)}x`);
    rows.push(row);
  }
  table(
    [
      'M×K×N',
      'wasm A·B',
      'wasm Aᵀ·B',
      'wasm A·Bᵀ',
      'wasm Aᵀ·Bᵀ',
      'slowest/fastest',
      'of peak best/worst',
      'js A·B',
      'wasm/js',
    ],
    rows,
  );
}

// ---- 1b. gemm micro-kernel variants -------------------------------------------------------------------------------
// Each variant forced in turn (results are bit-identical, so only speed differs), interleaved round by round, so
// that a later quiet run on any CPU shows which tile suits it. The rest of the bench runs on init()'s choice.
if (!only || only === 'gemm' || only === 'variants') {
  const backends = [];
  for (const v of GEMM_VARIANTS) {
    await init({ gemmVariant: v });
    backends.push(createBackend('wasm'));
  }
  await init({ gemmVariant: gemmChoice.variant }); // back to init()'s choice for the sections after this one
  // [M, K, N, transA, transB]: 512³, and the 784-1024x2-10 net at batch 256 (forward, dW = Xᵀ·dY, dX = dY·Wᵀ).
  const shapes = [
    [512, 512, 512, false, false],
    [256, 784, 1024, false, false],
    [784, 256, 1024, true, false],
    [256, 1024, 784, false, true],
    [256, 1024, 1024, false, false],
    [1024, 256, 1024, true, false],
  ];
  const rows = [];
  console.log(
    `gemm micro-kernel variants (${simdVariant()} binary): GFLOP/s (of the peak timed beside it), median of interleaved rounds` +
      ` — init() chose ${gemmChoice.variant}`,
  );
  for (const [M, K, N, ta, tb] of shapes) {
    const flops = 2 * M * N * K;
    const bufs = backends.map((k) => {
      k.reserve(M * K + K * N + M * N + 64);
      const b = { a: k.alloc(M * K), b: k.alloc(K * N), c: k.alloc(M * N) };
      randomFill(b.a, 1);
      randomFill(b.b, 2);
      return b;
    });
    const timed = besidePeak(
      backends.map((k, i) => () => k.gemm(bufs[i].c, bufs[i].a, bufs[i].b, M, N, K, ta, tb, false)),
      quick ? 1 : 7,
      { minReps: 3, minSeconds: quick ? 0.02 : 0.1, warmup: 1 },
    );
    const g = timed.map((p) => flops / p.seconds / 1e9);
    const shares = timed.map((p) => shareOfPeak(flops, p));
    const best = g.indexOf(Math.max(...g));
    rows.push([
      `${M}×${K}×${N} ${ta ? 'Aᵀ·B' : tb ? 'A·Bᵀ' : 'A·B'}`,
      ...g.map((x, i) => `${fmt(x)} (${pct(shares[i])})`),
      GEMM_VARIANTS[best],
    ]);
    record.gemmVariants ??= [];
    record.gemmVariants.push({
      shape: [M, K, N],
      transA: ta,
      transB: tb,
      gflops: Object.fromEntries(GEMM_VARIANTS.map((v, i) => [v, g[i]])),
      ofPeak: Object.fromEntries(GEMM_VARIANTS.map((v, i) => [v, shares[i]])),
      roundPeaks: Object.fromEntries(GEMM_VARIANTS.map((v, i) => [v, roundPeaks(timed[i])])),
    });
  }
  table(['M×K×N', ...GEMM_VARIANTS, 'fastest'], rows);
}

// ---- 2. training and 3. inference --------------------------------------------------------------------------------
if (!only || only === 'train') {
  const nets = [
    { name: '784-100x4-10', hiddenSizes: [100, 100, 100, 100], batch: 128 },
    { name: '784-1024x2-10', hiddenSizes: [1024, 1024], batch: 256 },
  ];
  const rows = [];
  console.log(
    'training: samples/s of one step (batch gather + gradient + Adam update), ReLU, He; inference at batch 1000; ' +
      "of peak: the step's gemm flops per second against the peak timed beside it",
  );
  for (const spec of nets) {
    const row = [spec.name, spec.batch];
    const results = {};
    // The step's gemm work: per affine layer Y = X·W and dW = Xᵀ·dY, and dX = dY·Wᵀ below the first layer.
    const sizes = [784, ...spec.hiddenSizes, 10];
    let stepFlops = 0;
    for (let l = 1; l < sizes.length; l++) stepFlops += 2 * spec.batch * sizes[l - 1] * sizes[l] * (l > 1 ? 3 : 2);
    let stepTimed;
    for (const backend of BACKEND_NAMES) {
      const heavy = backend === 'js' && spec.hiddenSizes[0] > 500;
      const N = 2048;
      const x = new Float32Array(N * 784),
        t = new Uint8Array(N);
      randomFill(x, 3);
      for (let i = 0; i < N; i++) t[i] = i % 10;
      const net = new MultiLayerNet({
        inputSize: 784,
        hiddenSizes: spec.hiddenSizes,
        outputSize: 10,
        backend,
        seed: 1,
        maxBatchSize: 1000,
      });
      const trainer = new Trainer(net, x, t, x.subarray(0, 784 * 10), t.subarray(0, 10), {
        batchSize: spec.batch,
        optimizer: createOptimizer('adam'),
      });
      const xi = x.subarray(0, 1000 * 784);
      let step, infer;
      if (backend === 'wasm') {
        // Training and inference interleaved over rounds, the peak timed beside each (see `besidePeak`).
        const timed = besidePeak([() => trainer.step(), () => net.predict(xi)], quick ? 1 : 5, {
          minReps: 5,
          minSeconds: quick ? 0.05 : 0.4,
          warmup: 2,
        });
        [step, infer] = timed.map((p) => p.seconds);
        stepTimed = timed[0];
      } else {
        const opts =
          heavy || quick ? { minReps: 3, minSeconds: 0, warmup: 1 } : { minReps: 10, minSeconds: 1, warmup: 2 };
        step = time(() => trainer.step(), opts);
        infer = time(() => net.predict(xi), heavy || quick ? { minReps: 2, minSeconds: 0, warmup: 1 } : {});
      }
      results[backend] = { train: spec.batch / step, infer: 1000 / infer };
    }
    const trainGflops = (stepFlops * results.wasm.train) / spec.batch / 1e9;
    const trainShare = shareOfPeak(stepFlops, stepTimed);
    row.push(
      fmt(results.wasm.train),
      pct(trainShare),
      fmt(results.js.train),
      `${fmt(results.wasm.train / results.js.train)}x`,
      fmt(results.wasm.infer),
      fmt(results.js.infer),
      `${fmt(results.wasm.infer / results.js.infer)}x`,
    );
    rows.push(row);
    record.train.push({
      net: spec.name,
      batch: spec.batch,
      samplesPerSecond: results.wasm.train,
      gemmGflops: trainGflops,
      ofPeak: trainShare,
      roundPeaks: roundPeaks(stepTimed),
      jsSamplesPerSecond: results.js.train,
      inferSamplesPerSecond: results.wasm.infer,
    });
  }
  table(
    [
      'net',
      'batch',
      'wasm train/s',
      'of peak (gemm flops)',
      'js train/s',
      'ratio',
      'wasm infer/s',
      'js infer/s',
      'ratio',
    ],
    rows,
  );
}

// ---- 4. threads ------------------------------------------------------------------------------------------------
// init({ threads }) against one thread, the same binary, interleaved: gemm, training and inference. The results are
// bit-identical (test/backend/threads.test.ts); this measures what the second core buys.
if (!only || only === 'threads') {
  const cores = (await import('node:os')).availableParallelism();
  const T = Math.min(cores, Number(process.env.ZERODL_BENCH_THREADS ?? 2));
  const one = { gemm: createBackend('wasm') };
  const nets = [
    { name: '784-100x4-10', hiddenSizes: [100, 100, 100, 100], batch: 128 },
    { name: '784-1024x2-10', hiddenSizes: [1024, 1024], batch: 256 },
  ];
  const N = 2048;
  const x = new Float32Array(N * 784),
    t = new Uint8Array(N);
  randomFill(x, 3);
  for (let i = 0; i < N; i++) t[i] = i % 10;
  const xi = x.subarray(0, 1000 * 784);
  const makeNet = (spec) => {
    const net = new MultiLayerNet({
      inputSize: 784,
      hiddenSizes: spec.hiddenSizes,
      outputSize: 10,
      seed: 1,
      maxBatchSize: 1000,
    });
    const trainer = new Trainer(net, x, t, x.subarray(0, 784 * 10), t.subarray(0, 10), {
      batchSize: spec.batch,
      optimizer: createOptimizer('adam'),
    });
    return { net, trainer };
  };
  const single = nets.map(makeNet);
  await init({ threads: T });
  const multi = nets.map(makeNet);
  const many = { gemm: createBackend('wasm') };
  console.log(
    `threads: ${T} threads (init({ threads: ${T} })) vs 1, same binary, interleaved; this machine has ${cores} cores`,
  );
  // The same two cores running the peak's loop at once, timed before and after each round of each row (see
  // pairProbe): a thread's speed-up is a share of what the host gave two threads of pure arithmetic at that moment.
  const pair = T === 2 ? await pairProbe(peak, PROBE) : undefined;
  const pairs = [];
  const pairOnce = () => {
    if (!pair) return Number.NaN;
    const p = pair();
    pairs.push(p.speedup);
    return p.speedup;
  };
  /** Rounds of [one thread, T threads] with the pair probe on either side: median times, speed-up and its share. */
  const besidePair = (one, many, rounds, opts, probe = true) => {
    const t1s = [],
      tTs = [],
      ratios = [],
      shares = [];
    for (let r = 0; r < rounds; r++) {
      const before = probe ? pairOnce() : Number.NaN;
      const t1 = time(one, opts),
        tT = time(many, opts);
      t1s.push(t1);
      tTs.push(tT);
      ratios.push(t1 / tT);
      shares.push(probe ? t1 / tT / ((before + pairOnce()) / 2) : Number.NaN);
    }
    return { t1: median(t1s), tT: median(tTs), ratio: median(ratios), share: median(shares) };
  };
  const rows = [];
  const row = (what, unit, work, one, many, rounds, opts, probe = true) => {
    const { t1, tT, ratio, share } = besidePair(one, many, rounds, opts, probe);
    const shown = Number.isFinite(share) ? pct(share) : '—';
    rows.push([what, fmt(work / t1 / unit), fmt(work / tT / unit), `${fmt(ratio, 2)}x`, shown]);
    (record.threads ??= []).push({ what, one: work / t1 / unit, many: work / tT / unit, speedup: ratio, share });
  };
  for (const [M, K, N2] of [
    [512, 512, 512],
    [256, 1024, 1024],
    [128, 784, 100],
  ]) {
    const flops = 2 * M * K * N2;
    const bufs = (k) => {
      k.reserve(M * K + K * N2 + M * N2 + 64);
      const b = { a: k.alloc(M * K), b: k.alloc(K * N2), c: k.alloc(M * N2) };
      randomFill(b.a, 1);
      randomFill(b.b, 2);
      return b;
    };
    const b1 = bufs(one.gemm),
      bT = bufs(many.gemm);
    row(
      `gemm ${M}×${K}×${N2} GFLOP/s`,
      1e9,
      flops,
      () => one.gemm.gemm(b1.c, b1.a, b1.b, M, N2, K, false, false, false),
      () => many.gemm.gemm(bT.c, bT.a, bT.b, M, N2, K, false, false, false),
      quick ? 1 : 7,
      ROUND,
    );
  }
  for (let i = 0; i < nets.length; i++) {
    const s = single[i],
      m = multi[i],
      B = nets[i].batch;
    const opts = { minReps: 5, minSeconds: quick ? 0.05 : 0.3, warmup: 2 };
    const rounds = quick ? 1 : 7;
    row(
      `train ${nets[i].name} b${B} samples/s`,
      1,
      B,
      () => s.trainer.step(),
      () => m.trainer.step(),
      rounds,
      opts,
    );
    row(
      `infer ${nets[i].name} b1000 samples/s`,
      1,
      1000,
      () => s.net.predict(xi),
      () => m.net.predict(xi),
      rounds,
      opts,
    );
  }
  // The same 4x100 training with a third process keeping one core busy (the target: no slowdown against one thread
  // beside the same process). The busy process ends with this one even if this one is killed: it checks that its
  // parent lives every ~16M turns of its loop.
  if (T === 2 && !quick) {
    const { spawn } = await import('node:child_process');
    const busy =
      'const p = +process.argv[1]; for (let i = 0; ; i++) if ((i & 0xffffff) === 0) ' +
      '{ try { process.kill(p, 0); } catch { process.exit(); } }';
    const hog = spawn(process.execPath, ['-e', busy, String(process.pid)], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      row(
        'train 784-100x4-10 b128 samples/s, a third process busy on a core',
        1,
        nets[0].batch,
        () => single[0].trainer.step(),
        () => multi[0].trainer.step(),
        7,
        { minReps: 5, minSeconds: 0.3, warmup: 2 },
        false,
      );
    } finally {
      hog.kill();
    }
  }
  table(['', '1 thread', `${T} threads`, 'speed-up', 'of the loop on 2 cores'], rows);
  const q = [...pairs].sort((a, b) => a - b);
  if (pair) {
    pair.close();
    record.threadsPair = { n: q.length, min: q[0], median: median(q), max: q[q.length - 1] };
    console.log(
      `the peak's loop on this thread and a second one at once, ÷ on this thread alone (pairProbe, timed before and after ` +
        `every round): ${fmt(q[0], 2)}–${fmt(q[q.length - 1], 2)}x, median ${fmt(median(q), 2)}x over ${q.length} ` +
        `probes; "of the loop on 2 cores" is the median over rounds of (speed-up ÷ the probes beside it)\n`,
    );
  }
  await init({ threads: 1 });
}

// ---- 5. where a training step's time goes ------------------------------------------------------------------------
// Each kernel call of the net's backend timed (bench/profile.mjs: performance.now around every kernel of the
// descriptor list; ~0.1 µs per call added), one thread:
// gemm's share against the rest (bias, activations, softmax, BatchNorm, dropout, optimizer) and JS around them.
// And the share two threads can share at all: the calls the pool splits (poolJobCalls, under init({ threads: 2 }):
// the large gemms and elementwise kernels; reductions, small products and JS stay on the caller), and what Amdahl's
// law makes of it: 2 threads gain at most ms ÷ (rest + split ÷ 2), before any hand-off cost.
if (!only || only === 'breakdown') {
  console.log(
    'where a training step goes (one thread, Adam, ReLU; ms per step; the rest is JS: batch gather, layer glue; ' +
      '"pool splits": the calls init({ threads: 2 }) runs as pool jobs, and the bound that puts on 2 threads)',
  );
  const rows = [];
  for (const spec of [
    { name: '784-100x4-10', hiddenSizes: [100, 100, 100, 100], batch: 128 },
    { name: '784-1024x2-10', hiddenSizes: [1024, 1024], batch: 256 },
    { name: '784-100x4-10 +BN +dropout', hiddenSizes: [100, 100, 100, 100], batch: 128, bn: true },
  ]) {
    const N = 2048;
    const x = new Float32Array(N * 784),
      t = new Uint8Array(N);
    randomFill(x, 3);
    for (let i = 0; i < N; i++) t[i] = i % 10;
    const makeTrainer = () => {
      const net = new MultiLayerNet({
        inputSize: 784,
        hiddenSizes: spec.hiddenSizes,
        outputSize: 10,
        seed: 1,
        useBatchNorm: !!spec.bn,
        useDropout: !!spec.bn,
        dropoutRatio: 0.2,
      });
      const trainer = new Trainer(net, x, t, x.subarray(0, 7840), t.subarray(0, 10), {
        batchSize: spec.batch,
        optimizer: createOptimizer('adam'),
      });
      return { net, trainer };
    };
    // Which calls of one step the pool splits (a step's calls are the same every step).
    await init({ threads: 2 });
    const threaded = makeTrainer();
    const jobs = poolJobCalls(threaded.net.backend, KERNEL_NAMES);
    for (let i = 0; i < 3; i++) threaded.trainer.step();
    jobs.reset();
    threaded.trainer.step();
    const split = [...jobs.split];
    await init({ threads: 1 });
    const { net, trainer } = makeTrainer();
    const prof = profileKernels(net.backend, KERNEL_NAMES, { perCall: true });
    for (let i = 0; i < 20; i++) trainer.step();
    prof.reset();
    const steps = quick ? 50 : 400;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) trainer.step();
    const total = (performance.now() - t0) / steps;
    // (n/a if the one-thread run made other calls than the threaded step: the classification would not apply)
    const splitMs =
      prof.callMs.length === steps * split.length
        ? prof.callMs.reduce((a, ms, i) => (split[i % split.length] ? a + ms : a), 0) / steps
        : Number.NaN;
    const per = Object.fromEntries(Object.entries(prof.ms).map(([n, v]) => [n, v / steps]));
    const gemm = per.gemm ?? 0;
    const kernels = Object.values(per).reduce((a, b) => a + b, 0);
    const top = Object.entries(per)
      .filter(([n]) => n !== 'gemm')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([n, v]) => `${n} ${((100 * v) / total).toFixed(1)}%`)
      .join(', ');
    rows.push([
      spec.name,
      spec.batch,
      total.toFixed(3),
      `${((100 * gemm) / total).toFixed(1)}%`,
      `${((100 * (kernels - gemm)) / total).toFixed(1)}%`,
      `${((100 * (total - kernels)) / total).toFixed(1)}%`,
      Number.isFinite(splitMs) ? `${((100 * splitMs) / total).toFixed(1)}%` : 'n/a',
      Number.isFinite(splitMs) ? `${(total / (total - splitMs / 2)).toFixed(2)}x` : 'n/a',
      top,
    ]);
  }
  table(
    [
      'net',
      'batch',
      'ms/step',
      'gemm',
      'other kernels',
      'JS',
      'pool splits',
      '2-thread bound',
      'largest other kernels',
    ],
    rows,
  );
}

// ---- 6. long runs: the subnormal cliff ----------------------------------------------------------------------------
// A parameter whose gradient is exactly 0 (a ReLU unit that died) has its optimizer state decay geometrically: Adam's
// m by β1 per step, Momentum's v by μ, RMSprop's h by its decay rate. Left alone it reaches the subnormal range after
// some hundreds of steps, which x86 CPUs compute far more slowly, and wasm does not flush subnormals by itself.
// Each stateful optimizer trains the 4x100 net on random data in [0, 1) (labels i mod 10; units die) for 3,000 steps;
// the time per step of the last 500 steps against the first 500 (after a warm-up) shows such a cliff, and the count
// of subnormal state entries (the most seen at any window's end) shows its cause.
if (!only || only === 'longrun') {
  const steps = quick ? 600 : 3000,
    window = quick ? 100 : 500;
  console.log(
    `long runs: ${steps} steps of 784-100x4-10, batch 128, random data; ms per step, first vs last ${window} steps`,
  );
  const N = 2048;
  const x = new Float32Array(N * 784),
    t = new Uint8Array(N);
  randomFill(x, 5);
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * x[i] + 0.5; // in [0, 1), as pixels: many ReLU units die
  for (let i = 0; i < N; i++) t[i] = i % 10;
  const FLT_MIN = 1.1754943508222875e-38;
  const rows = [];
  for (const name of ['adam', 'momentum', 'nesterov', 'rmsprop', 'adagrad']) {
    const net = new MultiLayerNet({ inputSize: 784, hiddenSizes: [100, 100, 100, 100], outputSize: 10, seed: 1 });
    const opt = createOptimizer(name);
    const trainer = new Trainer(net, x, t, x.subarray(0, 7840), t.subarray(0, 10), { batchSize: 128, optimizer: opt });
    for (let i = 0; i < 20; i++) trainer.step();
    // Subnormal entries of the optimizer's state (counted at the end of each window, outside the timing).
    let total = 0;
    const countSubnormal = () => {
      let c = 0;
      total = 0;
      for (const slots of opt.slots.values()) {
        for (const s of slots)
          for (let i = 0; i < s.length; i++) {
            total++;
            if (s[i] !== 0 && Math.abs(s[i]) < FLT_MIN) c++;
          }
      }
      return c;
    };
    const windowMs = [],
      subnormalCounts = [];
    let t0 = performance.now();
    for (let i = 1; i <= steps; i++) {
      trainer.step();
      if (i % window === 0) {
        windowMs.push((performance.now() - t0) / window);
        subnormalCounts.push(countSubnormal());
        t0 = performance.now();
      }
    }
    const subnormal = Math.max(...subnormalCounts);
    const first = windowMs[0],
      last = windowMs[windowMs.length - 1],
      worst = Math.max(...windowMs);
    rows.push([
      name,
      first.toFixed(3),
      last.toFixed(3),
      `${fmt(last / first, 2)}x`,
      `${fmt(worst / first, 2)}x`,
      `${subnormal} of ${total}`,
    ]);
    record.longRun ??= [];
    record.longRun.push({
      optimizer: name,
      steps,
      windowMs,
      subnormalStateEntries: subnormalCounts,
      stateEntries: total,
    });
  }
  table(
    [
      'optimizer',
      `first ${window}`,
      `last ${window}`,
      'last/first',
      'slowest/first',
      'subnormal state entries (most seen)',
    ],
    rows,
  );
}

// ---- the peaks timed beside the figures --------------------------------------------------------------------------
// How far this machine's speed moved during the run: what a peak measured once would have hidden.
if (probes.length) {
  const q = [...probes].sort((x, y) => x - y);
  record.probes = { n: q.length, min: q[0], median: median(q), max: q[q.length - 1] };
  console.log(
    `the peak timed beside the figures: ${fmt(q[0])}–${fmt(q[q.length - 1])} GFLOP/s, median ${fmt(median(q))}, ` +
      `over ${q.length} probes (the first, full measurement: ${fmt(peak.gflops)})\n`,
  );
}

// ---- the record ---------------------------------------------------------------------------------------------------
if (!quick && !only) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`bench-${hostSlug(host)}.json`, dir);
  let all = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* first run on this CPU kind */
  }
  all.host = host;
  all[record.variant] = record;
  writeFileSync(file, JSON.stringify(all, null, 1) + '\n');
  console.log(`recorded in bench/results/bench-${hostSlug(host)}.json (${record.variant})`);
}

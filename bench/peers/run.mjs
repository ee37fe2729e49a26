// `npm run bench:peers`: zerodl against TensorFlow.js (wasm and cpu backends), ConvNetJS, and the book's numpy code
// in float32 on numpy's OpenBLAS at 1 and 2 BLAS threads (numpy-f32, numpy-f32-2t: `python3 bench/peers/numpy_peer.py`;
// skipped when python3 or numpy is missing).
//
// Every (contender, workload) measurement is a fresh process (`node bench/peers/<script>.mjs --work <w> --json`,
// or the contender's `command`, e.g. python3), and the contenders take turns — A B C … A B C … — for several rounds,
// so that a burst of load on this shared machine hits every contender alike instead of one. Each figure is the
// median of the rounds, with their min–max. Prints markdown tables (absolute figures, then ratios against zerodl
// wasm) and a scaling table, writes bench/results/peers-<cpu kind>-<YYYY-MM-DD>.json and bench/results/scaling.svg.
//
// This host's register-only SIMD128 peaks (bench/peak.mjs: mul+add for the plain build, relaxed_madd for the relaxed
// one) are measured in this process, while no contender runs, at the start and at the end of each run, and recorded
// with the host in the JSON (`runs[].peaks`, `machine.host`). The tables give zerodl's one-thread training and gemm
// figures also as a share of the matching peak: a range, against the higher and the lower of the two peaks (this
// VM's speed drifts by ±20% over the minutes between them).
//
//   node bench/peers/run.mjs [--quick] [--only name[,name…]] [--rounds n] [--report [file.json]]
//
//   --quick    one round of short measurements (checks that the suite works; the figures are not for quoting);
//              writes bench/results/tmp/<date>-quick.json and scaling-quick.svg instead (git-ignored)
//   --only     contenders and/or workloads to run (e.g. --only tfjs-wasm,train-4x100): the run's results replace
//              those entries in the day's JSON, the others are kept, and the tables are printed from the merge
//   --rounds   rounds for the fast contenders (default 3; the slow ones run fewer, see `roundsFor`)
//   --report   print the tables (and redraw the plot) from a results file without measuring
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostInfo, hostName, hostSlug, measurePeak } from '../peak.mjs';
import {
  EPOCH_NET,
  GEMM_SHAPES,
  GEMM_VARIANTS,
  gemmKey,
  gemmStepFlops,
  INFER_BATCH,
  NETS,
  SCALE_BATCHES,
  SCALE_WIDTH_BATCH,
  SCALE_WIDTHS,
  stepFlops,
  WORKS,
} from './common.mjs';

// The relaxed peak is measured in this process: Node 20's V8 has relaxed SIMD behind a flag (on by default from
// Node 22, which rejects the flag). Set before any wasm is compiled here; the children get it on their command line.
const oldNode = Number(process.versions.node.split('.')[0]) < 22;
if (oldNode) setFlagsFromString('--experimental-wasm-relaxed-simd');

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const resultsDir = join(root, 'bench', 'results');

// ---- contenders -----------------------------------------------------------------------------------------------

/** The environment that fixes a BLAS's thread count (numpy_peer.py sets it too, before importing numpy). */
function blasThreads(n) {
  return { OPENBLAS_NUM_THREADS: String(n), OMP_NUM_THREADS: String(n), MKL_NUM_THREADS: String(n) };
}

/** numpy's version under `python3`, or undefined when python3 or numpy is missing (asked once). */
let numpyVersion;
function numpyAvailable() {
  if (numpyVersion === undefined) {
    try {
      numpyVersion =
        execFileSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          timeout: 60000,
        }).trim() || null;
    } catch {
      numpyVersion = null;
    }
  }
  return numpyVersion ?? undefined;
}

// Optional fields: `command` to run `script` with (default: this Node), `node` (Node flags), `env` (added to the
// child's environment), `requires` (a file the contender needs), `requiresNumpy` (python3 with numpy), `slow`,
// `skipWorks`.
const CONTENDERS = [
  { id: 'zerodl-wasm', label: 'zerodl wasm', script: 'zerodl.mjs', args: ['--variant', 'wasm'] },
  {
    id: 'zerodl-relaxed',
    label: 'zerodl wasm relaxed',
    script: 'zerodl.mjs',
    args: ['--variant', 'relaxed'],
    // Node 20's V8 has relaxed SIMD behind a flag (on by default from Node 22).
    node: oldNode ? ['--experimental-wasm-relaxed-simd'] : [],
    requires: 'build/zerodl-relaxed.wasm',
    skipWorks: ['scale-width', 'scale-batch'],
  },
  {
    id: 'zerodl-wasm-2t',
    label: 'zerodl wasm, 2 threads',
    script: 'zerodl.mjs',
    args: ['--variant', 'wasm', '--threads', '2'],
    skipWorks: ['scale-width', 'scale-batch'],
  },
  {
    id: 'zerodl-relaxed-2t',
    label: 'zerodl relaxed, 2 threads',
    script: 'zerodl.mjs',
    args: ['--variant', 'relaxed', '--threads', '2'],
    node: oldNode ? ['--experimental-wasm-relaxed-simd'] : [],
    requires: 'build/zerodl-threads-relaxed.wasm',
    skipWorks: ['scale-width', 'scale-batch'],
  },
  {
    id: 'numpy-f32',
    label: 'numpy f32, 1 thread',
    command: 'python3',
    script: 'numpy_peer.py',
    args: ['--threads', '1'],
    env: blasThreads(1),
    requiresNumpy: true,
    skipWorks: ['epoch', 'scale-width', 'scale-batch'],
  },
  {
    id: 'numpy-f32-2t',
    label: 'numpy f32, 2 threads',
    command: 'python3',
    script: 'numpy_peer.py',
    args: ['--threads', '2'],
    env: blasThreads(2),
    requiresNumpy: true,
    skipWorks: ['epoch', 'scale-width', 'scale-batch'],
  },
  {
    id: 'zerodl-js',
    label: 'zerodl js',
    script: 'zerodl.mjs',
    args: ['--variant', 'js'],
    slow: true,
    skipWorks: ['scale-width', 'scale-batch'],
  },
  { id: 'tfjs-wasm', label: 'tfjs wasm', script: 'tfjs.mjs', args: ['--variant', 'wasm'] },
  {
    id: 'tfjs-cpu',
    label: 'tfjs cpu',
    script: 'tfjs.mjs',
    args: ['--variant', 'cpu'],
    slow: true,
    skipWorks: ['scale-width', 'scale-batch'],
  },
  {
    id: 'convnetjs',
    label: 'ConvNetJS',
    script: 'convnetjs.mjs',
    args: [],
    slow: true,
    skipWorks: ['gemm', 'scale-width', 'scale-batch'],
  },
];
const byId = Object.fromEntries(CONTENDERS.map((c) => [c.id, c]));
const NA = { convnetjs: { gemm: 'n/a (no gemm)' } };

/** Rounds per (contender, work): the slow contenders' long measurements run fewer times to keep a run ~15 min. */
function roundsFor(c, work, rounds) {
  if (c.slow && (work === 'gemm' || work === 'epoch')) return 1;
  if (c.slow && (work === 'train-2x1024' || work === 'infer-2x1024')) return Math.min(rounds, 2);
  // tfjs wasm's transposed matMul and wide nets are slow (seconds per call).
  if (c.id === 'tfjs-wasm' && (work === 'gemm' || work === 'scale-width')) return Math.min(rounds, 2);
  return rounds;
}

// ---- arguments ------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const rounds = quick ? 1 : Number(opt('--rounds') ?? 3);
const only = (opt('--only') ?? '').split(',').filter(Boolean);
for (const o of only) {
  if (!byId[o] && !WORKS.includes(o)) {
    console.error(
      `--only: unknown contender or workload '${o}' (contenders: ${CONTENDERS.map((c) => c.id).join(', ')}; ` +
        `workloads: ${WORKS.join(', ')})`,
    );
    process.exit(2);
  }
}
const onlyContenders = only.filter((o) => byId[o]);
const onlyWorks = only.filter((o) => WORKS.includes(o));
const date = new Date().toISOString().slice(0, 10);
const reportOnly = argv.includes('--report');
const resultsFile = reportOnly
  ? opt('--report') && !opt('--report').startsWith('--')
    ? opt('--report')
    : join(resultsDir, `peers-${hostSlug()}-${date}.json`)
  : quick
    ? join(resultsDir, 'tmp', `${date}-quick.json`)
    : join(resultsDir, `peers-${hostSlug()}-${date}.json`); // one file per CPU kind and day: never mixed

// ---- the machine ----------------------------------------------------------------------------------------------

function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

function machine() {
  const pkg = (p) => {
    try {
      return JSON.parse(readFileSync(join(root, 'bench', 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      return 'missing';
    }
  };
  const host = hostInfo();
  return {
    node: process.version,
    cpu: hostName(host),
    host,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    versions: {
      '@tensorflow/tfjs-core': pkg('@tensorflow/tfjs-core'),
      '@tensorflow/tfjs-layers': pkg('@tensorflow/tfjs-layers'),
      '@tensorflow/tfjs-backend-wasm': pkg('@tensorflow/tfjs-backend-wasm'),
      '@tensorflow/tfjs-backend-cpu': pkg('@tensorflow/tfjs-backend-cpu'),
      convnetjs: pkg('convnetjs'),
      numpy: numpyAvailable() ?? 'missing',
    },
  };
}

/** Both peaks, GFLOP/s with the best loop (bench/peak.mjs's full measurement: ~5 s, no contender running). */
async function hostPeaks() {
  const at = new Date().toISOString();
  const one = async (relaxed) => {
    const p = await measurePeak({ relaxed });
    return p.unavailable ? { unavailable: p.unavailable } : { gflops: p.gflops, chains: p.chains };
  };
  return { at, plain: await one(false), relaxed: await one(true) };
}

// ---- one child process ----------------------------------------------------------------------------------------

function runChild(c, work) {
  const args = [
    ...(c.node ?? []),
    join(here, c.script),
    ...c.args,
    '--work',
    work,
    '--json',
    ...(quick ? ['--quick'] : []),
  ];
  const env = c.env ? { ...process.env, ...c.env } : process.env;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const load = loadavg()[0];
    const child = spawn(c.command ?? process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '',
      err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (e) => {
      err += `${e}\n`;
    });
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      let result;
      try {
        result = line ? JSON.parse(line.slice(9)) : undefined;
      } catch (e) {
        result = { error: `unreadable result line: ${e}` };
      }
      if (!result)
        result = {
          error: `exit code ${code}, no result line; stderr: ${err.trim().split('\n').slice(-5).join(' / ')}`,
        };
      resolve({ ...result, wall, load1: load, code });
    });
  });
}

// ---- measuring ------------------------------------------------------------------------------------------------

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** results[work][contender] = { rounds: [metrics…], notes, errors, summary: { metric: { median, min, max, n } } } */
function summarize(entry) {
  const summary = {};
  const keys = new Set(entry.rounds.flatMap((r) => Object.keys(r)));
  for (const k of keys) {
    const v = entry.rounds.map((r) => r[k]).filter((x) => Number.isFinite(x));
    if (v.length) summary[k] = { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
  }
  entry.summary = summary;
}

async function measure(data, run) {
  const works = onlyWorks.length ? onlyWorks : WORKS;
  const active = CONTENDERS.filter((c) => !onlyContenders.length || onlyContenders.includes(c.id));
  const skipped = {};
  for (const c of active) {
    if (c.requires && !existsSync(join(root, c.requires)))
      skipped[c.id] = `${c.requires} is absent (no relaxed build): skipped`;
    if (c.requiresNumpy && !numpyAvailable())
      skipped[c.id] = '`python3 -c "import numpy"` failed (no python3 or no numpy): skipped';
  }
  const started = performance.now();
  for (const work of works) {
    const cs = active.filter((c) => !skipped[c.id] && !(c.skipWorks ?? []).includes(work));
    if (!cs.length) continue;
    const fresh = Object.fromEntries(cs.map((c) => [c.id, { rounds: [], notes: {}, errors: [], wall: [], load1: [] }]));
    const maxRounds = Math.max(...cs.map((c) => roundsFor(c, work, rounds)));
    for (let r = 0; r < maxRounds; r++) {
      for (const c of cs) {
        if (r >= roundsFor(c, work, rounds)) continue;
        process.stderr.write(
          `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${work} round ${r + 1}/${roundsFor(c, work, rounds)}: ${c.id} … `,
        );
        const res = await runChild(c, work);
        const e = fresh[c.id];
        e.wall.push(Number(res.wall.toFixed(2)));
        e.load1.push(Number(res.load1.toFixed(2)));
        if (res.error) {
          e.errors.push(res.error);
          process.stderr.write(`FAILED (${res.wall.toFixed(1)} s)\n${res.error}\n`);
        } else {
          e.rounds.push(res.metrics);
          e.notes = res.notes ?? {};
          process.stderr.write(`${res.wall.toFixed(1)} s\n`);
        }
      }
    }
    data.results[work] ??= {};
    for (const [id, e] of Object.entries(fresh)) {
      summarize(e);
      e.measuredAt = new Date().toISOString();
      e.run = run.started; // whose peaks it is set against (an --only run merges into older results)
      data.results[work][id] = e;
    }
  }
  for (const [id, why] of Object.entries(skipped)) data.skipped[id] = why;
  return (performance.now() - started) / 1000;
}

// ---- tables ---------------------------------------------------------------------------------------------------

/** The one-thread zerodl contenders and the peak of their build (a run's `peaks.start.plain` …). */
const PEAK_OF = { 'zerodl-wasm': 'plain', 'zerodl-relaxed': 'relaxed' };
const PEAK_OP = { plain: 'mul+add', relaxed: 'relaxed_madd' };

function peaksText(p) {
  const g = (x) => (Number.isFinite(x?.gflops) ? `${x.gflops.toFixed(1)} (${x.chains})` : 'n/a');
  return `mul+add ${g(p.plain)}, relaxed_madd ${g(p.relaxed)} GFLOP/s`;
}

/** The start and end peaks (GFLOP/s) of the `kind` build, from the run that measured `entry`. */
function peaksFor(data, entry, kind) {
  const run = (data.runs ?? []).find((r) => r.started === entry?.run);
  return [run?.peaks?.start?.[kind]?.gflops, run?.peaks?.end?.[kind]?.gflops].filter(Number.isFinite);
}

/** '57–59%': `gflops` against the higher and the lower peak (one figure when they round alike); '—' without one. */
function shareText(gflops, peaks) {
  if (!Number.isFinite(gflops) || !peaks.length) return '—';
  const lo = Math.round((100 * gflops) / Math.max(...peaks)),
    hi = Math.round((100 * gflops) / Math.min(...peaks));
  return lo === hi ? `${lo}%` : `${lo}–${hi}%`;
}

/** A zerodl contender's share of its peak for one metric (`gflops` turns the metric's median into GFLOP/s). */
function peakCell(data, work, id, key, gflops = (v) => v) {
  const e = data.results[work]?.[id];
  const v = e?.summary?.[key]?.median;
  return shareText(Number.isFinite(v) ? gflops(v) : NaN, peaksFor(data, e, PEAK_OF[id]));
}

function num(v) {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function mdTable(header, rows, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    '| ' +
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ') +
    ' |';
  const sep =
    '|' +
    widths.map((w, i) => (i === 0 || align === 'left' ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') +
    '|';
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/** The contenders with any entry in the given works, in the fixed order. */
function present(data, works) {
  return CONTENDERS.filter((c) => works.some((w) => data.results[w]?.[c.id]));
}

function cell(data, work, id, key, { extrapolatedMark = false } = {}) {
  const e = data.results[work]?.[id];
  if (!e)
    return NA[id]?.[work] ?? (data.skipped[id] ? 'skipped' : (byId[id]?.skipWorks ?? []).includes(work) ? 'n/a' : '—');
  const s = e.summary?.[key];
  if (!s) return e.errors?.length ? 'failed' : '—';
  let text = num(s.median);
  if (s.n > 1) text += ` (${num(s.min)}–${num(s.max)})`;
  if (extrapolatedMark && e.notes?.extrapolated) text += ' *';
  return text;
}

/** Speed of zerodl wasm ÷ speed of the contender (>1: zerodl wasm is faster). `lowerIsBetter` for times. */
function ratioCell(data, work, id, key, lowerIsBetter = false) {
  const ref = data.results[work]?.['zerodl-wasm']?.summary?.[key]?.median;
  const v = data.results[work]?.[id]?.summary?.[key]?.median;
  if (!Number.isFinite(ref) || !Number.isFinite(v)) return cell(data, work, id, key).replace(/^[\d,.]+.*$/, '—');
  const r = lowerIsBetter ? v / ref : ref / v;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}×`;
}

const TRAIN_ROWS = [
  ...Object.entries(NETS).map(([k, n]) => ({
    work: `train-${k}`,
    key: `train ${n.name} b${n.batch}`,
    label: `train ${n.name}, batch ${n.batch} (samples/s)`,
  })),
  ...Object.entries(NETS).map(([k, n]) => ({
    work: `infer-${k}`,
    key: `infer ${n.name} b${INFER_BATCH}`,
    label: `inference ${n.name}, batch ${INFER_BATCH} (samples/s)`,
  })),
  {
    work: 'epoch',
    key: 'epoch seconds',
    label: `one MNIST epoch, ${NETS[EPOCH_NET].name} b${NETS[EPOCH_NET].batch} (s)`,
    lowerIsBetter: true,
  },
];

function scalingRows(data) {
  const rows = [];
  const get = (work, id, key) => data.results[work]?.[id]?.summary?.[key];
  const ids = CONTENDERS.filter((c) => data.results['scale-width']?.[c.id] || data.results['scale-batch']?.[c.id]).map(
    (c) => c.id,
  );
  const add = (work, label, key, hidden, batch, kind, x) => {
    const flops = stepFlops(hidden, batch);
    const row = { label, kind, x, flops, batch, per: {} };
    for (const id of ids) {
      const s = get(work, id, `${key} seconds/step`);
      if (s)
        row.per[id] = {
          seconds: s.median,
          min: s.min,
          max: s.max,
          gflops: flops / s.median / 1e9,
          perSample: s.median / batch,
        };
    }
    rows.push(row);
  };
  for (const w of SCALE_WIDTHS)
    add('scale-width', `784-${w}-${w}-10, b${SCALE_WIDTH_BATCH}`, `w${w}`, [w, w], SCALE_WIDTH_BATCH, 'w', w);
  for (const B of SCALE_BATCHES) add('scale-batch', `784-100x4-10, b${B}`, `b${B}`, NETS['4x100'].hidden, B, 'b', B);
  return { rows, ids };
}

function printTables(data) {
  const out = [];
  const m = data.machine;
  const runs = data.runs ?? [];
  out.push(`## zerodl peer benchmark — ${data.date}${data.quick ? ' (QUICK: not for quoting)' : ''}`);
  out.push('');
  out.push(
    `Node ${m.node}, ${m.cpu}, ${m.cores} cores (shared), ${m.memoryGiB} GiB; one thread unless the label says otherwise. ` +
      `TF.js ${m.versions['@tensorflow/tfjs-core']} (layers ${m.versions['@tensorflow/tfjs-layers']}, backend-wasm ` +
      `${m.versions['@tensorflow/tfjs-backend-wasm']}, backend-cpu ${m.versions['@tensorflow/tfjs-backend-cpu']}), ConvNetJS ${m.versions.convnetjs}` +
      (m.versions.numpy && m.versions.numpy !== 'missing' ? `, numpy ${m.versions.numpy}.` : '.'),
  );
  for (const r of runs) {
    out.push(
      `- run ${r.started}${r.only?.length ? ` (--only ${r.only.join(',')})` : ''}: ${r.seconds ? `${Math.round(r.seconds)} s; ` : ''}` +
        `load before \`${r.uptimeBefore.replace(/^.*load average/, 'load average')}\`, after \`${(r.uptimeAfter ?? '').replace(/^.*load average/, 'load average')}\`` +
        (r.peaks?.start
          ? `; host peak at the start: ${peaksText(r.peaks.start)}; at the end: ${r.peaks.end ? peaksText(r.peaks.end) : '—'}`
          : ''),
    );
  }
  out.push('');
  out.push(
    'Each cell: median over rounds (min–max), each round a fresh process, contenders interleaved. ' +
      `Rounds: ${data.rounds ?? '?'}; fewer on the long workloads of the slow contenders (zerodl js, tfjs cpu, ConvNetJS: ` +
      '1 for gemm and the epoch, 2 for the 2x1024 net) and of tfjs wasm (2 for gemm and the width scaling). A cell without ' +
      'min–max had one round. A measured call longer than its time budget is timed once (after one warm-up call for wasm).',
  );
  for (const [id, why] of Object.entries(data.skipped ?? {})) out.push(`- ${byId[id]?.label ?? id}: ${why}`);
  out.push('');

  // training / inference / epoch
  const works = [...new Set(TRAIN_ROWS.map((r) => r.work))];
  const cs = present(data, works);
  if (cs.length) {
    out.push('### Training, inference, MNIST epoch');
    out.push('');
    out.push(
      mdTable(
        ['', ...cs.map((c) => c.label)],
        TRAIN_ROWS.filter((r) => cs.some((c) => data.results[r.work]?.[c.id])).map((r) => [
          r.label,
          ...cs.map((c) => cell(data, r.work, c.id, r.key, { extrapolatedMark: r.work === 'epoch' })),
        ]),
      ),
    );
    out.push('');
    out.push(
      'Training: one minibatch drawn from 2,048 random samples + gradient + Adam (lr 0.001) update; ReLU, He init, ' +
        'softmax cross-entropy. zerodl: `Trainer.step()`; TF.js: `model.trainOnBatch` (tensor creation included); ConvNetJS: ' +
        "`Trainer.train` per sample with an Adam update added; numpy: the book's `MultiLayerNet.gradient` + `Adam.update` " +
        "in float32 on numpy's OpenBLAS (1 or 2 BLAS threads), minibatch gathered by `x[idx]`. Inference: scores for 1,000 samples (input copy included). " +
        (data.quick
          ? 'Epoch (QUICK: 6,000 samples, 47 minibatches): '
          : 'Epoch: 469 minibatches over a fixed permutation of the 60,000 MNIST training images, ') +
        'wall time of the steps.',
    );
    const accs = cs
      .map((c) => [c, data.results.epoch?.[c.id]?.notes])
      .filter(([, n]) => n && Number.isFinite(n.testAccuracy));
    if (accs.length) {
      out.push(
        'Test accuracy after that epoch (sanity check): ' +
          accs
            .map(
              ([c, n]) =>
                `${c.label} ${(100 * n.testAccuracy).toFixed(1)}%` +
                (n.extrapolated ? ` (after ${n.samplesRun.toLocaleString('en-US')} samples)` : ''),
            )
            .join(', ') +
          '.',
      );
    }
    const ex = cs.filter((c) => data.results.epoch?.[c.id]?.notes?.extrapolated);
    if (ex.length) {
      out.push(
        `\\* extrapolated: a whole epoch would take > ${data.epochCap ?? 120} s, so ${ex.map((c) => c.label).join(', ')} ` +
          `trained for ${+((data.epochCap ?? 120) / 6).toFixed(1)} s on the first part of it and the epoch time is ${data.quick ? '6,000' : '60,000'} × (seconds per sample measured there).`,
      );
    }
    out.push('');
    out.push('Ratios: zerodl wasm speed ÷ contender speed (> 1: zerodl wasm is faster), from the medians.');
    out.push('');
    const rc = cs.filter((c) => c.id !== 'zerodl-wasm');
    out.push(
      mdTable(
        ['', ...rc.map((c) => c.label)],
        TRAIN_ROWS.filter((r) => cs.some((c) => data.results[r.work]?.[c.id])).map((r) => [
          r.label,
          ...rc.map((c) => ratioCell(data, r.work, c.id, r.key, r.lowerIsBetter)),
        ]),
      ),
    );
    out.push('');
    const pc = cs.filter((c) => PEAK_OF[c.id]);
    const nets = Object.entries(NETS).filter(([k]) => pc.some((c) => data.results[`train-${k}`]?.[c.id]));
    if (nets.length && (data.runs ?? []).some((r) => r.peaks)) {
      out.push(
        "zerodl's training against this host's peak: a step's product work (2·B·(2·n₀·n₁ + 3·Σ n_in·n_out over the " +
          "later layers): the three gemms of each affine layer but the first layer's dX, which is not computed) × " +
          "steps/s, and its share of the build's register-only peak timed in this process at the start and the end " +
          'of the run (the range: against the higher and the lower of the two).',
      );
      out.push('');
      out.push(
        mdTable(
          ['', ...pc.map((c) => `${c.label}: GFLOP/s (of ${PEAK_OP[PEAK_OF[c.id]]} peak)`)],
          nets.map(([k, n]) => {
            const work = `train-${k}`,
              key = `train ${n.name} b${n.batch}`,
              perSample = gemmStepFlops(n.hidden, n.batch) / n.batch;
            return [
              `train ${n.name}, batch ${n.batch}`,
              ...pc.map((c) => {
                const v = data.results[work]?.[c.id]?.summary?.[key]?.median;
                const gflops = (samples) => (samples * perSample) / 1e9;
                return Number.isFinite(v)
                  ? `${num(gflops(v))} (${peakCell(data, work, c.id, key, gflops)})`
                  : cell(data, work, c.id, key);
              }),
            ];
          }),
        ),
      );
      out.push('');
    }
  }

  // gemm
  const gcs = present(data, ['gemm']);
  if (gcs.length) {
    const cols = [...gcs, ...(data.results.gemm?.convnetjs ? [] : [byId.convnetjs])];
    const pcols = gcs.filter((c) => PEAK_OF[c.id] && peaksFor(data, data.results.gemm[c.id], PEAK_OF[c.id]).length);
    out.push('### gemm GFLOP/s');
    out.push('');
    out.push(
      'C[M×N] = op(A)·op(B), 2·M·N·K flops per call. zerodl: `backend.gemm` on its own buffers; TF.js: ' +
        '`tf.matMul(a, b, transposeA, transposeB)` + `dataSync()`; numpy: `np.matmul(op(A), op(B), out=C)` in float32. Shapes: the 784-100x4-10 net at batch 128 ' +
        '(first layer forward X·W, its dW = Xᵀ·dY and dX = dY·Wᵀ, a hidden layer, the last layer) and two squares; ' +
        'the op column is the transpose variant timed.' +
        (pcols.length
          ? ` The "of peak" columns: zerodl's GFLOP/s as a share of its build's register-only peak, timed in this process ` +
            'at the start and the end of the run (the range: against the higher and the lower of the two).'
          : ''),
    );
    out.push('');
    const rows = [];
    for (const [M, K, N] of GEMM_SHAPES) {
      for (const [v] of GEMM_VARIANTS)
        rows.push([
          `${M}×${K}×${N} ${v}`,
          ...cols.map((c) => cell(data, 'gemm', c.id, gemmKey(M, K, N, v))),
          ...pcols.map((c) => peakCell(data, 'gemm', c.id, gemmKey(M, K, N, v))),
        ]);
    }
    out.push(
      mdTable(
        ['M×K×N op', ...cols.map((c) => c.label), ...pcols.map((c) => `${c.label}, of ${PEAK_OP[PEAK_OF[c.id]]} peak`)],
        rows,
      ),
    );
    out.push('');
    const rc = gcs.filter((c) => c.id !== 'zerodl-wasm');
    if (rc.length && data.results.gemm?.['zerodl-wasm']) {
      out.push('Ratios: zerodl wasm GFLOP/s ÷ contender GFLOP/s.');
      out.push('');
      const rr = [];
      for (const [M, K, N] of GEMM_SHAPES) {
        for (const [v] of GEMM_VARIANTS)
          rr.push([`${M}×${K}×${N} ${v}`, ...rc.map((c) => ratioCell(data, 'gemm', c.id, gemmKey(M, K, N, v)))]);
      }
      out.push(mdTable(['M×K×N op', ...rc.map((c) => c.label)], rr));
      out.push('');
    }
  }

  // scaling
  const { rows, ids } = scalingRows(data);
  if (ids.length) {
    out.push('### Scaling: time per training step');
    out.push('');
    out.push(
      'One step = minibatch gather + gradient + Adam. FLOPs per step = 6·B·Σ n_in·n_out (three gemms per affine ' +
        'layer — forward, dX, dW — at 2 flops per multiply-add; bias, activations, softmax and Adam not counted), ' +
        'so GFLOP/s = that ÷ time: a flat GFLOP/s means cost grows with FLOPs, a falling one means lost efficiency. ' +
        'Widths: 784-w-w-10 at batch 128. Batches: 784-100x4-10.',
    );
    out.push('');
    const header = ['net, batch', 'MFLOP/step'];
    for (const id of ids)
      header.push(`${byId[id].label} ms/step`, `${byId[id].label} GFLOP/s`, `${byId[id].label} µs/sample`);
    out.push(
      mdTable(
        header,
        rows.map((r) => [
          r.label,
          num(r.flops / 1e6),
          ...ids.flatMap((id) => {
            const p = r.per[id];
            return p
              ? [
                  `${num(p.seconds * 1e3)} (${num(p.min * 1e3)}–${num(p.max * 1e3)})`,
                  num(p.gflops),
                  num(p.perSample * 1e6),
                ]
              : ['—', '—', '—'];
          }),
        ]),
      ),
    );
    out.push('');
  }

  // failures
  const fails = [];
  for (const [work, byC] of Object.entries(data.results)) {
    for (const [id, e] of Object.entries(byC))
      for (const err of e.errors ?? []) fails.push(`- ${id} ${work}: ${err.split('\n')[0]}`);
  }
  if (fails.length) out.push('### Failures', '', ...fails, '');
  return out.join('\n');
}

// ---- plot -----------------------------------------------------------------------------------------------------

async function plot(data) {
  const { rows, ids } = scalingRows(data);
  if (!ids.length) return undefined;
  const { lineChart } = await import('../../dist/index.js');
  const { writeSvg } = await import('../../dist/node.js');
  const strip = (s, xs) => {
    for (const l of s.layer) {
      l.encoding.x.scale = { type: 'log', base: 2, nice: false, domain: [xs[0], xs[xs.length - 1]] };
      l.encoding.x.axis = { values: xs, labelOverlap: false };
    }
    const { $schema: _s, config: _c, ...rest } = s;
    return rest;
  };
  const { $schema, config } = lineChart({ title: '', xLabel: '', yLabel: '', series: [{ name: '', y: [1] }] });
  const panels = [];
  for (const [kind, xLabel] of [
    ['w', 'hidden width w (784-w-w-10, batch 128)'],
    ['b', 'batch size (784-100x4-10)'],
  ]) {
    const part = rows.filter((r) => r.kind === kind);
    const series = (f) =>
      ids
        .filter((id) => part.some((r) => r.per[id]))
        .map((id) => {
          const pts = part.filter((r) => r.per[id]);
          return { name: byId[id].label, x: pts.map((r) => r.x), y: pts.map((r) => f(r.per[id])) };
        });
    const time = series((p) => p.seconds * 1e3);
    const last = part[part.length - 1];
    const ref = last?.per[ids[0]];
    if (ref) {
      time.push({
        name: '∝ FLOPs',
        x: part.map((r) => r.x),
        y: part.map((r) => (ref.seconds * 1e3 * r.flops) / last.flops),
      });
    }
    if (!time.length) continue;
    const what = kind === 'w' ? 'width' : 'batch';
    const xs = part.map((r) => r.x);
    panels.push(
      [
        lineChart({ title: '', xLabel, yLabel: 'ms per step', series: time, logY: true, width: 300, height: 200 }),
        lineChart({
          title: '',
          xLabel,
          yLabel: 'GFLOP/s (6·B·Σ n_in·n_out per step)',
          series: series((p) => p.gflops),
          width: 300,
          height: 200,
        }),
      ].map((spec) => strip(spec, xs)),
    );
  }
  if (!panels.length) return undefined;
  // The panels in a 2×2 grid sharing one config.
  const spec = {
    $schema,
    title: `zerodl scaling — ${data.date}${data.machine?.cpu ? `, ${data.machine.cpu}` : ''}${data.quick ? ' (quick)' : ''}`,
    config,
    // Each panel keeps its own colour domain (the time panels have a reference line the others lack).
    resolve: { scale: { color: 'independent' } },
    vconcat: panels.map((p) => ({ hconcat: p, resolve: { scale: { color: 'independent' } } })),
  };
  const svgFile = data.quick ? join(resultsDir, 'tmp', 'scaling-quick.svg') : join(resultsDir, 'scaling.svg');
  await writeSvg(svgFile, spec);
  return svgFile;
}

// ---- main -----------------------------------------------------------------------------------------------------

mkdirSync(join(resultsDir, 'tmp'), { recursive: true });
let data;
if (reportOnly) {
  data = JSON.parse(readFileSync(resultsFile, 'utf8'));
} else {
  const fresh = {
    date,
    quick,
    rounds,
    machine: machine(),
    epochCap: quick ? 5 : 120,
    runs: [],
    skipped: {},
    results: {},
  };
  data = !quick && existsSync(resultsFile) && only.length ? JSON.parse(readFileSync(resultsFile, 'utf8')) : fresh;
  data.machine = fresh.machine;
  const run = { started: new Date().toISOString(), only, rounds, uptimeBefore: uptime() };
  console.error(
    `peer benchmark: ${only.length ? `--only ${only.join(',')}` : 'all'}, ${rounds} round(s)${quick ? ', QUICK' : ''}; ${run.uptimeBefore}`,
  );
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    console.error('dist/index.js is missing: run `node scripts/build.mjs` first (npm run bench:peers does).');
    process.exit(1);
  }
  if (!existsSync(join(root, 'bench', 'node_modules', '@tensorflow', 'tfjs-core'))) {
    console.error('bench/node_modules is missing: run `npm ci --prefix bench` first (npm run bench:peers does).');
    process.exit(1);
  }
  process.stderr.write('host peaks (start) … ');
  run.peaks = { start: await hostPeaks() };
  process.stderr.write(`${peaksText(run.peaks.start)}\n`);
  run.seconds = await measure(data, run);
  process.stderr.write('host peaks (end) … ');
  run.peaks.end = await hostPeaks();
  process.stderr.write(`${peaksText(run.peaks.end)}\n`);
  run.uptimeAfter = uptime();
  data.runs.push(run);
  writeFileSync(resultsFile, JSON.stringify(data, null, 1) + '\n');
  console.error(`wrote ${resultsFile}`);
}
console.log(printTables(data));
const svg = await plot(data);
if (svg) console.error(`wrote ${svg}`);

// The book's ch06/weight_init_activation_histogram.py (figures 6-10 … 6-14): 1000 inputs ~ N(0, 1) of width 100
// go through 5 layers of 100 units, a = x·W (no bias), z = act(a), with W ~ N(0, std²); we histogram each layer's z.
// A plain float64 forward pass in TS (tanh is not a net activation, and biases are absent here).
//
// The script runs one setting; its commented-out lines offer 4 weight scales (1, 0.01, √(1/n), √(2/n)) and 3
// activations (sigmoid, ReLU, tanh): all 12 combinations are run here.
//
// Binning. 'book' (the default): as the script's plt.hist(a.flatten(), 30, range=(0, 1)) — every activation,
// ReLU's exact zeros included, in 30 bins on [0, 1]; values outside it (tanh's negative half, ReLU's values
// above 1) are not drawn. 'range': per-activation ranges instead (sigmoid [0, 1], tanh [−1, 1], ReLU [0, max])
// with ReLU's exact zeros left out, so that the positive part stays visible. The statistics include every value.
//
// Options (the site's knobs): `activations` and `inits` choose which of the 12 run (default all), `std` adds a
// weight scale of one's own (the setting 'custom'), `layers` and `units` change the stack (the inputs are as wide
// as a layer). The findings are the book's, each reported only when its settings were run; away from the book's
// 5 layers of 100 units they are checked as stated, and say so.
import { ValueError } from '../errors.js';
import { histogramGrid } from '../plot/specs.js';
import { Rng } from '../rng.js';
import { chooseNames, integerIn } from './choices.js';
import { Context, fmt, sig6 } from './context.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const N = 1000; // inputs
const NODES = 100; // units per layer (and input width)
const LAYERS = 5;
const BINS = 30;

type ActName = 'sigmoid' | 'tanh' | 'relu';

/** How the figures bin the activations (see the header). */
export type HistogramBinning = 'book' | 'range';
export interface InitHistogramOptions extends ExperimentOptions {
  /** 'book' (default): 30 bins on [0, 1], every value; 'range': per-activation ranges, ReLU zeros left out. */
  binning?: HistogramBinning;
  /** Which activations to run: 'sigmoid', 'relu', 'tanh' (default all three). */
  activations?: string[];
  /** Which weight scales to run: 'std1', 'std0.01', 'xavier', 'he', 'custom' (default the four, and 'custom' with `std`). */
  inits?: string[];
  /** The std of the 'custom' weight scale, in (0, MAX_STD]. */
  std?: number;
  /** Hidden layers, 1…MAX_LAYERS (default 5). */
  layers?: number;
  /** Units per layer and the inputs' width, 1…MAX_UNITS (default 100). */
  units?: number;
}
export const MAX_LAYERS = 20;
export const MAX_UNITS = 1000;
export const MAX_STD = 100;
const ACTS: Record<ActName, (a: number) => number> = {
  sigmoid: (a) => 1 / (1 + Math.exp(-a)),
  tanh: Math.tanh,
  relu: (a) => (a > 0 ? a : 0),
};

interface Setting {
  key: string;
  label: string;
  act: ActName;
  /** std of W as a function of the fan-in n. */
  std: (n: number) => number;
  stdLabel: string;
  /** Which weight stream (seed + 1 + stream) it draws from: fixed per setting, so adding one changes no other. */
  stream: number;
}

const WEIGHTS = [
  { key: 'std1', label: 'std 1', std: () => 1, stdLabel: '1' },
  { key: 'std0.01', label: 'std 0.01', std: () => 0.01, stdLabel: '0.01' },
  { key: 'xavier', label: 'Xavier', std: (n: number) => Math.sqrt(1 / n), stdLabel: '√(1/n)' },
  { key: 'he', label: 'He', std: (n: number) => Math.sqrt(2 / n), stdLabel: '√(2/n)' },
];
const ACT_LABELS: Record<ActName, string> = { sigmoid: 'sigmoid', relu: 'ReLU', tanh: 'tanh' };
/** The streams of the 7 settings run before all 12 were, kept so that their numbers stay as they were (then 'custom'). */
const STREAMS: Record<string, number> = {
  'sigmoid-std1': 0,
  'sigmoid-std0.01': 1,
  'sigmoid-xavier': 2,
  'tanh-xavier': 3,
  'relu-std0.01': 4,
  'relu-xavier': 5,
  'relu-he': 6,
  'sigmoid-he': 7,
  'relu-std1': 8,
  'tanh-std1': 9,
  'tanh-std0.01': 10,
  'tanh-he': 11,
  'sigmoid-custom': 12,
  'relu-custom': 13,
  'tanh-custom': 14,
};

/** The script's 12 combinations, in its order: activation (sigmoid, ReLU, tanh) × weight scale. */
export const SETTINGS: Setting[] = (['sigmoid', 'relu', 'tanh'] as const).flatMap((act) =>
  WEIGHTS.map((w) => {
    const key = `${act}-${w.key}`;
    return {
      key,
      label: `${ACT_LABELS[act]}, ${w.label}`,
      act,
      std: w.std,
      stdLabel: w.stdLabel,
      stream: STREAMS[key],
    };
  }),
);

/** z = act(x·W) for x (B×I) and W (I×O), row-major, float64. */
function layerForward(
  x: Float64Array,
  W: Float64Array,
  B: number,
  I: number,
  O: number,
  act: (a: number) => number,
): Float64Array {
  const z = new Float64Array(B * O);
  for (let i = 0; i < B; i++) {
    const row = z.subarray(i * O, (i + 1) * O);
    for (let k = 0; k < I; k++) {
      const xik = x[i * I + k];
      const w = W.subarray(k * O, (k + 1) * O);
      for (let j = 0; j < O; j++) row[j] += xik * w[j];
    }
    for (let j = 0; j < O; j++) row[j] = act(row[j]);
  }
  return z;
}

/** The 'custom' weight scale of each activation: std `std` whatever the fan-in. */
export function customSettings(std: number): Setting[] {
  return (['sigmoid', 'relu', 'tanh'] as const).map((act) => ({
    key: `${act}-custom`,
    label: `${ACT_LABELS[act]}, std ${std}`,
    act,
    std: () => std,
    stdLabel: String(std),
    stream: STREAMS[`${act}-custom`],
  }));
}

/** The activations of every layer for one setting (the weights drawn from `rng`): `layers` layers of `units`. */
export function activationsFor(
  setting: Setting,
  x: Float64Array,
  rng: Rng,
  layers = LAYERS,
  units = NODES,
): Float64Array[] {
  const out: Float64Array[] = [];
  let h = x;
  for (let l = 0; l < layers; l++) {
    const W = new Float64Array(units * units);
    const s = setting.std(units);
    for (let i = 0; i < W.length; i++) W[i] = s * rng.normal();
    h = layerForward(h, W, N, units, units, ACTS[setting.act]);
    out.push(h);
  }
  return out;
}

interface LayerStats {
  mean: number;
  std: number;
  max: number;
  zeroShare: number;
  saturatedShare: number;
  inUnitShare: number;
}

/**
 * saturatedShare: share within 0.05 of the activation's bounds (sigmoid 0 and 1, tanh −1 and 1, ReLU 0);
 * inUnitShare: share in [0, 1], what the book's histogram draws.
 */
function stats(z: Float64Array, act: ActName): LayerStats {
  let s = 0,
    s2 = 0,
    max = -Infinity,
    zeros = 0,
    sat = 0,
    inUnit = 0;
  for (const v of z) {
    s += v;
    s2 += v * v;
    if (v > max) max = v;
    if (v === 0) zeros++;
    if (act === 'tanh' ? Math.abs(v) > 0.95 : act === 'relu' ? v < 0.05 : v < 0.05 || v > 0.95) sat++;
    if (v >= 0 && v <= 1) inUnit++;
  }
  const n = z.length,
    mean = s / n;
  return {
    mean,
    std: Math.sqrt(Math.max(0, s2 / n - mean * mean)),
    max,
    zeroShare: zeros / n,
    saturatedShare: sat / n,
    inUnitShare: inUnit / n,
  };
}

async function run(options: InitHistogramOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  const binning = options.binning ?? 'book';
  if (binning !== 'book' && binning !== 'range') {
    throw new ValueError(`init-histogram: binning must be 'book' or 'range', got ${String(binning)}`);
  }
  const name = experiment.name;
  const std = options.std;
  if (std !== undefined && !(typeof std === 'number' && Number.isFinite(std) && std > 0 && std <= MAX_STD)) {
    throw new ValueError(`${name}: std must be a number in (0, ${MAX_STD}], got ${JSON.stringify(std) ?? String(std)}`);
  }
  const chosenActs = chooseNames(name, 'activations', options.activations, ['sigmoid', 'relu', 'tanh']);
  const inits = chooseNames(
    name,
    'inits',
    options.inits ?? [...WEIGHTS.map((w) => w.key), ...(std !== undefined ? ['custom'] : [])],
    [...WEIGHTS.map((w) => w.key), 'custom'],
  );
  if (inits.includes('custom') && std === undefined)
    throw new ValueError(`${name}: inits 'custom' needs std (the custom weight scale's std)`);
  const L = integerIn(name, 'layers', options.layers, 1, MAX_LAYERS, LAYERS);
  const U = integerIn(name, 'units', options.units, 1, MAX_UNITS, NODES);
  const book = L === LAYERS && U === NODES;
  const settings = [...SETTINGS, ...(std !== undefined ? customSettings(std) : [])].filter(
    (s) => chosenActs.includes(s.act) && inits.includes(s.key.slice(s.act.length + 1)),
  );
  const input = new Float64Array(N * U);
  const inputRng = new Rng(ctx.seed);
  for (let i = 0; i < input.length; i++) input[i] = inputRng.normal();

  const all: Record<string, { act: ActName; std: string; layers: LayerStats[] }> = {};
  const acts: Record<string, Float64Array[]> = {};
  for (const s of settings) {
    await ctx.tick();
    // Each setting gets weights of its own stream, so that adding a setting does not change the others.
    acts[s.key] = activationsFor(s, input, new Rng(ctx.seed + 1 + s.stream), L, U);
    all[s.key] = { act: s.act, std: s.stdLabel, layers: acts[s.key].map((z) => stats(z, s.act)) };
    ctx.log(`${s.label}: layer std ${all[s.key].layers.map((l) => fmt(l.std)).join(' → ')}`);
  }

  for (const s of settings) {
    const layers = acts[s.key];
    let domain: [number, number];
    let panels = layers.map((z, l) => ({ name: `${l + 1}-layer`, values: z as ArrayLike<number> }));
    let note = '';
    if (binning === 'book') {
      domain = [0, 1];
      const drawn = Math.min(...all[s.key].layers.map((l) => l.inUnitShare));
      if (drawn < 0.999) note = `, the book's bins on [0, 1] (≤ ${pct(1 - drawn)} outside)`;
    } else if (s.act === 'sigmoid') domain = [0, 1];
    else if (s.act === 'tanh') domain = [-1, 1];
    else {
      const max = Math.max(...all[s.key].layers.map((l) => l.max));
      domain = [0, max > 0 ? max : 1];
      panels = panels.map((p) => ({ name: p.name, values: (p.values as Float64Array).filter((v) => v !== 0) }));
      note = ', zeros omitted';
    }
    await ctx.figure(
      `init-histogram-${s.key}`,
      histogramGrid({
        title: `Activations by layer: ${s.label}${s.stdLabel.startsWith('√') ? ` (std ${s.stdLabel})` : ''}${note}`,
        panels,
        bins: BINS,
        domain,
        columns: Math.min(L, LAYERS),
        width: 150,
        height: 130,
      }),
    );
  }

  const last = (key: string): LayerStats => all[key].layers[L - 1];
  const first = (key: string): LayerStats => all[key].layers[0];
  const ratio = (key: string) => (key in all ? last(key).std / first(key).std : Number.NaN);
  const reluSmall = all['relu-std0.01']?.layers ?? [];
  const heRatio = ratio('relu-he');
  const xavierReluRatio = ratio('relu-xavier');
  const reluBigRatio = ratio('relu-std1');
  // Each finding with the settings it reads and whether it is about depth (meaningless for one layer). Those whose
  // settings were not run are left out; the texts are built only for those kept.
  const candidates: { needs: string[]; depth?: boolean; make: () => { claim: string; holds: boolean } }[] = [
    {
      needs: ['sigmoid-std1'],
      make: () => ({
        claim: `sigmoid, std 1: activations pile up at 0 and 1 (layer ${L}: ${pct(last('sigmoid-std1').saturatedShare)} within 0.05 of 0 or 1, > 50 %)`,
        holds: last('sigmoid-std1').saturatedShare > 0.5,
      }),
    },
    {
      needs: ['sigmoid-std0.01'],
      make: () => ({
        claim: `sigmoid, std 0.01: activations concentrate at 0.5 (layer-${L} std ${fmt(last('sigmoid-std0.01').std)} < 0.02)`,
        holds: last('sigmoid-std0.01').std < 0.02 && Math.abs(last('sigmoid-std0.01').mean - 0.5) < 0.05,
      }),
    },
    {
      needs: ['sigmoid-xavier'],
      make: () => ({
        claim:
          `sigmoid, Xavier: activations stay spread (layer-${L} std ${fmt(last('sigmoid-xavier').std)} > 0.05) without ` +
          `collapsing onto 0 or 1 (${pct(last('sigmoid-xavier').saturatedShare)} within 0.05 of them, < 5 %)`,
        holds: last('sigmoid-xavier').std > 0.05 && last('sigmoid-xavier').saturatedShare < 0.05,
      }),
    },
    {
      needs: ['tanh-xavier'],
      make: () => ({
        claim:
          `tanh, Xavier: activations spread symmetrically around 0 (layer-${L} mean ${fmt(last('tanh-xavier').mean)}, ` +
          `std ${fmt(last('tanh-xavier').std)} > 0.1)`,
        holds: Math.abs(last('tanh-xavier').mean) < 0.05 && last('tanh-xavier').std > 0.1,
      }),
    },
    {
      needs: ['relu-std0.01'],
      depth: true,
      make: () => ({
        claim: `ReLU, std 0.01: activations shrink layer over layer (mean ${reluSmall.map((l) => fmt(l.mean)).join(' → ')})`,
        holds: reluSmall.every((l, i) => i === 0 || l.mean < 0.5 * reluSmall[i - 1].mean),
      }),
    },
    {
      needs: ['relu-he'],
      depth: true,
      make: () => ({
        claim: `ReLU, He: the spread stays similar across layers (layer-${L} std / layer-1 std = ${fmt(heRatio)}, within 0.5…2)`,
        holds: heRatio > 0.5 && heRatio < 2,
      }),
    },
    {
      needs: ['relu-xavier', 'relu-he'],
      depth: true,
      make: () => ({
        claim: `ReLU, Xavier: the spread shrinks with depth more than with He (std ratio ${fmt(xavierReluRatio)} < He's ${fmt(heRatio)})`,
        holds: xavierReluRatio < heRatio,
      }),
    },
    {
      needs: ['tanh-std1'],
      make: () => ({
        claim:
          `tanh, std 1: activations pile up at −1 and 1 as the sigmoid's at 0 and 1 (layer ${L}: ` +
          `${pct(last('tanh-std1').saturatedShare)} beyond ±0.95, > 50 %)`,
        holds: last('tanh-std1').saturatedShare > 0.5,
      }),
    },
    {
      needs: ['relu-std1'],
      depth: true,
      make: () => ({
        claim:
          `ReLU, std 1: activations grow with depth (layer-${L} std / layer-1 std = ${fmt(reluBigRatio)} > 10), past ` +
          `the book's [0, 1] (layer ${L}: ${pct(last('relu-std1').inUnitShare)} in it, zeros ${pct(last('relu-std1').zeroShare)})`,
        holds: reluBigRatio > 10,
      }),
    },
  ];
  const findings = candidates
    .filter((c) => c.needs.every((k) => k in all) && !(c.depth && L < 2))
    .map((c) => c.make())
    .map((f) => (book ? f : { ...f, claim: `${f.claim}${notBook(L, U)}` }));
  return ctx.finish({
    summary: {
      columns: [
        'setting',
        'layer-1 mean',
        'layer-1 std',
        `layer-${L} mean`,
        `layer-${L} std`,
        `layer-${L} within 0.05 of its bounds`,
        `layer-${L} zeros`,
        `layer-${L} in [0, 1]`,
      ],
      rows: settings.map((s) => [
        s.label,
        sig6(first(s.key).mean),
        sig6(first(s.key).std),
        sig6(last(s.key).mean),
        sig6(last(s.key).std),
        sig6(last(s.key).saturatedShare),
        sig6(last(s.key).zeroShare),
        sig6(last(s.key).inUnitShare),
      ]),
    },
    findings,
    results: {
      inputs: N,
      nodes: U,
      layers: L,
      ...(std !== undefined ? { std } : {}),
      bins: BINS,
      binning,
      settings: Object.fromEntries(
        Object.entries(all).map(([k, v]) => [
          k,
          {
            ...v,
            layers: v.layers.map((l) => Object.fromEntries(Object.entries(l).map(([m, x]) => [m, sig6(x)]))),
          },
        ]),
      ),
    },
  });
}

const notBook = (L: number, U: number): string =>
  ` — the book’s finding for 5 layers of 100 units, checked here on ${L} layer${L === 1 ? '' : 's'} of ${U}`;

function pct(share: number): string {
  return `${(100 * share).toFixed(1)} %`;
}

export const experiment: Experiment & { run(options?: InitHistogramOptions): Promise<ExperimentResult> } = {
  name: 'init-histogram',
  title: 'Activation distributions by layer for different initial weights (figures 6-10 … 6-14)',
  run,
};

// The book's ch06/optimizer_compare_naive.py: SGD, Momentum, AdaGrad and Adam walking down
//   f(x, y) = x²/20 + y²   (∂f/∂x = x/10, ∂f/∂y = 2y)
// from (−7, 2) for 30 steps, with the book's learning rates. The real optimizer classes update a two-parameter
// record { x, y } of plain Float32Arrays (their state then lives in the js backend).
//
// As the book, each path is the 30 positions before each of the 30 updates (the start and after updates 1..29),
// which is what figure 6-8 plots; "where it ended" is the 30th point.
//
// Options (the site's knobs): `start`, anywhere in the plotted square, and `lr`, a learning rate per optimizer
// (the others keep the book's). The findings are the book's, checked as the book states them on whatever paths
// this run walked: away from the book's settings they may well fail, and their text then says so.
import { ValueError } from '../errors.js';
import { createOptimizer } from '../optim/index.js';
import { pathsOverContours } from '../plot/specs.js';
import { Context, fmt, sig6 } from './context.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const f = (x: number, y: number): number => (x * x) / 20 + y * y;
const df = (x: number, y: number): [number, number] => [x / 10, 2 * y];

const START: [number, number] = [-7, 2];
const STEPS = 30;
/** The plotted square; a start must lie in it. */
const X_DOMAIN: [number, number] = [-10, 10];
const Y_DOMAIN: [number, number] = [-5, 5];
/** The largest learning rate taken: beyond it every optimizer's first steps leave the plot far behind. */
export const MAX_LR = 10;

export type PathOptimizer = 'SGD' | 'Momentum' | 'AdaGrad' | 'Adam';
export interface OptimizerPathsOptions extends ExperimentOptions {
  /** Where every path starts (default the book's (−7, 2)); inside x ∈ [−10, 10], y ∈ [−5, 5]. */
  start?: [number, number];
  /** Learning rates by optimizer, each in (0, MAX_LR]; the optimizers not named keep the book's. */
  lr?: Partial<Record<PathOptimizer, number>>;
}

/** The book's choices: each optimizer with a learning rate that shows its character. */
const OPTIMIZERS: { name: PathOptimizer; key: string; lr: number }[] = [
  { name: 'SGD', key: 'sgd', lr: 0.95 },
  { name: 'Momentum', key: 'momentum', lr: 0.1 },
  { name: 'AdaGrad', key: 'adagrad', lr: 1.5 },
  { name: 'Adam', key: 'adam', lr: 0.3 },
];

/** The path of one optimizer as the book records it: the position before each of `steps` updates (`start` first). */
export function optimizerPath(
  key: string,
  lr: number,
  steps = STEPS,
  start: readonly [number, number] = START,
): [number, number][] {
  const opt = createOptimizer(key, { lr });
  const params = { x: Float32Array.of(start[0]), y: Float32Array.of(start[1]) };
  const grads = { x: new Float32Array(1), y: new Float32Array(1) };
  const path: [number, number][] = [];
  for (let i = 0; i < steps; i++) {
    path.push([params.x[0], params.y[0]]);
    [grads.x[0], grads.y[0]] = df(params.x[0], params.y[0]);
    opt.update(params, grads);
  }
  return path;
}

/** How often the path crosses y = 0 (the zig-zag of figure 6-3). */
export function ySignChanges(path: [number, number][]): number {
  let n = 0;
  for (let i = 1; i < path.length; i++) if (Math.sign(path[i][1]) * Math.sign(path[i - 1][1]) < 0) n++;
  return n;
}

const show = (v: unknown): string => (Array.isArray(v) || typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The start point to use: the option checked (an [x, y] pair of finite numbers inside the plot) or the book's. */
function startOf(start: unknown): [number, number] {
  if (start === undefined) return [...START];
  const ok =
    Array.isArray(start) &&
    start.length === 2 &&
    start.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    start[0] >= X_DOMAIN[0] &&
    start[0] <= X_DOMAIN[1] &&
    start[1] >= Y_DOMAIN[0] &&
    start[1] <= Y_DOMAIN[1];
  if (!ok) {
    throw new ValueError(
      `optimizer-paths: start must be [x, y] with x in [${X_DOMAIN.join(', ')}] and y in [${Y_DOMAIN.join(', ')}] ` +
        `(finite numbers), got ${show(start)}`,
    );
  }
  return [start[0], start[1]];
}

/** Every optimizer's learning rate: the option's (checked) where it names one, the book's elsewhere. */
function ratesOf(lr: unknown): Record<PathOptimizer, number> {
  const rates = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, o.lr])) as Record<PathOptimizer, number>;
  if (lr === undefined) return rates;
  if (lr === null || typeof lr !== 'object' || Array.isArray(lr)) {
    throw new ValueError(`optimizer-paths: lr must be an object of learning rates by optimizer, got ${show(lr)}`);
  }
  for (const [name, v] of Object.entries(lr)) {
    // Own keys of the book's four only: '__proto__' or 'constructor' name nothing here.
    if (!Object.hasOwn(rates, name)) {
      throw new ValueError(
        `optimizer-paths: lr names an unknown optimizer '${name}': expected ${OPTIMIZERS.map((o) => o.name).join(', ')}`,
      );
    }
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_LR)) {
      throw new ValueError(`optimizer-paths: lr.${name} must be a number in (0, ${MAX_LR}], got ${show(v)}`);
    }
    rates[name as PathOptimizer] = v;
  }
  return rates;
}

/** Appended to a finding run away from the book's start and rates: the claim is still the book's. */
const notBook = ' — the book’s finding for its start (−7, 2) and rates, checked here on this run’s paths';

/** −7 as the title writes it (a real minus sign). */
const coord = (v: number): string => (v < 0 ? `−${-v}` : String(v));

async function run(options: OptimizerPathsOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  const start = startOf(options.start);
  const rates = ratesOf(options.lr);
  const used = OPTIMIZERS.map((o) => ({ ...o, lr: rates[o.name] }));
  const book = start[0] === START[0] && start[1] === START[1] && used.every((o, i) => o.lr === OPTIMIZERS[i].lr);
  const startText = `(${coord(start[0])}, ${coord(start[1])})`;
  const paths: Record<
    string,
    {
      lr: number;
      points: [number, number][];
      ySignChanges: number;
      startDistance: number;
      endDistance: number;
      endValue: number;
    }
  > = {};
  const figure = (shown: typeof OPTIMIZERS) =>
    pathsOverContours({
      title: `Optimizers on f(x, y) = x²/20 + y² from ${startText}: the positions before each of ${STEPS} updates`,
      f,
      xDomain: X_DOMAIN,
      yDomain: Y_DOMAIN,
      paths: shown.map((o) => ({ name: `${o.name} (lr ${o.lr})`, points: paths[o.name].points })),
      levels: [0.25, 0.5, 1, 2, 3, 4, 5, 6, 7],
      minimum: [0, 0],
      width: 320,
      height: 160,
    });
  for (const o of used) {
    ctx.checkAbort();
    const points = optimizerPath(o.key, o.lr, STEPS, start);
    const [ex, ey] = points[points.length - 1];
    paths[o.name] = {
      lr: o.lr,
      points: points.map(([x, y]) => [sig6(x), sig6(y)]),
      ySignChanges: ySignChanges(points),
      startDistance: Math.hypot(...start),
      endDistance: Math.hypot(ex, ey),
      endValue: f(ex, ey),
    };
    ctx.log(
      `${o.name} (lr ${o.lr}): ends at (${fmt(ex)}, ${fmt(ey)}), f = ${fmt(f(ex, ey))}, y changes sign ${paths[o.name].ySignChanges}×`,
    );
    ctx.partial('optimizer-paths', () => figure(used.filter((p) => p.name in paths)));
  }

  await ctx.figure('optimizer-paths', figure(used));

  const sgd = paths.SGD.ySignChanges;
  const adaptive = Math.max(paths.Adam.ySignChanges, paths.AdaGrad.ySignChanges);
  return ctx.finish({
    summary: {
      columns: ['optimizer', 'lr', 'end x', 'end y', 'f(end)', 'distance to (0,0)', 'y sign changes'],
      rows: used.map((o) => {
        const p = paths[o.name],
          [x, y] = p.points[p.points.length - 1];
        return [o.name, o.lr, sig6(x), sig6(y), sig6(p.endValue), sig6(p.endDistance), p.ySignChanges];
      }),
    },
    findings: [
      {
        claim:
          `every optimizer ends closer to the minimum (0, 0) than it started (distance ${fmt(Math.hypot(...start))})` +
          (book ? '' : notBook),
        holds: used.every((o) => paths[o.name].endDistance < paths[o.name].startDistance),
      },
      {
        claim:
          `SGD zig-zags in y (its y changes sign ${sgd}× over the ${STEPS} points, ≥ 10) while AdaGrad and Adam move smoothly ` +
          `(at most a third as many sign changes: ${paths.AdaGrad.ySignChanges} and ${paths.Adam.ySignChanges})` +
          (book ? '' : notBook),
        holds: sgd >= 10 && 3 * adaptive <= sgd,
      },
    ],
    results: { start, steps: STEPS, paths },
  });
}

export const experiment: Experiment & { run(options?: OptimizerPathsOptions): Promise<ExperimentResult> } = {
  name: 'optimizer-paths',
  title: 'Update paths of SGD, Momentum, AdaGrad and Adam on x²/20 + y² (figures 6-3, 6-5, 6-6, 6-8)',
  run,
};

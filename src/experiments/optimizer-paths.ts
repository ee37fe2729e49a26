// The book's ch06/optimizer_compare_naive.py: SGD, Momentum, AdaGrad and Adam walking down
//   f(x, y) = x²/20 + y²   (∂f/∂x = x/10, ∂f/∂y = 2y)
// from (−7, 2) for 30 steps, with the book's learning rates. The real optimizer classes update a two-parameter
// record { x, y } of plain Float32Arrays (their state then lives in the js backend).
//
// As the book, each path is the 30 positions before each of the 30 updates (the start and after updates 1..29),
// which is what figure 6-8 plots; "where it ended" is the 30th point.
import { createOptimizer } from '../optim/index.js';
import { pathsOverContours } from '../plot/specs.js';
import { Context, fmt, sig6 } from './context.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const f = (x: number, y: number): number => (x * x) / 20 + y * y;
const df = (x: number, y: number): [number, number] => [x / 10, 2 * y];

const START: [number, number] = [-7, 2];
const STEPS = 30;
/** The book's choices: each optimizer with a learning rate that shows its character. */
const OPTIMIZERS: { name: string; key: string; lr: number }[] = [
  { name: 'SGD', key: 'sgd', lr: 0.95 },
  { name: 'Momentum', key: 'momentum', lr: 0.1 },
  { name: 'AdaGrad', key: 'adagrad', lr: 1.5 },
  { name: 'Adam', key: 'adam', lr: 0.3 },
];

/** The path of one optimizer as the book records it: the position before each of `steps` updates (START first). */
export function optimizerPath(key: string, lr: number, steps = STEPS): [number, number][] {
  const opt = createOptimizer(key, { lr });
  const params = { x: Float32Array.of(START[0]), y: Float32Array.of(START[1]) };
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

async function run(options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
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
      title: 'Optimizers on f(x, y) = x²/20 + y² from (−7, 2): the positions before each of 30 updates',
      f,
      xDomain: [-10, 10],
      yDomain: [-5, 5],
      paths: shown.map((o) => ({ name: `${o.name} (lr ${o.lr})`, points: paths[o.name].points })),
      levels: [0.25, 0.5, 1, 2, 3, 4, 5, 6, 7],
      minimum: [0, 0],
      width: 320,
      height: 160,
    });
  for (const o of OPTIMIZERS) {
    ctx.checkAbort();
    const points = optimizerPath(o.key, o.lr);
    const [ex, ey] = points[points.length - 1];
    paths[o.name] = {
      lr: o.lr,
      points: points.map(([x, y]) => [sig6(x), sig6(y)]),
      ySignChanges: ySignChanges(points),
      startDistance: Math.hypot(...START),
      endDistance: Math.hypot(ex, ey),
      endValue: f(ex, ey),
    };
    ctx.log(
      `${o.name} (lr ${o.lr}): ends at (${fmt(ex)}, ${fmt(ey)}), f = ${fmt(f(ex, ey))}, y changes sign ${paths[o.name].ySignChanges}×`,
    );
    ctx.partial('optimizer-paths', () => figure(OPTIMIZERS.filter((p) => p.name in paths)));
  }

  await ctx.figure('optimizer-paths', figure(OPTIMIZERS));

  const sgd = paths.SGD.ySignChanges;
  const adaptive = Math.max(paths.Adam.ySignChanges, paths.AdaGrad.ySignChanges);
  return ctx.finish({
    summary: {
      columns: ['optimizer', 'lr', 'end x', 'end y', 'f(end)', 'distance to (0,0)', 'y sign changes'],
      rows: OPTIMIZERS.map((o) => {
        const p = paths[o.name],
          [x, y] = p.points[p.points.length - 1];
        return [o.name, o.lr, sig6(x), sig6(y), sig6(p.endValue), sig6(p.endDistance), p.ySignChanges];
      }),
    },
    findings: [
      {
        claim: 'every optimizer ends closer to the minimum (0, 0) than it started (distance 7.28)',
        holds: OPTIMIZERS.every((o) => paths[o.name].endDistance < paths[o.name].startDistance),
      },
      {
        claim:
          `SGD zig-zags in y (its y changes sign ${sgd}× over the 30 points, ≥ 10) while AdaGrad and Adam move smoothly ` +
          `(at most a third as many sign changes: ${paths.AdaGrad.ySignChanges} and ${paths.Adam.ySignChanges})`,
        holds: sgd >= 10 && 3 * adaptive <= sgd,
      },
    ],
    results: { start: START, steps: STEPS, paths },
  });
}

export const experiment: Experiment = {
  name: 'optimizer-paths',
  title: 'Update paths of SGD, Momentum, AdaGrad and Adam on x²/20 + y² (figures 6-3, 6-5, 6-6, 6-8)',
  run,
};

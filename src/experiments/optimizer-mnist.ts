// The book's ch06/optimizer_compare_mnist.py (figure 6-9): SGD, Momentum, AdaGrad and Adam with their default
// learning rates train a 784-100-100-100-100-10 ReLU net (He init) on MNIST, batch 128, 2000 iterations, each net
// on the same minibatches. Each net starts from its own draw of He weights, as the book's (its nets are made one
// after another from one random stream); with `draws: 'numpy'` those are the book's own draws (RandomState(seed):
// the four nets' weights in turn, then a batch per iteration). The loss recorded is the book's: a forward on the
// batch after the update; the figure smooths it as the book's (smooth_curve, an 11-point Kaiser window).
//
// Options (the site's knobs): `optimizers`, which of them to run (also Nesterov and RMSprop, at the book's
// default rates), and `iterations`. Each optimizer's net keeps the weights it has in the full run (the draws of
// the nets not run are made and dropped), so a subset's curves are the full run's. A finding comparing
// optimizers is reported only when they were all run.
import { MultiLayerNet } from '../net/MultiLayerNet.js';
import { drawInitialParams } from '../numpy-random.js';
import { createOptimizer } from '../optim/index.js';
import { lineChart } from '../plot/specs.js';
import { Rng } from '../rng.js';
import { chooseNames, integerIn, list, skipNetDraws } from './choices.js';
import { Context, curve, fmt, meanOfLast, sig6 } from './context.js';
import { trainSideBySide } from './side-by-side.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

/** The book's four, then the two other optimizers of chapter 6 at their book defaults (in the order nets are drawn). */
const ALL_OPTIMIZERS = [
  { name: 'SGD', key: 'sgd', lr: 0.01 },
  { name: 'Momentum', key: 'momentum', lr: 0.01 },
  { name: 'AdaGrad', key: 'adagrad', lr: 0.01 },
  { name: 'Adam', key: 'adam', lr: 0.001 },
  { name: 'Nesterov', key: 'nesterov', lr: 0.01 },
  { name: 'RMSprop', key: 'rmsprop', lr: 0.01 },
];
/** The book's script's four (the default). */
const BOOK_OPTIMIZERS = ['SGD', 'Momentum', 'AdaGrad', 'Adam'];
/** The most iterations a run takes (ten times the book's). */
export const MAX_ITERATIONS = 20_000;

export interface OptimizerMnistOptions extends ExperimentOptions {
  /** Which optimizers to run, in this order (book names, any case): default the book's four. */
  optimizers?: string[];
  /** Iterations per net (default 2000, quick 300), at most MAX_ITERATIONS. */
  iterations?: number;
}
/** The book's run on this machine kind: loss at iteration 1900 (REFERENCE.md). */
const BOOK_LOSS_AT_1900: Record<string, number> = { SGD: 0.157, Momentum: 0.092, AdaGrad: 0.0127, Adam: 0.0274 };

const BATCH = 128;
const HIDDEN = [100, 100, 100, 100];
const ITERATIONS = 2000;
const QUICK_ITERATIONS = 300;
/** "End" of a run: the mean loss over its last iterations (one batch's loss is too noisy to compare). */
const TAIL = 100;

async function run(options: OptimizerMnistOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  const names = chooseNames(
    experiment.name,
    'optimizers',
    options.optimizers ?? BOOK_OPTIMIZERS,
    ALL_OPTIMIZERS.map((o) => o.name),
    (n) => n.toLowerCase(),
  );
  const OPTIMIZERS = names.map((n) => ALL_OPTIMIZERS.find((o) => o.name === n)!);
  const iterations = integerIn(
    experiment.name,
    'iterations',
    options.iterations,
    1,
    MAX_ITERATIONS,
    ctx.quick ? QUICK_ITERATIONS : ITERATIONS,
  );
  await ctx.ready();
  const data = await ctx.mnist();
  const numpy = ctx.draws === 'numpy' ? ctx.numpyStream() : undefined;
  const netSeeds = new Rng(ctx.seed); // net k: the k-th fork, so each net has its own weights
  const sizes = [data.inputSize, ...HIDDEN, 10];
  // Nets drawn in ALL_OPTIMIZERS' order whether run or not, so that each keeps its weights of the full run.
  const built = new Map<string, { name: string; net: MultiLayerNet; optimizer: ReturnType<typeof createOptimizer> }>();
  for (const o of ALL_OPTIMIZERS) {
    if (!names.includes(o.name)) {
      netSeeds.fork();
      if (numpy) skipNetDraws(numpy, sizes);
      continue;
    }
    const net = new MultiLayerNet({
      inputSize: data.inputSize,
      hiddenSizes: HIDDEN,
      outputSize: 10,
      activation: 'relu',
      weightInit: 'he',
      seed: netSeeds.fork(),
      backend: ctx.backend,
      maxBatchSize: BATCH,
    });
    if (numpy) net.setParams(drawInitialParams(numpy, net));
    built.set(o.name, { name: o.name, net, optimizer: createOptimizer(o.key, { lr: o.lr }) });
  }
  const contenders = names.map((n) => built.get(n)!);
  const figure = (losses: Record<string, Float32Array>, done = iterations) =>
    lineChart({
      title: `MNIST, 4×100 ReLU net, batch ${BATCH}: loss by optimizer`,
      xLabel: 'iterations',
      yLabel: 'loss',
      yDomain: [0, 1],
      smooth: 'book',
      series: OPTIMIZERS.map((o) => ({ name: `${o.name} (lr ${o.lr})`, y: losses[o.name].subarray(0, done) })),
    });
  const losses = await trainSideBySide(
    ctx,
    data,
    contenders,
    iterations,
    BATCH,
    numpy ?? new Rng(ctx.seed + 1),
    (l, done) => ctx.partial('optimizer-mnist', () => figure(l, done)),
  );

  const tail = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, meanOfLast(losses[o.name], TAIL)]));
  const at1900 =
    iterations > 1900 ? Object.fromEntries(OPTIMIZERS.map((o) => [o.name, losses[o.name][1900]])) : undefined;
  for (const o of OPTIMIZERS) ctx.log(`${o.name}: mean loss of the last ${TAIL} iterations ${fmt(tail[o.name])}`);

  await ctx.figure('optimizer-mnist', figure(losses));

  // "Far below": at most half of SGD's loss at the end — claimed only for the optimizers run, and only with SGD.
  const faster = ['Momentum', 'AdaGrad', 'Adam'].filter((k) => names.includes(k));
  const findings =
    names.includes('SGD') && faster.length > 0
      ? [
          {
            claim:
              `${list(faster)} end${faster.length === 1 ? 's' : ''} far below SGD (mean loss of the last ${TAIL} iterations at most half ` +
              `of SGD's ${fmt(tail.SGD)}: ${faster.map((k) => `${k} ${fmt(tail[k])}`).join(', ')})`,
            holds: faster.every((k) => tail[k] <= 0.5 * tail.SGD),
          },
        ]
      : [];
  return ctx.finish({
    summary: {
      columns: ['optimizer', 'lr', `mean loss, last ${TAIL} iter`, 'loss at iter 1900', 'book: loss at iter 1900'],
      rows: OPTIMIZERS.map((o) => [
        o.name,
        o.lr,
        sig6(tail[o.name]),
        at1900 ? sig6(at1900[o.name]) : '–',
        BOOK_LOSS_AT_1900[o.name] ?? '–',
      ]),
    },
    findings,
    results: {
      iterations,
      batchSize: BATCH,
      tail: TAIL,
      draws: ctx.draws,
      optimizers: OPTIMIZERS,
      meanLossOfTail: tail,
      lossAt1900: at1900 ?? null,
      bookLossAt1900: BOOK_LOSS_AT_1900,
      loss: Object.fromEntries(OPTIMIZERS.map((o) => [o.name, curve(losses[o.name])])),
    },
  });
}

/** For `--seeds`: each net's loss at iteration 1900 (full runs) and mean loss of the last iterations. */
function spread(result: ExperimentResult): Record<string, number> {
  const r = result.results as {
    meanLossOfTail: Record<string, number>;
    lossAt1900: Record<string, number> | null;
    tail: number;
  };
  return Object.fromEntries(
    Object.keys(r.meanLossOfTail).flatMap((k) => [
      ...(r.lossAt1900 ? [[`loss at iter 1900, ${k}`, r.lossAt1900[k]]] : []),
      [`mean loss of the last ${r.tail}, ${k}`, r.meanLossOfTail[k]],
    ]),
  );
}

export const experiment: Experiment & { run(options?: OptimizerMnistOptions): Promise<ExperimentResult> } = {
  name: 'optimizer-mnist',
  title: 'SGD vs Momentum vs AdaGrad vs Adam on MNIST (figure 6-9)',
  run,
  spread,
};

// The book's ch06/overfit_weight_decay.py (figures 6-20 and 6-21): 300 training images, a 784-(100×6)-10 ReLU He
// net, SGD lr 0.01, batch 100; without weight decay (λ = 0) and with λ = 0.1. As in the book's loop, train and
// test accuracy are measured after iterations 0, 3, 6, … (iterPerEpoch = 3): 201 points, the last after 600.
// Both runs start from the same weights (one seed) and draw the same minibatches — as the book's two runs, each a
// fresh process from the same seed. With `draws: 'numpy'` those are the book's own draws (RandomState(seed): the
// net's weights, then a batch per iteration, afresh for each λ).
import { MultiLayerNet } from '../net/MultiLayerNet.js';
import { drawInitialParams } from '../numpy-random.js';
import { SGD } from '../optim/index.js';
import { lineChart, type VegaLiteSpec } from '../plot/specs.js';
import { Rng } from '../rng.js';
import { integerIn } from './choices.js';
import { Context, curve, fmt, sig6 } from './context.js';
import { Minibatch } from './minibatch.js';
import {
  BATCH,
  checkList,
  endOf,
  HIDDEN,
  LR,
  logEpoch,
  MAX_EPOCHS,
  MAX_TRAIN_SIZE,
  overfitData,
  TRAIN_SIZE,
} from './overfit.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const LAMBDAS = [0, 0.1];
/** The largest λ taken (a λ far above 1 only zeroes the weights). */
export const MAX_LAMBDA = 10;

export interface WeightDecayOptions extends ExperimentOptions {
  /** The λ of each run, in the figure's order (default [0, 0.1], the book's): 1–8 distinct values in [0, 10]. */
  lambdas?: number[];
  /** Training images: the first `trainSize` of MNIST's (default 300, the book's). */
  trainSize?: number;
  /** Accuracy points per run (default: the mode's, 201 or quick 121), one every trainSize/100 iterations. */
  epochs?: number;
}
const BOOK: Record<string, { train: number; test: number }> = {
  '0': { train: 1.0, test: 0.756 },
  '0.1': { train: 0.92, test: 0.733 },
};
const FULL = { epochs: 201, testSize: undefined as number | undefined };
/** Quick: 121 epochs (λ = 0 reaches 1.0 train accuracy by about epoch 100), tested on the first 500 test images. */
const QUICK = { epochs: 121, testSize: 500 };

async function run(options: WeightDecayOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  const name = experiment.name;
  const lambdas = checkList(name, 'lambdas', options.lambdas, 0, MAX_LAMBDA, true) ?? LAMBDAS;
  const trainSize = integerIn(name, 'trainSize', options.trainSize, 1, MAX_TRAIN_SIZE, TRAIN_SIZE);
  const mode = ctx.quick ? QUICK : FULL;
  const cfg = { ...mode, epochs: integerIn(name, 'epochs', options.epochs, 1, MAX_EPOCHS, mode.epochs) };
  await ctx.ready();
  const { train, test, testSize } = overfitData(name, await ctx.mnist(), trainSize, cfg.testSize);
  const I = train.x.length / trainSize;
  // As the book's loop, a point every trainSize / batch iterations — rounded to a whole number, so that a training
  // set that is no multiple of 100 still gets its points (the book's float modulo would give none after the first).
  const iterPerEpoch = Math.max(Math.round(trainSize / BATCH), 1);
  const figure = (runs: Record<string, { trainAcc: number[]; testAcc: number[] }>) =>
    weightDecayFigure(runs, lambdas, trainSize);

  const runs: Record<string, { lambda: number; trainAcc: number[]; testAcc: number[] }> = {};
  for (const lambda of lambdas) {
    const net = new MultiLayerNet({
      inputSize: I,
      hiddenSizes: HIDDEN,
      outputSize: 10,
      activation: 'relu',
      weightInit: 'he',
      weightDecayLambda: lambda,
      seed: ctx.seed,
      backend: ctx.backend,
      maxBatchSize: BATCH,
    });
    const numpy = ctx.draws === 'numpy' ? ctx.numpyStream() : undefined;
    if (numpy) net.setParams(drawInitialParams(numpy, net));
    const optimizer = new SGD({ lr: LR });
    const batch = new Minibatch(train.x, train.t, I, BATCH, numpy ?? new Rng(ctx.seed + 1));
    const trainAcc: number[] = [],
      testAcc: number[] = [];
    for (let i = 0; trainAcc.length < cfg.epochs; i++) {
      await ctx.tick();
      batch.draw();
      optimizer.update(net.params, batch.gradient(net));
      if (i % iterPerEpoch === 0) {
        trainAcc.push(net.accuracy(train.x, train.t));
        testAcc.push(net.accuracy(test.x, test.t));
        logEpoch(
          ctx,
          `λ=${lambda}`,
          trainAcc.length - 1,
          20,
          trainAcc[trainAcc.length - 1],
          testAcc[testAcc.length - 1],
        );
        ctx.partial('weight-decay', () => figure({ ...runs, [String(lambda)]: { trainAcc, testAcc } }));
      }
    }
    runs[String(lambda)] = { lambda, trainAcc, testAcc };
  }

  await ctx.figure('weight-decay', figure(runs));

  const end = Object.fromEntries(
    lambdas.map((l) => [String(l), endOf(runs[String(l)].trainAcc, runs[String(l)].testAcc)]),
  );
  const off = end['0'],
    on = end['0.1'];
  // The book's claims are about λ = 0 and λ = 0.1: each is judged only when the runs it speaks of were made.
  const findings: ExperimentResult['findings'] = [];
  if (off)
    findings.push({
      claim: `without weight decay the net overfits: train accuracy ${fmt(off.train)} ≥ 0.99 with test ${fmt(off.test)} far below (gap ${fmt(off.gap)} > 0.15)`,
      holds: off.train >= 0.99 && off.gap > 0.15,
    });
  if (off && on)
    findings.push({
      claim: `weight decay λ = 0.1 narrows the train–test gap (${fmt(on.gap)} < ${fmt(off.gap)})`,
      holds: on.gap < off.gap,
    });
  // The book's numbers are for its 300 images: other training sets get none to compare with.
  const bookSetting = trainSize === TRAIN_SIZE;
  return ctx.finish({
    summary: {
      columns: ['λ', 'final train acc', `final test acc (${testSize})`, 'gap', 'book: train', 'book: test'],
      rows: lambdas.map((l) => {
        const e = end[String(l)];
        const b = bookSetting ? BOOK[String(l)] : undefined;
        return [l, sig6(e.train), sig6(e.test), sig6(e.gap), b?.train ?? '—', b?.test ?? '—'];
      }),
    },
    findings,
    results: {
      trainSize,
      testSize,
      epochs: cfg.epochs,
      lambdas,
      draws: ctx.draws,
      batchSize: BATCH,
      lr: LR,
      hiddenSizes: HIDDEN,
      end,
      book: BOOK,
      runs: Object.fromEntries(
        lambdas.map((l) => [
          String(l),
          { lambda: l, trainAcc: curve(runs[String(l)].trainAcc), testAcc: curve(runs[String(l)].testAcc) },
        ]),
      ),
    },
  });
}

/** For `--seeds`: each λ's final train and test accuracy. */
function spread(result: ExperimentResult): Record<string, number> {
  const end = result.results.end as Record<string, { train: number; test: number }>;
  return Object.fromEntries(
    Object.entries(end).flatMap(([l, e]) => [
      [`train acc, λ=${l}`, e.train],
      [`test acc, λ=${l}`, e.test],
    ]),
  );
}

export const experiment: Experiment & { run(options?: WeightDecayOptions): Promise<ExperimentResult> } = {
  name: 'weight-decay',
  title: 'Overfitting 300 images, without and with weight decay λ = 0.1 (figures 6-20, 6-21)',
  run,
  spread,
};

/** The figure of the runs so far (λ in the run's order; those not yet run are left out): train and test per λ. */
function weightDecayFigure(
  runs: Record<string, { trainAcc: number[]; testAcc: number[] }>,
  lambdas: number[],
  trainSize: number,
): VegaLiteSpec {
  const series = lambdas
    .filter((l) => String(l) in runs)
    .flatMap((l) => [
      { name: `train, λ=${l}`, y: runs[String(l)].trainAcc },
      { name: `test, λ=${l}`, y: runs[String(l)].testAcc },
    ]);
  const book = lambdas.length === 2 && lambdas[0] === 0 && lambdas[1] === 0.1;
  return lineChart({
    title: `${trainSize} training images, 6×100 ReLU net: accuracy ${book ? 'without and with weight decay' : `with weight decay λ = ${lambdas.join(', ')}`}`,
    xLabel: 'epochs',
    yLabel: 'accuracy',
    yDomain: [0, 1],
    series,
  });
}

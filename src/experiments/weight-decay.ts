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
import { Context, curve, fmt, sig6 } from './context.js';
import { Minibatch } from './minibatch.js';
import { BATCH, endOf, HIDDEN, LR, logEpoch, overfitData, TRAIN_SIZE } from './overfit.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const LAMBDAS = [0, 0.1];
const BOOK: Record<string, { train: number; test: number }> = {
  '0': { train: 1.0, test: 0.756 },
  '0.1': { train: 0.92, test: 0.733 },
};
const FULL = { epochs: 201, testSize: undefined as number | undefined };
/** Quick: 121 epochs (λ = 0 reaches 1.0 train accuracy by about epoch 100), tested on the first 500 test images. */
const QUICK = { epochs: 121, testSize: 500 };

async function run(options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  await ctx.ready();
  const cfg = ctx.quick ? QUICK : FULL;
  const { train, test, testSize } = overfitData(await ctx.mnist(), cfg.testSize);
  const I = train.x.length / TRAIN_SIZE;
  const iterPerEpoch = Math.max(TRAIN_SIZE / BATCH, 1);

  const runs: Record<string, { lambda: number; trainAcc: number[]; testAcc: number[] }> = {};
  for (const lambda of LAMBDAS) {
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
    LAMBDAS.map((l) => [String(l), endOf(runs[String(l)].trainAcc, runs[String(l)].testAcc)]),
  );
  const off = end['0'],
    on = end['0.1'];
  return ctx.finish({
    summary: {
      columns: ['λ', 'final train acc', `final test acc (${testSize})`, 'gap', 'book: train', 'book: test'],
      rows: LAMBDAS.map((l) => {
        const e = end[String(l)];
        return [l, sig6(e.train), sig6(e.test), sig6(e.gap), BOOK[String(l)].train, BOOK[String(l)].test];
      }),
    },
    findings: [
      {
        claim: `without weight decay the net overfits: train accuracy ${fmt(off.train)} ≥ 0.99 with test ${fmt(off.test)} far below (gap ${fmt(off.gap)} > 0.15)`,
        holds: off.train >= 0.99 && off.gap > 0.15,
      },
      {
        claim: `weight decay λ = 0.1 narrows the train–test gap (${fmt(on.gap)} < ${fmt(off.gap)})`,
        holds: on.gap < off.gap,
      },
    ],
    results: {
      trainSize: TRAIN_SIZE,
      testSize,
      epochs: cfg.epochs,
      draws: ctx.draws,
      batchSize: BATCH,
      lr: LR,
      hiddenSizes: HIDDEN,
      end,
      book: BOOK,
      runs: Object.fromEntries(
        LAMBDAS.map((l) => [
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

export const experiment: Experiment = {
  name: 'weight-decay',
  title: 'Overfitting 300 images, without and with weight decay λ = 0.1 (figures 6-20, 6-21)',
  run,
  spread,
};

/** The figure of the runs so far (λ in LAMBDAS' order; those not yet run are left out). */
function figure(runs: Record<string, { trainAcc: number[]; testAcc: number[] }>): VegaLiteSpec {
  const series = LAMBDAS.filter((l) => String(l) in runs).flatMap((l) => [
    { name: `train, λ=${l}`, y: runs[String(l)].trainAcc },
    { name: `test, λ=${l}`, y: runs[String(l)].testAcc },
  ]);
  return lineChart({
    title: `${TRAIN_SIZE} training images, 6×100 ReLU net: accuracy without and with weight decay`,
    xLabel: 'epochs',
    yLabel: 'accuracy',
    yDomain: [0, 1],
    series,
  });
}

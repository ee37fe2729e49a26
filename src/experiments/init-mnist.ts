// The book's ch06/weight_init_compare.py (figure 6-15): a 784-100-100-100-100-10 ReLU net trained with SGD
// (lr 0.01, batch 128, 2000 iterations) from three initial weight scales — std 0.01, Xavier (√(1/n)), He (√(2/n)).
// Each net draws its own standard normals, as the book's (one stream, net after net; with `draws: 'numpy'` the
// book's own draws), scaled differently; they see the same minibatches. The loss is the book's (after the update),
// smoothed in the figure as the book's (smooth_curve).
import { MultiLayerNet, type WeightInit } from '../net/MultiLayerNet.js';
import { drawInitialParams } from '../numpy-random.js';
import { SGD } from '../optim/index.js';
import { lineChart } from '../plot/specs.js';
import { Rng } from '../rng.js';
import { Context, curve, fmt, meanOfLast, sig6 } from './context.js';
import { trainSideBySide } from './side-by-side.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const INITS: { name: string; weightInit: WeightInit }[] = [
  { name: 'std=0.01', weightInit: 0.01 },
  { name: 'Xavier', weightInit: 'xavier' },
  { name: 'He', weightInit: 'he' },
];
const BOOK_LOSS_AT_1900: Record<string, number> = { 'std=0.01': 2.298, Xavier: 0.225, He: 0.151 };

const BATCH = 128;
const LR = 0.01;
const ITERATIONS = 2000;
const QUICK_ITERATIONS = 300;
const TAIL = 100;
/** ln 10: the loss of a net that predicts 1/10 for every class. */
const CHANCE_LOSS = Math.log(10);

async function run(options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  await ctx.ready();
  const data = await ctx.mnist();
  const iterations = ctx.quick ? QUICK_ITERATIONS : ITERATIONS;
  const numpy = ctx.draws === 'numpy' ? ctx.numpyStream() : undefined;
  const netSeeds = new Rng(ctx.seed); // net k: the k-th fork, so each net has its own weights
  const contenders = INITS.map((s) => {
    const net = new MultiLayerNet({
      inputSize: data.inputSize,
      hiddenSizes: [100, 100, 100, 100],
      outputSize: 10,
      activation: 'relu',
      weightInit: s.weightInit,
      seed: netSeeds.fork(),
      backend: ctx.backend,
      maxBatchSize: BATCH,
    });
    if (numpy) net.setParams(drawInitialParams(numpy, net));
    // The book shares one SGD instance between the nets; SGD keeps no state, so one per net is the same.
    return { name: s.name, net, optimizer: new SGD({ lr: LR }) };
  });
  const figure = (losses: Record<string, Float32Array>, done = iterations) =>
    lineChart({
      title: `MNIST, 4×100 ReLU net, SGD lr ${LR}: loss by initial weights`,
      xLabel: 'iterations',
      yLabel: 'loss',
      yDomain: [0, 2.5],
      smooth: 'book',
      series: INITS.map((s) => ({ name: s.name, y: losses[s.name].subarray(0, done) })),
    });
  const losses = await trainSideBySide(
    ctx,
    data,
    contenders,
    iterations,
    BATCH,
    numpy ?? new Rng(ctx.seed + 1),
    (l, done) => ctx.partial('init-mnist', () => figure(l, done)),
  );
  const tail = Object.fromEntries(INITS.map((s) => [s.name, meanOfLast(losses[s.name], TAIL)]));
  const at1900 = iterations > 1900 ? Object.fromEntries(INITS.map((s) => [s.name, losses[s.name][1900]])) : undefined;

  await ctx.figure('init-mnist', figure(losses));

  const small = tail['std=0.01'];
  // "Learns": full runs end far below chance (under half of ln 10); the 300 quick iterations only show the start
  // of the descent (Xavier starts slowly, and how slowly depends on its own draw: tails 2.17, 1.89, 2.00 for seeds
  // 0–2), so there the tail must be at least 0.1 below ln 10.
  const learned = ctx.quick ? CHANCE_LOSS - 0.1 : CHANCE_LOSS / 2;
  const learnedText = ctx.quick ? 'at least 0.1 below ln 10' : 'under half of ln 10';
  return ctx.finish({
    summary: {
      columns: ['initial weights', `mean loss, last ${TAIL} iter`, 'loss at iter 1900', 'book: loss at iter 1900'],
      rows: INITS.map((s) => [
        s.name,
        sig6(tail[s.name]),
        at1900 ? sig6(at1900[s.name]) : '–',
        BOOK_LOSS_AT_1900[s.name],
      ]),
    },
    findings: [
      {
        claim: `with std 0.01 the net does not learn: its loss stays at ln 10 ≈ 2.30 ± 0.01 (mean of the last ${TAIL}: ${fmt(small, 4)})`,
        holds: Math.abs(small - CHANCE_LOSS) <= 0.01,
      },
      {
        claim:
          `Xavier and He learn: the mean loss of their last ${TAIL} iterations ends ${learnedText} ` +
          `(Xavier ${fmt(tail.Xavier)}, He ${fmt(tail.He)})`,
        holds: tail.Xavier < learned && tail.He < learned,
      },
      {
        claim: `He learns faster than Xavier in this ReLU net (${fmt(tail.He)} < ${fmt(tail.Xavier)})`,
        holds: tail.He < tail.Xavier,
      },
    ],
    results: {
      iterations,
      batchSize: BATCH,
      lr: LR,
      tail: TAIL,
      draws: ctx.draws,
      inits: INITS.map((s) => ({ name: s.name, weightInit: s.weightInit })),
      meanLossOfTail: tail,
      lossAt1900: at1900 ?? null,
      bookLossAt1900: BOOK_LOSS_AT_1900,
      loss: Object.fromEntries(INITS.map((s) => [s.name, curve(losses[s.name])])),
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

export const experiment: Experiment = {
  name: 'init-mnist',
  title: 'Weight initialisation on MNIST: std 0.01 vs Xavier vs He (figure 6-15)',
  run,
  spread,
};

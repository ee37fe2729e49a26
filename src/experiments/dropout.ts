// The book's ch06/overfit_dropout.py (figure 6-23): 300 training images, a 784-(100×6)-10 ReLU He net, trained by
// the Trainer (SGD lr 0.01, batch 100, 301 epochs), without dropout and with dropout ratio 0.2. Accuracy is that
// of the Trainer: train (all 300) and test at the end of every epoch, in test mode.
import { MultiLayerNet } from '../net/MultiLayerNet.js';
import { lineChart } from '../plot/specs.js';
import { Trainer } from '../train/Trainer.js';
import { Context, curve, fmt, sig6 } from './context.js';
import { BATCH, endOf, HIDDEN, LR, logEpoch, overfitData, TRAIN_SIZE } from './overfit.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const RATIOS = [0, 0.2];
const label = (r: number): string => (r === 0 ? 'no dropout' : `dropout ${r}`);
const BOOK: Record<string, { train: number; test: number }> = { '0': { train: 1.0, test: 0.762 }, '0.2': { train: 0.617, test: 0.488 } };
const FULL = { epochs: 301, testSize: undefined as number | undefined };
/** Quick: 61 epochs (the gap is plain by then), tested on the first 500 test images. */
const QUICK = { epochs: 61, testSize: 500 };

async function run(options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  await ctx.ready();
  const cfg = ctx.quick ? QUICK : FULL;
  const { train, test, testSize } = overfitData(await ctx.mnist(), cfg.testSize);
  const I = train.x.length / TRAIN_SIZE;

  const runs: Record<string, { ratio: number; trainAcc: number[]; testAcc: number[]; seconds: number }> = {};
  for (const ratio of RATIOS) {
    const net = new MultiLayerNet({
      inputSize: I, hiddenSizes: HIDDEN, outputSize: 10, activation: 'relu', weightInit: 'he',
      useDropout: ratio > 0, dropoutRatio: ratio, seed: ctx.seed, backend: ctx.backend, maxBatchSize: BATCH,
    });
    const trainer = new Trainer(net, train.x, train.t, test.x, test.t, {
      epochs: cfg.epochs, batchSize: BATCH, optimizer: 'sgd', optimizerParams: { lr: LR }, seed: ctx.seed + 1,
      signal: options.signal,
      onEpoch: (e) => logEpoch(ctx, label(ratio), e.epoch, 20, e.trainAcc, e.testAcc),
    });
    const r = await trainer.train();
    ctx.checkAbort(); // the Trainer stops on the signal; we then reject with its reason
    runs[String(ratio)] = { ratio, trainAcc: r.trainAcc, testAcc: r.testAcc, seconds: r.seconds };
  }

  await ctx.figure('dropout', lineChart({
    title: `${TRAIN_SIZE} training images, 6×100 ReLU net: accuracy without and with dropout`,
    xLabel: 'epochs', yLabel: 'accuracy', yDomain: [0, 1],
    series: RATIOS.flatMap((r) => [
      { name: `train, ${label(r)}`, x: runs[String(r)].trainAcc.map((_, i) => i + 1), y: runs[String(r)].trainAcc },
      { name: `test, ${label(r)}`, x: runs[String(r)].testAcc.map((_, i) => i + 1), y: runs[String(r)].testAcc },
    ]),
  }));

  const end = Object.fromEntries(RATIOS.map((r) => [String(r), endOf(runs[String(r)].trainAcc, runs[String(r)].testAcc)]));
  const off = end['0'], on = end['0.2'];
  return ctx.finish({
    summary: {
      columns: ['dropout ratio', 'final train acc', `final test acc (${testSize})`, 'gap', 'book: train', 'book: test'],
      rows: RATIOS.map((r) => {
        const e = end[String(r)];
        return [r, sig6(e.train), sig6(e.test), sig6(e.gap), BOOK[String(r)].train, BOOK[String(r)].test];
      }),
    },
    findings: [
      {
        claim: `without dropout the net overfits (train ${fmt(off.train)}, test ${fmt(off.test)}, gap ${fmt(off.gap)} > 0.15)`,
        holds: off.gap > 0.15,
      },
      {
        claim: `dropout 0.2 narrows the train–test gap (${fmt(on.gap)} < ${fmt(off.gap)})`,
        holds: on.gap < off.gap,
      },
    ],
    results: {
      trainSize: TRAIN_SIZE, testSize, epochs: cfg.epochs, batchSize: BATCH, lr: LR, hiddenSizes: HIDDEN,
      end, book: BOOK,
      runs: Object.fromEntries(RATIOS.map((r) => [String(r), {
        ratio: r, trainAcc: curve(runs[String(r)].trainAcc), testAcc: curve(runs[String(r)].testAcc), seconds: runs[String(r)].seconds,
      }])),
    },
  });
}

export const experiment: Experiment = {
  name: 'dropout',
  title: 'Overfitting 300 images, without and with dropout 0.2 (figure 6-23)',
  run,
};

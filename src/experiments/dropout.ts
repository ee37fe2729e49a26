// The book's ch06/overfit_dropout.py (figure 6-23): 300 training images, a 784-(100×6)-10 ReLU He net, trained by
// the Trainer (SGD lr 0.01, batch 100, 301 epochs), without dropout and with dropout ratio 0.2. Accuracy is that
// of the book's Trainer: train (all 300) and test, in test mode, after updates 1, 4, 7, … (301 points, the last
// after update 901 of 903).
import { ValueError } from '../errors.js';
import { MultiLayerNet } from '../net/MultiLayerNet.js';
import { lineChart } from '../plot/specs.js';
import { Trainer } from '../train/Trainer.js';
import { Context, curve, fmt, sig6 } from './context.js';
import { BATCH, endOf, HIDDEN, LR, logEpoch, overfitData, TRAIN_SIZE } from './overfit.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const RATIOS = [0, 0.2];

export interface DropoutOptions extends ExperimentOptions {
  /** Run only these of the two runs (0: no dropout, 0.2: dropout 0.2). Default both. */
  ratios?: number[];
}
const label = (r: number): string => (r === 0 ? 'no dropout' : `dropout ${r}`);
const BOOK: Record<string, { train: number; test: number }> = {
  '0': { train: 1.0, test: 0.762 },
  '0.2': { train: 0.617, test: 0.488 },
};
const FULL = { epochs: 301, testSize: undefined as number | undefined };
/** Quick: 61 epochs (the gap is plain by then), tested on the first 500 test images. */
const QUICK = { epochs: 61, testSize: 500 };

async function run(options: DropoutOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  const ratios = options.ratios ?? RATIOS;
  if (ratios.length === 0 || new Set(ratios).size !== ratios.length || !ratios.every((r) => RATIOS.includes(r))) {
    throw new ValueError(`dropout: ratios must be distinct values among ${RATIOS.join(', ')}, got [${String(ratios)}]`);
  }
  await ctx.ready();
  const cfg = ctx.quick ? QUICK : FULL;
  const { train, test, testSize } = overfitData(await ctx.mnist(), cfg.testSize);
  const I = train.x.length / TRAIN_SIZE;

  const runs: Record<string, { ratio: number; trainAcc: number[]; testAcc: number[]; seconds: number }> = {};
  for (const ratio of ratios) {
    const net = new MultiLayerNet({
      inputSize: I,
      hiddenSizes: HIDDEN,
      outputSize: 10,
      activation: 'relu',
      weightInit: 'he',
      useDropout: ratio > 0,
      dropoutRatio: ratio,
      seed: ctx.seed,
      backend: ctx.backend,
      maxBatchSize: BATCH,
    });
    const trainer = new Trainer(net, train.x, train.t, test.x, test.t, {
      epochs: cfg.epochs,
      batchSize: BATCH,
      optimizer: 'sgd',
      optimizerParams: { lr: LR },
      seed: ctx.seed + 1,
      signal: options.signal,
      evaluate: 'book',
      onEpoch: (e) => logEpoch(ctx, label(ratio), e.epoch, 20, e.trainAcc, e.testAcc),
    });
    const r = await trainer.train();
    ctx.checkAbort(); // the Trainer stops on the signal; we then reject with its reason
    runs[String(ratio)] = { ratio, trainAcc: r.trainAcc, testAcc: r.testAcc, seconds: r.seconds };
  }

  await ctx.figure(
    'dropout',
    lineChart({
      title: `${TRAIN_SIZE} training images, 6×100 ReLU net: accuracy without and with dropout`,
      xLabel: 'epochs',
      yLabel: 'accuracy',
      yDomain: [0, 1],
      series: ratios.flatMap((r) => [
        { name: `train, ${label(r)}`, y: runs[String(r)].trainAcc },
        { name: `test, ${label(r)}`, y: runs[String(r)].testAcc },
      ]),
    }),
  );

  const end = Object.fromEntries(
    ratios.map((r) => [String(r), endOf(runs[String(r)].trainAcc, runs[String(r)].testAcc)]),
  );
  const off = end['0'],
    on = end['0.2'];
  const findings: ExperimentResult['findings'] = [];
  if (off) {
    findings.push({
      claim: `without dropout the net overfits (train ${fmt(off.train)}, test ${fmt(off.test)}, gap ${fmt(off.gap)} > 0.15)`,
      holds: off.gap > 0.15,
    });
  }
  if (off && on)
    findings.push({
      claim: `dropout 0.2 narrows the train–test gap (${fmt(on.gap)} < ${fmt(off.gap)})`,
      holds: on.gap < off.gap,
    });
  return ctx.finish({
    summary: {
      columns: ['dropout ratio', 'final train acc', `final test acc (${testSize})`, 'gap', 'book: train', 'book: test'],
      rows: ratios.map((r) => {
        const e = end[String(r)];
        return [r, sig6(e.train), sig6(e.test), sig6(e.gap), BOOK[String(r)].train, BOOK[String(r)].test];
      }),
    },
    findings,
    results: {
      trainSize: TRAIN_SIZE,
      testSize,
      epochs: cfg.epochs,
      batchSize: BATCH,
      lr: LR,
      hiddenSizes: HIDDEN,
      end,
      book: BOOK,
      runs: Object.fromEntries(
        ratios.map((r) => [
          String(r),
          {
            ratio: r,
            trainAcc: curve(runs[String(r)].trainAcc),
            testAcc: curve(runs[String(r)].testAcc),
            seconds: runs[String(r)].seconds,
          },
        ]),
      ),
    },
  });
}

/** For `--seeds`: each run's final train and test accuracy. */
function spread(result: ExperimentResult): Record<string, number> {
  const end = result.results.end as Record<string, { train: number; test: number }>;
  return Object.fromEntries(
    Object.entries(end).flatMap(([r, e]) => [
      [`train acc, ${label(Number(r))}`, e.train],
      [`test acc, ${label(Number(r))}`, e.test],
    ]),
  );
}

export const experiment: Experiment & { run(options?: DropoutOptions): Promise<ExperimentResult> } = {
  name: 'dropout',
  title: 'Overfitting 300 images, without and with dropout 0.2 (figure 6-23)',
  run,
  spread,
};

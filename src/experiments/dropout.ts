// The book's ch06/overfit_dropout.py (figure 6-23): 300 training images, a 784-(100×6)-10 ReLU He net, trained by
// the Trainer (SGD lr 0.01, batch 100, 301 epochs), without dropout and with dropout ratio 0.2. Accuracy is that
// of the book's Trainer: train (all 300) and test, in test mode, after updates 1, 4, 7, … (301 points, the last
// after update 901 of 903).
import { MultiLayerNet } from '../net/MultiLayerNet.js';
import { lineChart, type VegaLiteSpec } from '../plot/specs.js';
import { Trainer } from '../train/Trainer.js';
import { integerIn } from './choices.js';
import { Context, curve, fmt, sig6 } from './context.js';
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

const RATIOS = [0, 0.2];

export interface DropoutOptions extends ExperimentOptions {
  /** The dropout ratio of each run, in the figure's order: 1–8 distinct values in [0, 1) (default [0, 0.2], the book's; 0 = no dropout). */
  ratios?: number[];
  /** Training images: the first `trainSize` of MNIST's (default 300, the book's). */
  trainSize?: number;
  /** Epochs (accuracy points) per run (default: the mode's, 301 or quick 61). */
  epochs?: number;
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
  const name = experiment.name;
  const ratios = checkList(name, 'ratios', options.ratios, 0, 1, false) ?? RATIOS;
  const trainSize = integerIn(name, 'trainSize', options.trainSize, 1, MAX_TRAIN_SIZE, TRAIN_SIZE);
  const mode = ctx.quick ? QUICK : FULL;
  const cfg = { ...mode, epochs: integerIn(name, 'epochs', options.epochs, 1, MAX_EPOCHS, mode.epochs) };
  await ctx.ready();
  const { train, test, testSize } = overfitData(name, await ctx.mnist(), trainSize, cfg.testSize);
  const I = train.x.length / trainSize;

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
    // The curves so far, for the partial figures (the Trainer's own arrays are returned only at the end).
    const trainAcc: number[] = [],
      testAcc: number[] = [];
    const trainer = new Trainer(net, train.x, train.t, test.x, test.t, {
      epochs: cfg.epochs,
      batchSize: BATCH,
      optimizer: 'sgd',
      optimizerParams: { lr: LR },
      seed: ctx.seed + 1,
      signal: options.signal,
      evaluate: 'book',
      onEpoch: (e) => {
        logEpoch(ctx, label(ratio), e.epoch, 20, e.trainAcc, e.testAcc);
        trainAcc.push(e.trainAcc);
        testAcc.push(e.testAcc);
        ctx.partial('dropout', () =>
          dropoutFigure({ ...runs, [String(ratio)]: { trainAcc, testAcc } }, ratios, trainSize),
        );
      },
    });
    const r = await trainer.train();
    ctx.checkAbort(); // the Trainer stops on the signal; we then reject with its reason
    runs[String(ratio)] = { ratio, trainAcc: r.trainAcc, testAcc: r.testAcc, seconds: r.seconds };
  }

  await ctx.figure('dropout', dropoutFigure(runs, ratios, trainSize));

  const end = Object.fromEntries(
    ratios.map((r) => [String(r), endOf(runs[String(r)].trainAcc, runs[String(r)].testAcc)]),
  );
  const off = end['0'],
    on = end['0.2'];
  // The book's claims are about ratios 0 and 0.2: each is judged only when the runs it speaks of were made.
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
        const b = trainSize === TRAIN_SIZE ? BOOK[String(r)] : undefined; // the book's numbers: its 300 images
        return [r, sig6(e.train), sig6(e.test), sig6(e.gap), b?.train ?? '—', b?.test ?? '—'];
      }),
    },
    findings,
    results: {
      trainSize,
      ratios,
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

/** The figure of the runs so far (ratios in the run's order; those not yet run are left out). */
function dropoutFigure(
  runs: Record<string, { trainAcc: number[]; testAcc: number[] }>,
  ratios: number[],
  trainSize: number,
): VegaLiteSpec {
  return lineChart({
    title: `${trainSize} training images, 6×100 ReLU net: accuracy without and with dropout`,
    xLabel: 'epochs',
    yLabel: 'accuracy',
    yDomain: [0, 1],
    series: ratios
      .filter((r) => String(r) in runs)
      .flatMap((r) => [
        { name: `train, ${label(r)}`, y: runs[String(r)].trainAcc },
        { name: `test, ${label(r)}`, y: runs[String(r)].testAcc },
      ]),
  });
}

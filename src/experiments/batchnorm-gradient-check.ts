// The book's ch06/batch_norm_gradient_check.py: the gradient of a 784-100-100-10 ReLU net with BatchNorm (He
// init), by backprop and by central differences, compared per parameter as the mean |backprop − numerical| — on
// the book's batch of one image (x_train[:1]), and, because one row makes BatchNorm degenerate, also on a batch
// of 10.
//
// Float32 tolerance. zerodl's loss is float32 (relative rounding 6e-8, so ~1.4e-7 absolute at a loss of 2.3),
// and net.numericalGradient divides a difference of two such losses by 2h = 2e-3: ~1e-4 of rounding noise per
// element (the book's float64 with h = 1e-4 has ~1e-11, hence its ≤ 2e-7). A ReLU whose input crosses 0 within
// ±h adds an occasional larger error. So a parameter agrees when its mean |diff| ≤ 5e-4.
//
// Batch 1: each BatchNorm normalises a single row, x − mean = 0 exactly, so every BatchNorm outputs its β. Nothing
// before BatchNorm2 reaches the loss and W3 sees ReLU(β2) = 0 (all those gradients are 0 both ways; only b3 learns),
// and BatchNorm2's output β2 = 0 sits on ReLU's kink: backprop gives dβ2 = 0 (the book's ReLU passes no gradient at 0), while the central difference
// (L(h) − L(−h))/2h sees the slope on one side only, half of it. The book prints 0.049 for beta2; zerodl checks
// that the numerical dβ2 is half of backprop's dβ2 just right of the kink (β2 = +1e-4).
import { MultiLayerNet, type ParamRecord } from '../net/MultiLayerNet.js';
import { Context, fmt, head, sig6 } from './context.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

/** Mean |backprop − numerical| per parameter below which they agree (see the header). */
export const GRADIENT_TOLERANCE = 5e-4;
/** The central differences' h (net.numericalGradient's default). */
const H = 1e-3;
/** Where the one-sided slope of the batch-1 check is taken: β2 just right of ReLU's kink. */
const RIGHT_OF_KINK = 1e-4;

const FULL = { hidden: [100, 100], batches: [1, 10] };
/** Quick: the same two batches through 10-unit hidden layers (8,000 parameters instead of 89,610). */
const QUICK = { hidden: [10, 10], batches: [1, 10] };

export interface GradientComparison {
  batchSize: number;
  /** Per parameter, in the book's order: mean and max |backprop − numerical|, and max |backprop|. */
  params: { name: string; meanDiff: number; maxDiff: number; maxGrad: number }[];
}

/** Mean and max |a − b| and max |a|. */
function compare(a: Float32Array, b: Float32Array): { meanDiff: number; maxDiff: number; maxGrad: number } {
  let sum = 0,
    maxDiff = 0,
    maxGrad = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    maxDiff = Math.max(maxDiff, d);
    maxGrad = Math.max(maxGrad, Math.abs(a[i]));
  }
  return { meanDiff: sum / a.length, maxDiff, maxGrad };
}

const copy = (r: ParamRecord): ParamRecord => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.slice()]));

async function run(options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  await ctx.ready();
  const data = await ctx.mnist();
  const cfg = ctx.quick ? QUICK : FULL;
  const make = (): MultiLayerNet =>
    new MultiLayerNet({
      inputSize: data.inputSize,
      hiddenSizes: cfg.hidden,
      outputSize: 10,
      activation: 'relu',
      weightInit: 'he',
      useBatchNorm: true,
      seed: ctx.seed,
      backend: ctx.backend,
    });

  const comparisons: GradientComparison[] = [];
  const kink = { backprop: [] as number[], numerical: [] as number[], rightSlope: [] as number[] };
  for (const B of cfg.batches) {
    await ctx.tick();
    const net = make();
    const { x, t } = head(data.xTrain, data.tTrain, B, data.inputSize);
    const numerical = net.numericalGradient(x, t, H);
    const backprop = copy(net.gradient(x, t));
    const params = net.paramNames.map((name) => ({ name, ...compare(backprop[name], numerical[name]) }));
    comparisons.push({ batchSize: B, params });
    ctx.log(`batch ${B}: ` + params.map((p) => `${p.name} ${fmt(p.meanDiff)}`).join(', '));
    if (B === 1) {
      // the one-sided slope just right of the kink: backprop with β2 = +1e-4 (then every BatchNorm2 output is > 0)
      const right = make();
      right.setParams({ ...net.params, beta2: new Float32Array(cfg.hidden[1]).fill(RIGHT_OF_KINK) });
      kink.backprop = Array.from(backprop.beta2);
      kink.numerical = Array.from(numerical.beta2);
      kink.rightSlope = Array.from(right.gradient(x, t).beta2);
    }
  }

  const [one, ten] = comparisons;
  const agree = (c: GradientComparison, skip: string[] = []): boolean =>
    c.params.every((p) => skip.includes(p.name) || p.meanDiff <= GRADIENT_TOLERANCE);
  const beta2 = one.params.find((p) => p.name === 'beta2')!;
  const halfSlopeError = Math.max(...kink.numerical.map((v, i) => Math.abs(v - 0.5 * kink.rightSlope[i])));
  const meanRight = kink.rightSlope.reduce((s, v) => s + Math.abs(v), 0) / kink.rightSlope.length;
  const worstTen = ten.params.reduce((a, b) => (b.meanDiff > a.meanDiff ? b : a));
  return ctx.finish({
    summary: {
      columns: [
        'parameter',
        'mean |diff|, batch 1 (book)',
        'book, batch 1 (float64)',
        'mean |diff|, batch 10',
        'max |grad|, batch 10',
      ],
      rows: one.params.map((p, i) => [
        p.name,
        sig6(p.meanDiff),
        p.name === 'beta2' ? 0.049 : '≤ 2e-7',
        sig6(ten.params[i].meanDiff),
        sig6(ten.params[i].maxGrad),
      ]),
    },
    findings: [
      {
        claim:
          `batch 1 (the book's check): backprop and numerical gradients agree for every parameter but beta2 ` +
          `(mean |diff| ≤ ${GRADIENT_TOLERANCE}, float32)`,
        holds: agree(one, ['beta2']),
      },
      {
        claim:
          `batch 1's beta2 is the book's degenerate case (mean |diff| ${fmt(beta2.meanDiff)}; book 0.049): ` +
          `BatchNorm2 outputs β2 = 0, ReLU's kink, so backprop gives 0 and central differences half the slope on ` +
          `its right (largest |numerical − slope/2| ${fmt(halfSlopeError)}, the slope's mean |value| ${fmt(meanRight)})`,
        holds:
          kink.backprop.every((v) => v === 0) &&
          meanRight > 10 * GRADIENT_TOLERANCE &&
          halfSlopeError <= 10 * GRADIENT_TOLERANCE,
      },
      {
        claim:
          `batch 10 (BatchNorm not degenerate): every parameter agrees, beta2 included (largest mean |diff| ` +
          `${fmt(worstTen.meanDiff)}, ${worstTen.name})`,
        holds: agree(ten),
      },
    ],
    results: {
      hiddenSizes: cfg.hidden,
      h: H,
      tolerance: GRADIENT_TOLERANCE,
      toleranceWhy: 'float32 loss (~1.4e-7 absolute at 2.3) over 2h = 2e-3: ~1e-4 of rounding noise per element',
      comparisons: comparisons.map((c) => ({
        batchSize: c.batchSize,
        params: c.params.map((p) => ({
          name: p.name,
          meanDiff: sig6(p.meanDiff),
          maxDiff: sig6(p.maxDiff),
          maxGrad: sig6(p.maxGrad),
        })),
      })),
      beta2Kink: { halfSlopeError: sig6(halfSlopeError), meanRightSlope: sig6(meanRight) },
      book: 'batch 1, float64, h 1e-4: every parameter ≤ 2e-7 except beta2 0.049 (batch 1 degenerate)',
    },
  });
}

export const experiment: Experiment = {
  name: 'batchnorm-gradient-check',
  title: 'Gradient check of the BatchNorm net: backprop vs numerical, per parameter (batch_norm_gradient_check.py)',
  run,
};

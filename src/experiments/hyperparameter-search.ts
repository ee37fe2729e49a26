// The book's ch06/hyperparameter_optimization.py (figure 6-24): random search over the learning rate and the
// weight decay of a 784-(100×6)-10 ReLU He net trained with SGD, batch 100, on 500 MNIST training images: shuffled,
// the first 20 % (100) held out for validation, the other 400 for training. Each trial draws, as the book,
// weight decay = 10^U(−8, −4) and then lr = 10^U(−6, −2), and trains 50 epochs with the Trainer; its score is
// the validation accuracy of the last epoch.
//
// Quick mode: 20 trials × 15 epochs. So few trials, drawn independently, often leave the band where 60 steps
// suffice to learn (lr ≈ 4e-3…1e-2) empty; so the quick trials are drawn by Latin hypercube sampling over the same
// log-ranges (each 1/20 of each range gets exactly one trial, lr and weight decay paired at random), and the claim
// is judged on the top 2 instead of the top 5.
import { splitValidation } from '../data/split.js';
import { DivergenceError } from '../errors.js';
import { MultiLayerNet } from '../net/MultiLayerNet.js';
import { facetLineGrid, scatterChart } from '../plot/specs.js';
import { Rng } from '../rng.js';
import { Trainer } from '../train/Trainer.js';
import { Context, curve, fmt, sig6 } from './context.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

const SAMPLES = 500;
const VALIDATION_RATE = 0.2;
const HIDDEN = [100, 100, 100, 100, 100, 100];
const BATCH = 100;
const FULL = { trials: 100, epochs: 50, top: 5, need: 4, stratified: false };
const QUICK = { trials: 20, epochs: 15, top: 2, need: 2, stratified: true };
const GRAPH_DRAW_NUM = 20;
const BOOK = 'best val 0.87 at lr 8.8e-3, wd 7.4e-6; top 5 all lr 5e-3…9.7e-3';

interface Trial {
  trial: number;
  lr: number;
  weightDecay: number;
  valAcc: number[];
  trainAcc: number[];
  finalVal: number;
  diverged: boolean;
}

async function run(options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const ctx = new Context(experiment.name, experiment.title, options);
  await ctx.ready();
  const data = await ctx.mnist();
  const cfg = ctx.quick ? QUICK : FULL;
  const I = data.inputSize;
  const split = splitValidation(data.xTrain.subarray(0, SAMPLES * I), data.tTrain.subarray(0, SAMPLES), VALIDATION_RATE, ctx.seed, I);
  const draws = drawTrials(cfg.trials, cfg.stratified, new Rng(ctx.seed));

  const trials: Trial[] = [];
  for (let k = 0; k < cfg.trials; k++) {
    ctx.checkAbort();
    const { weightDecay, lr } = draws[k];
    const net = new MultiLayerNet({
      inputSize: I, hiddenSizes: HIDDEN, outputSize: 10, activation: 'relu', weightInit: 'he',
      weightDecayLambda: weightDecay, seed: ctx.seed + 1 + k, backend: ctx.backend, maxBatchSize: BATCH,
    });
    const trainer = new Trainer(net, split.xTrain, split.tTrain, split.xVal, split.tVal, {
      epochs: cfg.epochs, batchSize: BATCH, optimizer: 'sgd', optimizerParams: { lr }, seed: ctx.seed + 1001 + k,
      signal: options.signal,
    });
    let trial: Trial;
    try {
      const r = await trainer.train();
      ctx.checkAbort();
      trial = { trial: k, lr, weightDecay, valAcc: r.testAcc, trainAcc: r.trainAcc, finalVal: r.testAcc[r.testAcc.length - 1], diverged: false };
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      trial = { trial: k, lr, weightDecay, valAcc: [], trainAcc: [], finalVal: 0, diverged: true };
    }
    trials.push(trial);
    ctx.log(`val acc:${trial.finalVal} | lr:${lr}, weight decay:${weightDecay}${trial.diverged ? ' (diverged)' : ''}`);
  }

  const ranked = [...trials].sort((a, b) => b.finalVal - a.finalVal);
  ctx.log('=========== Hyper-Parameter Optimization Result ===========');
  ranked.slice(0, GRAPH_DRAW_NUM).forEach((t, i) => ctx.log(`Best-${i + 1}(val acc:${t.finalVal}) | lr:${t.lr}, weight decay:${t.weightDecay}`));

  const best = ranked.slice(0, GRAPH_DRAW_NUM).filter((t) => !t.diverged);
  await ctx.figure('hyperparameter-search-best', facetLineGrid({
    title: `Random search, ${cfg.trials} trials × ${cfg.epochs} epochs: the best ${best.length} by validation accuracy`,
    panels: best.map((t, i) => ({
      name: `Best-${i + 1} lr:${fmt(t.lr, 2)} wd:${fmt(t.weightDecay, 2)}`,
      series: [{ name: 'validation', y: t.valAcc }, { name: 'train', y: t.trainAcc }],
    })),
    columns: 5, xLabel: 'epochs', yLabel: 'accuracy', yDomain: [0, 1], width: 150, height: 100,
  }));
  await ctx.figure('hyperparameter-search-scatter', scatterChart({
    title: `Final validation accuracy over learning rate and weight decay (${cfg.trials} trials)`,
    points: trials.map((t) => ({ x: t.lr, y: t.weightDecay, value: t.finalVal, label: `trial ${t.trial}` })),
    xLabel: 'learning rate', yLabel: 'weight decay', logX: true, logY: true, colorLabel: 'validation accuracy',
    colorDomain: [0, 1],
  }));

  const top = ranked.slice(0, cfg.top);
  const inBand = top.filter((t) => t.lr >= 1e-3 && t.lr <= 1e-2).length;
  return ctx.finish({
    summary: {
      columns: ['rank', 'final val acc', 'lr', 'weight decay'],
      rows: ranked.slice(0, 10).map((t, i) => [i + 1, sig6(t.finalVal), sig6(t.lr), sig6(t.weightDecay)]),
    },
    findings: [{
      claim: `the best trials sit at a learning rate between 1e-3 and 1e-2: ${inBand} of the top ${cfg.top} ` +
        `(≥ ${cfg.need}); best val acc ${fmt(ranked[0].finalVal)} at lr ${fmt(ranked[0].lr, 2)}`,
      holds: inBand >= cfg.need,
    }],
    results: {
      samples: SAMPLES, validationRate: VALIDATION_RATE, trainSize: split.tTrain.length, validationSize: split.tVal.length,
      trials: cfg.trials, epochs: cfg.epochs, sampling: cfg.stratified ? 'latin hypercube' : 'independent', batchSize: BATCH, hiddenSizes: HIDDEN, book: BOOK,
      ranking: ranked.map((t) => t.trial),
      runs: trials.map((t) => ({
        trial: t.trial, lr: t.lr, weightDecay: t.weightDecay, finalVal: t.finalVal, diverged: t.diverged,
        valAcc: curve(t.valAcc), trainAcc: curve(t.trainAcc),
      })),
    },
  });
}

/**
 * The (weight decay, lr) of each trial: weight decay = 10^U(−8, −4), lr = 10^U(−6, −2). Independent draws as the
 * book (wd first, then lr), or stratified: trial k's exponents fall in strata π(k) and σ(k) of n equal strata,
 * for random permutations π, σ.
 */
export function drawTrials(n: number, stratified: boolean, rng: Rng): { weightDecay: number; lr: number }[] {
  const strata = (): number[] => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };
  const wdStrata = stratified ? strata() : [], lrStrata = stratified ? strata() : [];
  return Array.from({ length: n }, (_, k) => {
    const u = stratified ? (wdStrata[k] + rng.uniform()) / n : rng.uniform();
    const v = stratified ? (lrStrata[k] + rng.uniform()) / n : rng.uniform();
    return { weightDecay: 10 ** (-8 + 4 * u), lr: 10 ** (-6 + 4 * v) };
  });
}

export const experiment: Experiment = {
  name: 'hyperparameter-search',
  title: 'Random search for learning rate and weight decay (figure 6-24)',
  run,
};

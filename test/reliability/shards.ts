// Synthetic shards of a hyperparameter search (no training), for the merge tests and the fuzz test.
import { fixedConfig } from '../../src/experiments/hyperparameter-search.js';
import { planTrials, type SearchConfig, shardTrials } from '../../src/experiments/search/plan.js';

/** A quick search of 6 trials × 2 epochs, seed 3. */
export const SEARCH: SearchConfig = {
  seed: 3,
  quick: true,
  backend: 'js',
  trials: 6,
  epochs: 2,
  dataHash: '0123abcd',
  lrRange: [-6, -2],
  decayRange: [-8, -4],
  ...fixedConfig(true),
};

/** The results.json of shard i/n of SEARCH, every run consistent (trial 4 diverged). */
export function shardJson(index: number, count: number, config: SearchConfig = SEARCH): Record<string, any> {
  const plan = planTrials(config);
  const trials = shardTrials(config.trials, { index, count });
  const runs = trials.map((k) => {
    const diverged = k === 4;
    const valAcc = diverged ? [] : Array.from({ length: config.epochs }, (_, e) => (10 * k + e) / 100);
    const trainAcc = diverged ? [] : Array.from({ length: config.epochs }, (_, e) => (40 * k + 3 * e) / 400);
    return {
      trial: k,
      lr: plan[k].lr,
      weightDecay: plan[k].weightDecay,
      valAcc,
      trainAcc,
      finalVal: diverged ? 0 : valAcc[config.epochs - 1],
      diverged,
    };
  });
  return {
    name: 'hyperparameter-search',
    title: 't',
    summary: { columns: [], rows: [] },
    findings: [],
    figures: [],
    seconds: 1,
    quick: config.quick,
    seed: config.seed,
    results: { search: structuredClone(config), shard: { index, count, trials }, runs },
  };
}

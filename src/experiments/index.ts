// The chapter-6 experiments by name, each a TS twin of one of the book's ch06 scripts.
import { NameError } from '../errors.js';
import { experiment as batchnorm } from './batchnorm.js';
import { experiment as batchnormGradientCheck } from './batchnorm-gradient-check.js';
import { experiment as dropout } from './dropout.js';
import { experiment as hyperparameterSearch } from './hyperparameter-search.js';
import { experiment as initHistogram } from './init-histogram.js';
import { experiment as initMnist } from './init-mnist.js';
import { experiment as optimizerMnist } from './optimizer-mnist.js';
import { experiment as optimizerPaths } from './optimizer-paths.js';
import { experiment as weightDecay } from './weight-decay.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

export type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

/** In the book's order. */
export const experiments: Record<string, Experiment> = Object.fromEntries(
  [
    optimizerPaths,
    optimizerMnist,
    initHistogram,
    initMnist,
    batchnorm,
    batchnormGradientCheck,
    weightDecay,
    dropout,
    hyperparameterSearch,
  ].map((e) => [e.name, e]),
);

/** Name and title of every experiment, in the book's order. */
export function listExperiments(): { name: string; title: string }[] {
  return Object.values(experiments).map(({ name, title }) => ({ name, title }));
}

/** Runs an experiment by name; for an unknown name it rejects with a NameError that lists the known ones. */
export async function runExperiment(name: string, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  const e = Object.hasOwn(experiments, name) ? experiments[name] : undefined;
  if (!e) throw new NameError(`unknown experiment '${name}': expected one of ${Object.keys(experiments).join(', ')}`);
  return e.run(options);
}

// The page-side API of the chapter site: the section pages (site/pages/*.ts) run experiments only through
// runInWorker. Most experiments run whole in one Worker of the pool (site/pool.ts); batchnorm and the
// hyperparameter search are split over the pool's Workers (scales / trials) and merged here with the same code
// the CLI uses, so the merged figures and findings are those of a single run.
import type { ExperimentResult } from '../src/experiments/types.js';
import { getPool, type RunHandlers, type RunnerPool } from './pool.js';
import type { RunOptions } from './protocol.js';

export type { RunHandlers } from './pool.js';
export { defaultPoolSize, getPool, type PoolOptions, RunnerPool } from './pool.js';

/**
 * Runs `zerodl experiment <experiment>` in Web Workers: streams its log lines, its figures (partial ones while it
 * trains, `final` true for the figure the CLI writes) and MNIST's loading progress to `handlers`, and resolves with
 * the result (findings as the CLI checks them). Rejects with an Error named as the Worker's error class
 * (ValueError, NameError, FormatError, …), or with an AbortError once `signal` aborts.
 */
export function runInWorker(
  experiment: string,
  options: RunOptions,
  handlers: RunHandlers,
  signal?: AbortSignal,
  pool: RunnerPool = getPool(),
): Promise<ExperimentResult> {
  return pool.run(experiment, options, handlers, signal);
}

// A hyperparameter-search pool worker (bundled to dist/search-worker.js; tinypool loads it in a worker thread).
// At start it takes the split data the main thread prepared (workerData: typed arrays over SharedArrayBuffers, so
// every worker reads one copy) and loads the wasm kernels once; then each task is one trial, answered as plain JSON.
import Tinypool from 'tinypool';
import { init } from '../../backend/index.js';
import { installNode } from '../../install.node.js';
import type { TrialSpec } from './plan.js';
import { runTrial, type Trial, type TrialData, type TrialSettings } from './trial.js';

/** What the pool hands each worker once. */
export interface WorkerData {
  settings: TrialSettings;
  data: TrialData;
}

installNode();
const { settings, data } = Tinypool.workerData as WorkerData;
// The binary the CLI's ZERODL_SIMD asks for (the environment is the main thread's), so that every trial runs on it.
const simdEnv = process.env.ZERODL_SIMD;
if (settings.backend === 'wasm') await init(simdEnv === 'simd' || simdEnv === 'relaxed-simd' ? { simd: simdEnv } : {});

export default function runTask(spec: TrialSpec): Promise<Trial> {
  return runTrial(spec, settings, data);
}

// Runs trials in a tinypool of worker threads (Node only). The main thread copies the split data once into
// SharedArrayBuffers that every worker reads; each worker loads the wasm once and runs one trial per task. Results
// come back as plain JSON in whatever order the trials finish; the caller orders them by trial index.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BackendError } from '../../errors.js';
import type { TrialSpec } from './plan.js';
import type { Trial, TrialData, TrialSettings } from './trial.js';
import type { WorkerData } from './worker.node.js';

export interface PoolOptions {
  workers: number;
  /** Aborting terminates the workers (the trials they are running are lost); the promise rejects with signal.reason. */
  signal?: AbortSignal;
  /** Called as each trial comes back. */
  onTrial?: (trial: Trial) => void;
}

/**
 * The worker script: dist/search-worker.js beside the bundle file that runs this (a chunk that dist/cli.js and
 * dist/node.js share, in dist/ itself), or, when this runs from src/ (tests), the one the build wrote to dist/.
 */
export function workerFile(): string {
  for (const rel of ['./search-worker.js', '../../../dist/search-worker.js']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new BackendError('the search worker dist/search-worker.js is missing: run `npm run build`');
}

/** A copy of `a` over a SharedArrayBuffer: posted to a worker, it shares the memory instead of being cloned. */
function shared<A extends Float32Array | Uint8Array>(a: A): A {
  const buf = new SharedArrayBuffer(a.byteLength);
  const out = (a instanceof Float32Array ? new Float32Array(buf) : new Uint8Array(buf)) as A;
  out.set(a);
  return out;
}

export async function runTrialsInPool(
  specs: TrialSpec[],
  settings: TrialSettings,
  data: TrialData,
  options: PoolOptions,
): Promise<Trial[]> {
  const { signal, onTrial } = options;
  signal?.throwIfAborted();
  const { Tinypool } = await import('tinypool');
  signal?.throwIfAborted();
  const workerData: WorkerData = {
    settings,
    data: {
      xTrain: shared(data.xTrain),
      tTrain: shared(data.tTrain),
      xVal: shared(data.xVal),
      tVal: shared(data.tVal),
      inputSize: data.inputSize,
    },
  };
  const threads = Math.max(1, Math.min(options.workers, specs.length));
  const pool = new Tinypool({ filename: workerFile(), minThreads: threads, maxThreads: threads, workerData });
  // One abort listener for the whole pool (not one per task, as `run(task, { signal })` would add): it rejects at
  // once with the signal's reason, and `finally` terminates the workers mid-trial.
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal!.reason);
  });
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const all = Promise.all(
      specs.map(async (spec) => {
        const trial = (await pool.run(spec)) as Trial;
        onTrial?.(trial);
        return trial;
      }),
    );
    return await Promise.race([all, aborted]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
}

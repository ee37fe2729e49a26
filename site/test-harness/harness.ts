// The runner's test page (test/site/runner.test.ts drives it): window.siteRunner.run(experiment, options, poolSize)
// runs an experiment through runInWorker and a pool of that size, and collects what streams in.
import type { VegaLiteSpec } from '../../src/plot/specs.js';
import { type RunnerPool, runInWorker, RunnerPool as Pool } from '../run.js';
import type { RunOptions } from '../protocol.js';

const pools = new Map<number, RunnerPool>();
const poolOf = (size: number) => {
  let pool = pools.get(size);
  if (!pool) {
    pool = new Pool({ size, workerUrl: new URL('../chapter/runner.worker.js', import.meta.url) });
    pools.set(size, pool);
  }
  return pool;
};

interface Collected {
  figures: { name: string; spec: VegaLiteSpec; final: boolean }[];
  logs: string[];
  mnist: { loadedBytes: number; totalBytes: number; fromCache: boolean; done: boolean }[];
}

let controller: AbortController | undefined;

const siteRunner = {
  async run(experiment: string, options: RunOptions, poolSize = 1, stopAfterLogs = 0) {
    const got: Collected = { figures: [], logs: [], mnist: [] };
    controller = new AbortController();
    const c = controller;
    const t0 = performance.now();
    try {
      const result = await runInWorker(
        experiment,
        options,
        {
          onFigure: (name, spec, final) => {
            got.figures.push({ name, spec, final });
          },
          onLog: (line) => {
            got.logs.push(line);
            if (stopAfterLogs && got.logs.length >= stopAfterLogs) c.abort();
          },
          onMnist: (m) => got.mnist.push(m),
        },
        c.signal,
        poolOf(poolSize),
      );
      return { ...got, result, seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      return { ...got, error: { name: (e as Error).name, message: (e as Error).message } };
    }
  },
  stop: () => controller?.abort(),
};

(window as unknown as { siteRunner: typeof siteRunner }).siteRunner = siteRunner;

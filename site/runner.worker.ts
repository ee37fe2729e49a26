// The experiment Worker of the chapter site: runs `zerodl experiment <name>`'s very code (runExperiment) with
// MNIST loaded here once (site/mnist.ts, only for the experiments that need it) and no `out`, and streams what the
// run produces to the page (site/protocol.ts): log lines, partial and final figures, then the result. The wasm
// files sit beside this bundle (site/build.mjs copies them), where init() looks by default.
import type { MnistData } from '../src/data/mnist.node.js';
import { runExperiment } from '../src/experiments/index.js';
import type { ExperimentOptions } from '../src/experiments/types.js';
import { init } from '../src/backend/index.js';
import { loadMnistBrowser } from './mnist.js';
import type { FromRunner, ToRunner } from './protocol.js';

/** The experiments that draw nothing from MNIST. */
export const NO_MNIST = new Set(['optimizer-paths', 'init-histogram']);

const post = (m: FromRunner) => (self as unknown as Worker).postMessage(m);

let ready: Promise<void> | undefined;
let mnist: Promise<MnistData> | undefined;
const runs = new Map<number, AbortController>();

const loadMnist = () => {
  mnist ??= loadMnistBrowser(new URL('./data/', import.meta.url), (p) => post({ type: 'mnist', ...p }));
  mnist.catch(() => {
    mnist = undefined; // a failed load (network) is retried by the next run
  });
  return mnist;
};

async function run(id: number, experiment: string, options: Record<string, unknown>): Promise<void> {
  const controller = new AbortController();
  runs.set(id, controller);
  try {
    ready ??= init();
    await ready;
    const data = NO_MNIST.has(experiment) ? undefined : await loadMnist();
    controller.signal.throwIfAborted();
    const { out: _out, log: _log, signal: _signal, mnist: _mnist, onFigure: _onFigure, ...rest } = options;
    const result = await runExperiment(experiment, {
      ...(rest as ExperimentOptions),
      mnist: data,
      signal: controller.signal,
      log: (line) => post({ type: 'log', id, line }),
      onFigure: (name, spec, final) => post({ type: 'figure', id, name, spec, final }),
    });
    post({ type: 'done', id, result });
  } catch (error) {
    if (controller.signal.aborted) post({ type: 'aborted', id });
    else {
      const e = error instanceof Error ? error : new Error(String(error));
      post({ type: 'error', id, name: e.name, message: e.message });
    }
  } finally {
    runs.delete(id);
  }
}

self.addEventListener('message', (event: MessageEvent<ToRunner>) => {
  const m = event.data;
  if (m.type === 'run') void run(m.id, m.experiment, m.options);
  else if (m.type === 'stop') runs.get(m.id)?.abort();
});

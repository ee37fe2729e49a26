// A pool of experiment Workers (site/runner.worker.ts) for the chapter pages. Size: min(navigator.hardwareConcurrency,
// 4) by default — the engine's own count of logical cores (WebKit may report 4 on a 2-core machine; the runs then
// just share cores, so pass `size` to override). Each Worker loads the kernels and MNIST once and runs one
// experiment at a time; runs beyond the pool's size wait for a free Worker.
import type { ExperimentResult } from '../src/experiments/types.js';
import type { VegaLiteSpec } from '../src/plot/specs.js';
import type { FromRunner, RunOptions, ToRunner } from './protocol.js';

export interface RunHandlers {
  onFigure?(name: string, spec: VegaLiteSpec, final: boolean): void;
  onLog?(line: string): void;
  onMnist?(m: { loadedBytes: number; totalBytes: number; fromCache: boolean; done: boolean }): void;
}

export interface PoolOptions {
  /** Workers (default defaultPoolSize()). */
  size?: number;
  /** The Worker bundle (default runner.worker.js beside this bundle). */
  workerUrl?: URL | string;
}

/** min(navigator.hardwareConcurrency, 4), at least 1. */
export function defaultPoolSize(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(Number.isSafeInteger(cores) ? cores : 1, 4));
}

/** An error from the Worker, under the name of its class there (ValueError, FormatError, …). */
function workerError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

const abortError = (signal?: AbortSignal): unknown =>
  signal?.reason ?? new DOMException('the run was stopped', 'AbortError');

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class RunnerPool {
  readonly size: number;
  private readonly workerUrl: URL | string;
  private readonly slots: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private nextId = 1;

  constructor(options: PoolOptions = {}) {
    const size = options.size ?? defaultPoolSize();
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`pool size must be an integer ≥ 1, got ${size}`);
    this.size = size;
    this.workerUrl = options.workerUrl ?? new URL('./runner.worker.js', import.meta.url);
  }

  /** Runs one experiment in one Worker (waiting for a free one); rejects with an AbortError once `signal` aborts. */
  async run(
    experiment: string,
    options: RunOptions,
    handlers: RunHandlers = {},
    signal?: AbortSignal,
  ): Promise<ExperimentResult> {
    signal?.throwIfAborted();
    const slot = await this.acquire(signal);
    const id = this.nextId++;
    const { worker } = slot;
    try {
      return await new Promise<ExperimentResult>((resolve, reject) => {
        const onAbort = () => worker.postMessage({ type: 'stop', id } satisfies ToRunner);
        const onMessage = (event: MessageEvent<FromRunner>) => {
          const m = event.data;
          if (m.type === 'mnist') return handlers.onMnist?.(m);
          if (m.id !== id) return;
          if (m.type === 'log') handlers.onLog?.(m.line);
          else if (m.type === 'figure') handlers.onFigure?.(m.name, m.spec, m.final);
          else {
            worker.removeEventListener('message', onMessage);
            worker.removeEventListener('error', onError);
            signal?.removeEventListener('abort', onAbort);
            if (m.type === 'done') resolve(m.result);
            else if (m.type === 'aborted') reject(abortError(signal));
            else reject(workerError(m.name, m.message));
          }
        };
        const onError = (event: ErrorEvent) => {
          worker.removeEventListener('message', onMessage);
          signal?.removeEventListener('abort', onAbort);
          reject(workerError('Error', `the experiment Worker failed: ${event.message || 'could not load it'}`));
        };
        worker.addEventListener('message', onMessage);
        worker.addEventListener('error', onError);
        signal?.addEventListener('abort', onAbort, { once: true });
        worker.postMessage({ type: 'run', id, experiment, options } satisfies ToRunner);
      });
    } finally {
      this.release(slot);
    }
  }

  /** Ends every Worker (runs in flight are lost). */
  terminate(): void {
    for (const s of this.slots) s.worker.terminate();
    this.slots.length = 0;
  }

  private acquire(signal?: AbortSignal): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (this.slots.length < this.size) {
      const slot = { worker: new Worker(this.workerUrl, { type: 'module' }), busy: true };
      this.slots.push(slot);
      return Promise.resolve(slot);
    }
    return new Promise((resolve, reject) => {
      const take = (slot: Slot) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(slot);
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }
}

let shared: RunnerPool | undefined;

/** The page's pool, made on first use (with `options` then; later calls return the same pool). */
export function getPool(options?: PoolOptions): RunnerPool {
  shared ??= new RunnerPool(options);
  return shared;
}

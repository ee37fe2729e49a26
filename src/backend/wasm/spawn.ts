// Starting kernel threads: a factory that runs the thread's source (thread-main.ts) as a Node worker_thread (the
// Node entry installs one with `setThreadFactory`; failing that, `process.getBuiltinModule('worker_threads')`) or
// as a browser Web Worker from a Blob URL, and why an engine cannot run them at all.
import { threadScript } from './thread-main.js';

/** Starts a kernel thread (Node: worker_threads on an eval'd script; browsers: a Worker from a Blob URL). */
export type ThreadFactory = () => ThreadHandle;
export interface ThreadHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

let installed: ThreadFactory | undefined;

/** Installs how threads are started; the Node entry registers worker_threads. */
export function setThreadFactory(factory: ThreadFactory): void {
  installed = factory;
}

interface NodeWorkerThreads {
  Worker: new (code: string, options: { eval: true }) => ThreadHandle & { unref(): void };
}

/** How this engine starts a kernel thread: the installed factory, else Node's worker_threads or a Web Worker. */
export function threadFactory(): ThreadFactory | undefined {
  if (installed) return installed;
  const p = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (p?.versions?.node) {
    const wt = p.getBuiltinModule?.('worker_threads') as NodeWorkerThreads | undefined;
    if (!wt) return undefined;
    return () => {
      const w = new wt.Worker(threadScript("process.getBuiltinModule('worker_threads').parentPort"), { eval: true });
      w.unref(); // kernel threads never keep a process alive
      return w;
    };
  }
  const W = (globalThis as { Worker?: new (url: string) => ThreadHandle }).Worker;
  if (!W) return undefined;
  return () => {
    const url = URL.createObjectURL(new Blob([threadScript()], { type: 'text/javascript' }));
    try {
      return new W(url);
    } finally {
      URL.revokeObjectURL(url);
    }
  };
}

/**
 * Why this engine cannot run kernel threads, or undefined if it can. Browsers need cross-origin isolation
 * (COOP/COEP headers) for shared memory.
 */
export function threadsUnavailable(): string | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (g.crossOriginIsolated === false) {
    return 'this page is not cross-origin isolated, so it has no shared memory; serve it with the headers ' +
      '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp"';
  }
  if (typeof g.SharedArrayBuffer !== 'function') return 'this engine has no SharedArrayBuffer';
  if (!threadFactory()) return 'this engine cannot start workers (no Worker, no worker_threads)';
  return undefined;
}

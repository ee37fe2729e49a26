// Starting kernel threads, one way per kind of engine: the thread's source (thread-main.ts) as a Node worker_thread
// (src/host.ts: installNode()'s worker_threads, or process.getBuiltinModule's in the neutral build) or as a browser
// Web Worker from a Blob URL; and why an engine cannot run them at all.
import { nodeHost, nodeProcess } from '../../host.js';
import { threadScript } from './thread-main.js';

/** Starts a kernel thread (Node: worker_threads on an eval'd script; browsers: a Worker from a Blob URL). */
export type ThreadFactory = () => ThreadHandle;
export interface ThreadHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** How this engine starts a kernel thread: Node's worker_threads, or a Web Worker. */
export function threadFactory(): ThreadFactory | undefined {
  // In Node the thread finds its port by process.getBuiltinModule too (Node ≥ 20.16, Bun, Deno), so the script names
  // neither `node:` nor `require(` (browser bundles carry it).
  const NodeWorker = nodeHost()?.Worker;
  if (NodeWorker) {
    return () => {
      const w = new NodeWorker(threadScript("process.getBuiltinModule('worker_threads').parentPort"), { eval: true });
      w.unref(); // kernel threads never keep a process alive
      return w;
    };
  }
  if (nodeProcess()) return undefined;
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
    return (
      'this page is not cross-origin isolated, so it has no shared memory; serve it with the headers ' +
      '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp"'
    );
  }
  if (typeof g.SharedArrayBuffer !== 'function') return 'this engine has no SharedArrayBuffer';
  if (!threadFactory()) return 'this engine cannot start workers (no Worker, no worker_threads)';
  return undefined;
}

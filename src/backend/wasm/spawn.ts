// Starting kernel threads, one way per kind of engine: the thread's source (thread-main.ts) as a Node worker_thread
// (src/host.ts: installNode()'s worker_threads, or process.getBuiltinModule's in the neutral build) or as a browser
// Web Worker; and why an engine cannot run them at all.
//
// A browser thread starts from the script file zerodl-thread.js beside the bundle (spawn-url.ts), so a page's
// Content-Security-Policy needs only `worker-src 'self'`; where the file is not there (the zerodl/inline entry, which
// serves no files; an app whose bundler did not copy it; a module loaded from a data: URL) it starts from a Blob URL
// of the same text. A thread from the file posts THREAD_LOADED first; any error before that means the file did not
// load (a 404, or a server answering with an HTML page), and the thread is started again from a Blob URL, sent the
// same messages. (Issue 12, Firefox ESR 153 now and then never returning from `new Worker(…)` inside a Worker, is
// not about Blob URLs: probed 2026-12-02, 3 hangs in 1,000 runs from a Blob URL and 1 in 1,000 from the file, every
// one inside that constructor.)
import { nodeHost, nodeProcess } from '../../host.js';
import { threadScriptUrl } from './spawn-url.js';
import { THREAD_LOADED, threadScript } from './thread-main.js';

/** Starts a kernel thread (Node: worker_threads on an eval'd script; browsers: a Worker from zerodl-thread.js). */
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
  const W = (globalThis as { Worker?: BrowserWorker }).Worker;
  if (!W) return undefined;
  const file = threadScriptUrl();
  return file ? () => fileThread(W, file) : () => blobThread(W);
}

type BrowserWorker = new (
  url: string | URL,
) => ThreadHandle & {
  addEventListener(type: 'message' | 'error', f: (e: { data?: unknown; preventDefault(): void }) => void): void;
};

/** A thread from a Blob URL of the thread's text (revoked once the Worker has it: the engine fetches it at start). */
function blobThread(W: BrowserWorker): ThreadHandle {
  const url = URL.createObjectURL(new Blob([threadScript()], { type: 'text/javascript' }));
  try {
    return new W(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A thread from the script file, which becomes a Blob URL thread (sent the same messages) if the file fails to load. */
function fileThread(W: BrowserWorker, file: URL): ThreadHandle {
  const sent: unknown[] = [];
  let loaded = false;
  let ended = false;
  let worker: ThreadHandle = new W(file);
  const first = worker as InstanceType<BrowserWorker>;
  first.addEventListener('message', (e) => {
    if (e.data !== THREAD_LOADED) return;
    loaded = true;
    sent.length = 0;
  });
  first.addEventListener('error', (e) => {
    if (loaded || ended || worker !== first) return;
    e.preventDefault(); // handled: the engine need not report the missing file as an uncaught error
    first.terminate();
    worker = blobThread(W);
    for (const message of sent) worker.postMessage(message);
  });
  return {
    postMessage(message: unknown): void {
      if (!loaded && worker === first) sent.push(message); // kept only while the file thread may still be replaced
      worker.postMessage(message);
    },
    terminate(): unknown {
      ended = true;
      return worker.terminate();
    },
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

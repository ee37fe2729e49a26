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
// one inside that constructor. Its way out is thread-host.ts: the page starts a Worker's kernel threads.)
import { nodeHost, nodeProcess } from '../../host.js';
import { threadScriptUrl } from './spawn-url.js';
import { THREAD_LOADED, threadScript } from './thread-main.js';

/** Starts a kernel thread (Node: worker_threads on an eval'd script; browsers: a Worker from zerodl-thread.js). */
export type ThreadFactory = () => ThreadHandle;
export interface ThreadHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Threads started by someone else (thread-host.ts: a page's ThreadHost, for `init({ threadHost })`). */
export interface ThreadSpawner {
  start: ThreadFactory;
  /** Why the threads cannot start, once the one starting them said so (the pool then fails at once). */
  refused(): string | undefined;
  /** What to tell when the threads did not start in time (who was asked, and what to check). */
  late(): string;
}

/**
 * How this engine starts a kernel thread: Node's worker_threads, or a Web Worker. `failed` (browsers) hears of a
 * thread that could not start after its constructor returned: neither its file nor its Blob URL loaded (a
 * Content-Security-Policy's worker-src may forbid both), or the Blob URL constructor threw.
 */
export function threadFactory(failed?: (error: unknown) => void): ThreadFactory | undefined {
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
  return file ? () => fileThread(W, file, failed) : () => blobThread(W, failed);
}

type BrowserWorker = new (
  url: string | URL,
) => ThreadHandle & {
  addEventListener(
    type: 'message' | 'error',
    f: (e: { data?: unknown; message?: string; preventDefault(): void }) => void,
  ): void;
};

/**
 * A thread from a Blob URL of the thread's text (revoked once the Worker has it: the engine fetches it at start).
 * With `failed`, an error before the thread's script ran is reported there.
 */
function blobThread(W: BrowserWorker, failed?: (error: unknown) => void, fromFile = false): ThreadHandle {
  const url = URL.createObjectURL(new Blob([threadScript()], { type: 'text/javascript' }));
  let worker: InstanceType<BrowserWorker>;
  try {
    worker = new W(url);
  } finally {
    URL.revokeObjectURL(url);
  }
  if (failed) {
    let loaded = false;
    worker.addEventListener('message', (e) => {
      if (e.data === THREAD_LOADED) loaded = true;
    });
    worker.addEventListener('error', (e) => {
      if (loaded) return;
      e.preventDefault();
      const what = fromFile ? 'loaded neither from its file nor from a Blob URL' : 'did not load from a Blob URL';
      failed(new Error(e.message || `the kernel thread's script ${what}`));
    });
  }
  return worker;
}

/** A thread from the script file, which becomes a Blob URL thread (sent the same messages) if the file fails to load. */
function fileThread(W: BrowserWorker, file: URL, failed?: (error: unknown) => void): ThreadHandle {
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
    try {
      worker = blobThread(W, failed, true);
    } catch (error) {
      if (!failed) throw error;
      failed(error);
      return;
    }
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
 * (COOP/COEP headers) for shared memory. `hosted`: another thread starts them (init's threadHost), so this one
 * needs no Worker of its own.
 */
export function threadsUnavailable(hosted = false): string | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (g.crossOriginIsolated === false) {
    return (
      'this page is not cross-origin isolated, so it has no shared memory; serve it with the headers ' +
      '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp"'
    );
  }
  if (typeof g.SharedArrayBuffer !== 'function') return 'this engine has no SharedArrayBuffer';
  if (!hosted && !threadFactory()) return 'this engine cannot start workers (no Worker, no worker_threads)';
  return undefined;
}

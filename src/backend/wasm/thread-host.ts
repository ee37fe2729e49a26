// Kernel threads that the page starts for a Worker (issue 12). Firefox ESR 153 now and then never returns from
// `new Worker(…)` called inside a Worker (1–3 runs in 1,000; scripts/probes/firefox-nested-worker/), and no deadline
// in zerodl can bound a call that never returns: the Worker answers nothing after it. A page's own `new Worker` has
// no such hang, so a Worker that trains can have the page start its kernel threads: `hostThreads()` on the page
// keeps one end of a MessageChannel, the Worker gets the other and calls `init({ threads, threadHost: port })`.
//
// Per thread the Worker's pool sends a start request with the thread's ThreadInit (the compiled module, the shared
// memory and the control block, all postable within one cross-origin-isolated agent cluster); the page starts the
// thread the way spawn.ts does (zerodl-thread.js, else a Blob URL; worker_threads in Node) and forwards the message,
// or answers why it cannot (a Content-Security-Policy forbidding workers, a closed host). The pool's protocol is
// unchanged: only who calls `new Worker` differs, so results are the same bits as one thread.
//
// Lifetime. The Worker's pool holds a Web Lock with a name of its own while it runs; the page asks for that lock and
// ends the threads when it is granted, that is when the pool closed or the Worker is gone (terminated, closed or
// crashed: a gone Worker's locks are released). Where navigator.locks is absent (Node) the pool's terminate
// messages and host.close() end them. host.close() first sets GONE in each pool's control block, which the pool
// reads before every kernel call and while it waits for a job (pool.ts): it goes on on one thread, or throws a
// dead thread's BackendError if the threads held chunks of a job.
import { BackendError, ValueError } from '../../errors.js';
import { threadFactory, threadsUnavailable, type ThreadHandle, type ThreadSpawner } from './spawn.js';
import { threadScriptUrl } from './spawn-url.js';
import type { ThreadInit } from './thread-main.js';

/** What a page's `hostThreads()` gives: the port to hand to a Worker, and the way to end its threads. */
export interface ThreadHost {
  /**
   * The end of the channel that a Worker's `init({ threads, threadHost })` takes. Transfer it to the Worker:
   * `worker.postMessage({ port: host.port }, [host.port])`. One port serves one Worker. It is the engine's
   * MessagePort: a browser's, or in Node a `worker_threads` one. Its type is MessagePort (the DOM's, in a project
   * with the DOM's types) and Node's `worker_threads` MessagePort too where Node's types are loaded, so that a
   * browser Worker and a worker_threads Worker both take it in their transfer lists.
   */
  readonly port: MessagePort & NodeWorkerPort;
  /** Kernel threads this host runs now (a pool of `init({ threads: n })` has n − 1 of them). */
  readonly threads: number;
  /** True after close(). */
  readonly closed: boolean;
  /**
   * Ends every kernel thread this host started, now. A Worker training on them goes on on one thread (a console
   * note), or gets a BackendError from the kernel call under way if the threads held part of it. Later requests on
   * the port are refused at once with a BackendError. Threads of a Worker that is terminated end by themselves
   * (where the engine has Web Locks, every browser: Node needs this call or the Worker's `init({ threads: 1 })`).
   */
  close(): void;
}

// Node's worker_threads MessagePort type where Node's types are loaded (@types/node), so that Node's
// `worker.postMessage(…, [host.port])` takes the port; in a project without them the import names nothing, an error
// the directive silences (the .d.ts must stand alone in a browser project) whose type is any, and NodeWorkerPort is
// unknown there. (The directive is a JSDoc comment, the only kind the declaration emit keeps. The any check is
// wrapped in an object: `0 extends 1 & T` on such a T makes the conditional itself any, in tsc 5.9 as in 7.)
// biome-ignore lint/suspicious/noTsIgnore: @ts-expect-error would fail where Node's types are there
/** @ts-ignore Node's port where Node's types are loaded, else nothing (any, which NodeWorkerPort makes unknown) */
type NodeWorkerPortOrAny = import('node:worker_threads').MessagePort;
type NodeWorkerPort = { port: 0 } extends { port: 1 & NodeWorkerPortOrAny } ? unknown : NodeWorkerPortOrAny;

export interface ThreadHostOptions {
  /** The most kernel threads this host runs at once (default 256); a start request past it is refused. */
  maxThreads?: number;
}

/**
 * The type of `init({ threadHost })`'s port besides `MessagePort`: the methods zerodl uses of it, which a
 * browser's MessagePort and Node's `worker_threads` one both have. It is a type only: at run time the value must
 * still be a MessagePort of the engine (a ValueError otherwise). It exists because a project with both the DOM's
 * types and Node's has two MessagePort types, and the global one (the DOM's) does not fit Node's port.
 */
export interface ThreadHostPort {
  postMessage(message: unknown): void;
  // (the listener takes any object: the DOM's and Node's EventTarget types declare listeners of their own Event)
  addEventListener(type: 'message', listener: (event: object) => void): void;
  removeEventListener(type: 'message', listener: (event: object) => void): void;
  start(): void;
}

/** What zerodl uses of a MessagePort (a browser's, or Node's worker_threads one: both have these). */
interface Port {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', f: (e: { data: unknown }) => void): void;
  removeEventListener(type: 'message', f: (e: { data: unknown }) => void): void;
  start(): void;
  /** Node: a port with a listener otherwise keeps the process (or worker_thread) alive. */
  unref?(): void;
}

/** Messages on the port. Worker → page: start (with the ThreadInit), post, terminate; page → Worker: refused. */
type ToHost =
  | { zerodl: 'start'; group: string; id: number; lock: boolean; init: ThreadInit }
  | { zerodl: 'post'; group: string; id: number; message: unknown }
  | { zerodl: 'terminate'; group: string; id: number };
type ToWorker = { zerodl: 'started'; group: string; id: number } | { zerodl: 'refused'; group: string; reason: string };

interface Locks {
  request(name: string, options: { signal?: unknown }, f: () => unknown): Promise<unknown>;
}

function webLocks(): Locks | undefined {
  return (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks;
}

/** Whether `x` is a MessagePort (the engine's class where it has one; else by its methods). */
export function isMessagePort(x: unknown): boolean {
  const MP = (globalThis as { MessagePort?: abstract new () => unknown }).MessagePort;
  if (typeof MP === 'function') return x instanceof MP;
  const p = x as Partial<Port> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.postMessage === 'function' &&
    typeof p.addEventListener === 'function' &&
    typeof p.start === 'function'
  );
}

/**
 * On the page (the main thread): starts kernel threads for a Worker. Give the Worker `host.port`; the Worker
 * passes it to `init({ threads, threadHost: port })`, and its kernel threads are then Workers of the page, not
 * nested Workers (which Firefox ESR 153 now and then hangs starting). In Node it serves a worker_thread the same
 * way, with worker_threads of the calling thread.
 */
export function hostThreads(options: ThreadHostOptions = {}): ThreadHost {
  const max = options.maxThreads ?? 256;
  if (!Number.isInteger(max) || max < 1) {
    throw new ValueError(`hostThreads: maxThreads must be a positive integer, got ${String(options.maxThreads)}`);
  }
  const Channel = (globalThis as { MessageChannel?: new () => { port1: Port; port2: MessagePort } }).MessageChannel;
  if (!Channel) throw new BackendError('hostThreads: this engine has no MessageChannel');
  const channel = new Channel();
  const port = channel.port1;
  /** The threads of each Worker pool, by the pool's name (also its lock's). */
  const groups = new Map<
    string,
    { threads: Map<number, ThreadHandle>; control: Int32Array; gone: number; abort?: AbortController }
  >();
  let count = 0;
  let closed = false;

  const end = (name: string, gone: boolean): void => {
    const g = groups.get(name);
    if (!g) return;
    groups.delete(name);
    if (gone) Atomics.store(g.control, g.gone, 1); // before the threads go: the pool must not wait for them
    count -= g.threads.size;
    for (const t of g.threads.values()) void t.terminate();
    g.abort?.abort(); // (the lock request, when the pool ended first)
  };
  const stop = (name: string, id: number): void => {
    const g = groups.get(name);
    const t = g?.threads.get(id);
    if (!g || !t) return;
    g.threads.delete(id);
    count--;
    void t.terminate();
    if (g.threads.size === 0) end(name, false);
  };

  const start = (m: Extract<ToHost, { zerodl: 'start' }>): void => {
    const refuse = (reason: string): void =>
      port.postMessage({ zerodl: 'refused', group: m.group, reason } as ToWorker);
    if (closed) {
      refuse(
        "the page's ThreadHost was closed (host.close()): make a new one with hostThreads() on the page and pass " +
          'its port, or leave out threadHost',
      );
      return;
    }
    if (count >= max) {
      refuse(`the page's ThreadHost runs ${max} kernel threads already (hostThreads({ maxThreads: ${max} }))`);
      return;
    }
    let g = groups.get(m.group);
    if (!g) {
      g = { threads: new Map(), control: new Int32Array(m.init.control), gone: m.init.layout.GONE };
      groups.set(m.group, g);
      const locks = m.lock ? webLocks() : undefined;
      if (locks) {
        // Granted once the Worker's pool lets go of it: closed, or the Worker is gone.
        g.abort = new AbortController();
        locks.request(m.group, { signal: g.abort.signal }, () => end(m.group, false)).catch(() => undefined);
      }
    }
    const group = g;
    const fail = (reason: string): void => {
      refuse(reason);
      if (group.threads.size === 0) end(m.group, false); // (nothing of this pool runs here)
    };
    let handle: ThreadHandle | undefined;
    try {
      const factory = threadFactory((error) => {
        // the thread's script did not load after all (its file and its Blob URL): tell the Worker now
        if (handle && group.threads.get(m.id) === handle) stop(m.group, m.id);
        fail(cannotStart(error));
      });
      if (!factory) {
        fail(`the page cannot start kernel threads: ${threadsUnavailable() ?? 'it has no Worker'}`);
        return;
      }
      handle = factory();
    } catch (error) {
      fail(cannotStart(error));
      return;
    }
    group.threads.set(m.id, handle);
    count++;
    handle.postMessage(m.init);
    port.postMessage({ zerodl: 'started', group: m.group, id: m.id } as ToWorker);
  };

  port.addEventListener('message', (e) => {
    const m = e.data as ToHost | null;
    if (typeof m !== 'object' || m === null || typeof m.group !== 'string') return;
    if (m.zerodl === 'start') start(m);
    else if (m.zerodl === 'post') groups.get(m.group)?.threads.get(m.id)?.postMessage(m.message);
    else if (m.zerodl === 'terminate') stop(m.group, m.id);
  });
  port.start();
  port.unref?.(); // kernel threads never keep a process alive, nor does their host

  return {
    port: channel.port2 as ThreadHost['port'], // (the engine's: a browser's MessagePort, or Node's worker_threads one)
    get threads() {
      return count;
    },
    get closed() {
      return closed;
    },
    close() {
      closed = true;
      for (const name of [...groups.keys()]) end(name, true);
    },
  };
}

/** Why the page's `new Worker` failed, and the way out (the script's own URL: this bundle's, or none for inline). */
function cannotStart(error: unknown): string {
  const e = error as { name?: string; message?: string } | null;
  const what = e?.message ? `${e.name ?? 'Error'}: ${e.message}` : String(error);
  const file = threadScriptUrl();
  return (
    `the page could not start a kernel thread (${what}). If the page has a Content-Security-Policy, its ` +
    (file
      ? `worker-src must allow the threads' script ${file.href} ('self' covers it when it is served with the ` +
        'page), or blob: where that file is not served'
      : 'worker-src must allow blob: (this build starts its threads from Blob URLs)')
  );
}

/** A name no other pool has (the Web Lock's, and the pool's on the port). */
function uniqueName(): string {
  const c = (globalThis as { crypto?: { randomUUID?(): string } }).crypto;
  return `zerodl-threads-${c?.randomUUID ? c.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`}`;
}

/** Holds a Web Lock until the function it resolves to is called; undefined where the lock cannot be had. */
function hold(locks: Locks, name: string): Promise<(() => void) | undefined> {
  return new Promise((held) => {
    locks.request(name, {}, () => new Promise<void>((release) => held(() => release()))).catch(() => held(undefined));
  });
}

/**
 * In the Worker: the threads of one pool, started by the page's ThreadHost at the other end of `port`. Resolves
 * once the pool's Web Lock is held (before any request names it, so the page never gets it early).
 */
export async function hostedThreads(port: MessagePort | ThreadHostPort): Promise<ThreadSpawner> {
  const p = port as unknown as Port;
  const group = uniqueName();
  const locks = webLocks();
  const release = locks ? await hold(locks, group) : undefined;
  let refusal: string | undefined;
  let answered = false;
  const listener = (e: { data: unknown }): void => {
    const m = e.data as ToWorker | null;
    if (typeof m !== 'object' || m === null || m.group !== group) return;
    answered = true;
    if (m.zerodl === 'refused') refusal ??= m.reason;
  };
  p.addEventListener('message', listener);
  p.start();
  p.unref?.();
  let next = 0,
    live = 0;
  return {
    start(): ThreadHandle {
      const id = next++;
      let sent = false,
        ended = false;
      live++;
      return {
        postMessage(message: unknown): void {
          if (ended) return;
          if (sent) {
            p.postMessage({ zerodl: 'post', group, id, message } as ToHost);
            return;
          }
          sent = true;
          p.postMessage({ zerodl: 'start', group, id, lock: release !== undefined, init: message } as ToHost);
        },
        terminate(): void {
          if (ended) return;
          ended = true;
          p.postMessage({ zerodl: 'terminate', group, id } as ToHost);
          if (--live === 0) {
            // the pool is closed: let the page have the lock (it ends whatever is left) and stop listening
            p.removeEventListener('message', listener);
            release?.();
          }
        },
      };
    },
    refused: () => (refusal === undefined ? undefined : `the page's ThreadHost refused: ${refusal}`),
    late: () =>
      answered
        ? "the page's ThreadHost started them, but they did not run"
        : 'nobody answered on the threadHost port. On the page, make it with hostThreads() and transfer host.port ' +
          'to this Worker (worker.postMessage({ port: host.port }, [host.port])); or leave out threadHost',
  };
}

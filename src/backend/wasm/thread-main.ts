// The code of one kernel thread. Browsers load it as a script file of its own, dist/zerodl-thread.js (built from
// thread-entry.ts, found by spawn-url.ts), or, where that file cannot be found, as a string in a Blob URL; Node runs
// the string with `new Worker(code, { eval: true })`. `threadMain` must stay self-contained (no imports, no names
// from this module): the string is its own text.
//
// A thread gets one message: the compiled module, the shared memory, the control block and its gemm scratch. It
// instantiates the module on that memory and then loops, never returning to its event loop: wait for the job
// number to change (polling at most POLL_US first, then `Atomics.wait`), take chunks of the job from the shared
// counter until none are left, counting each finished chunk. The layout of the control block is `CTL` of pool.ts,
// sent with the message. spawn.ts starts threads on this script.

/** What a thread is sent once, when it starts. */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Byte offset of this thread's gemm scratch (gemm_scratch_bytes() bytes). */
  scratch: number;
  /** This thread's index among the workers: 0, 1, … */
  index: number;
  layout: Record<string, number>;
  /** Names of the elementwise kernels, indexed by a job's `fn`. */
  elementwise: readonly string[];
}

/** What a browser thread posts to its parent as soon as its script runs (spawn.ts: the script file was found). */
export const THREAD_LOADED = 'zerodl-thread-loaded';

/**
 * `port`: Node's parentPort (browsers: undefined, messages come to the worker's global onmessage, and the thread
 * first posts THREAD_LOADED's text, which is repeated here because this function's text must stand alone).
 */
export function threadMain(port?: { once(event: 'message', f: (d: ThreadInit) => void): void }): void {
  type Fn = (...args: number[]) => unknown;
  const start = (d: ThreadInit): void => {
    const k = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports as Record<string, Fn>;
    const L = d.layout;
    const ctl = new Int32Array(d.control);
    const arg = new Float64Array(d.control, L.ARGS_BYTE, L.ARG_COUNT);
    const fns = d.elementwise.map((name) => k[name]);
    const gemmPart = k.gemm_part;
    const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();
    let seen = Atomics.load(ctl, L.JOB);
    Atomics.add(ctl, L.READY, 1);
    Atomics.notify(ctl, L.READY);
    // Takes the next chunk of job `seen`, or returns −1 when it has none left or a newer job has replaced it (a
    // thread that wakes late must not run chunks of the next job with this one's arguments): NEXT holds the job's
    // tag in its high bits and the next chunk index in its low INDEX_BITS.
    const take = (tag: number, count: number): number => {
      for (;;) {
        const v = Atomics.load(ctl, L.NEXT);
        const i = v & L.INDEX_MASK;
        if ((v & ~L.INDEX_MASK) !== tag || i >= count) return -1;
        if (Atomics.compareExchange(ctl, L.NEXT, v, v + 1) === v) return i;
      }
    };
    const finish = (count: number): void => {
      if (Atomics.add(ctl, L.DONE, 1) + 1 === count) Atomics.notify(ctl, L.DONE);
    };
    let worked = 0; // ms this thread spent on its chunks of the last job it took part in
    for (;;) {
      if (Atomics.load(ctl, L.JOB) === seen) {
        const t0 = now();
        // Poll about as long as this thread's share of the last job took (20 µs at least, POLL_US at most): in a
        // training loop the next job comes sooner than that; on a busy machine polling would take a core from
        // the caller or another process, so a thread that got little to do sleeps soon.
        const spin = Math.min(Atomics.load(ctl, L.POLL_US) / 1000, Math.max(0.02, worked));
        while (Atomics.load(ctl, L.JOB) === seen && now() - t0 < spin) {
          /* poll */
        }
        // (bounded, as every wait: an idle thread re-checks once a second)
        while (Atomics.load(ctl, L.JOB) === seen) Atomics.wait(ctl, L.JOB, seen, 1000);
      }
      // JOB is a sequence lock: odd while the caller writes a job's fields, even once published. Read the fields,
      // then check that JOB did not move meanwhile; else they may be half of the next job's.
      const job = Atomics.load(ctl, L.JOB);
      if ((job & 1) !== 0) continue;
      if (Atomics.load(ctl, L.QUIT) !== 0) return;
      const op = ctl[L.OP],
        count = ctl[L.COUNT],
        size = ctl[L.SIZE],
        dim = ctl[L.DIM],
        fn = ctl[L.FN];
      const a0 = arg[0],
        a1 = arg[1],
        a2 = arg[2],
        a3 = arg[3],
        a4 = arg[4],
        a5 = arg[5],
        a6 = arg[6],
        a7 = arg[7];
      const a8 = arg[8];
      if (Atomics.load(ctl, L.JOB) !== job) continue;
      seen = job;
      if (d.index >= ctl[L.WORKERS]) continue;
      const tag = (((job >>> 1) & L.JOB_MASK) << L.INDEX_BITS) | 0;
      const started = now();
      let i: number,
        taken = 0;
      if (op === L.OP_GEMM) {
        const M = a3,
          N = a4,
          rows = dim === 1;
        while ((i = take(tag, count)) >= 0) {
          if (Atomics.load(ctl, L.DIE) === d.index + 1) return; // tests: a thread that dies holding a chunk
          const lo = i * size,
            hi = Math.min(lo + size, rows ? M : N);
          try {
            gemmPart(
              a0,
              a1,
              a2,
              M,
              N,
              a5,
              a6,
              a7,
              a8,
              rows ? lo : 0,
              rows ? hi : M,
              rows ? 0 : lo,
              rows ? N : hi,
              d.scratch,
            );
          } catch {
            Atomics.store(ctl, L.FAILED, 1); // a wasm trap: the caller throws once every chunk is accounted for
          }
          taken++;
          finish(count);
        }
      } else if (op === L.OP_ELEMENTWISE) {
        const f = fns[fn],
          n = a4,
          pointers = dim,
          p0 = a0,
          p1 = a1,
          p2 = a2,
          p3 = a3,
          s0 = a5,
          s1 = a6,
          s2 = a7;
        while ((i = take(tag, count)) >= 0) {
          if (Atomics.load(ctl, L.DIE) === d.index + 1) return;
          const lo = i * size,
            len = Math.min(size, n - lo),
            o = 4 * lo;
          // (pointers…, n, scalars…): each pointer moves to element lo
          try {
            if (pointers === 2) f(p0 + o, p1 + o, len, s0, s1, s2);
            else if (pointers === 3) f(p0 + o, p1 + o, p2 + o, len, s0, s1, s2);
            else f(p0 + o, p1 + o, p2 + o, p3 + o, len, s0, s1, s2);
          } catch {
            Atomics.store(ctl, L.FAILED, 1);
          }
          taken++;
          finish(count);
        }
      }
      if (taken > 0) Atomics.add(ctl, L.TAKEN, taken);
      worked = taken > 0 ? now() - started : 0;
    }
  };
  if (port) {
    port.once('message', start);
  } else {
    const g = globalThis as unknown as { onmessage: unknown; postMessage(m: unknown): void };
    g.onmessage = (e: MessageEvent<ThreadInit>) => {
      g.onmessage = null;
      start(e.data);
    };
    g.postMessage('zerodl-thread-loaded');
  }
}

/**
 * The thread's script: a classic script for a browser worker, or with `port` (an expression for Node's
 * worker_threads parentPort, which the Node side supplies so that browser bundles never name a Node module)
 * an eval'd Node worker.
 */
export function threadScript(port?: string): string {
  return `(${threadMain.toString()})(${port ?? ''});\n`;
}

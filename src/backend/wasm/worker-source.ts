// The code of one kernel thread, as a string: Node runs it with `new Worker(code, { eval: true })`, browsers from a
// Blob URL, so that no separate worker file has to be found, served or bundled. It must stay self-contained (no
// imports, no names from this module): only `threadMain`'s own text is shipped.
//
// A thread gets one message: the compiled module, the shared memory, the control block and its gemm scratch. It
// instantiates the module on that memory and then loops, never returning to its event loop: wait for the job
// number to change (spinning `spinMs` first, then `Atomics.wait`), take chunks of the job from the shared counter
// until none are left, report done. The layout of the control block is `CTL` of threads.ts, sent with the message.

/** What a thread is sent once, when it starts. */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Byte offset of this thread's gemm scratch (gemm_scratch_bytes() bytes). */
  scratch: number;
  /** This thread's index among the workers: 0, 1, … */
  index: number;
  /** How long a thread keeps polling for the next job before it sleeps, in ms. */
  spinMs: number;
  layout: Record<string, number>;
  /** Names of the elementwise kernels, indexed by a job's `fn`. */
  elementwise: readonly string[];
}

/** `port`: Node's parentPort (browsers: undefined, messages come to the worker's global onmessage). */
function threadMain(port?: { once(event: 'message', f: (d: ThreadInit) => void): void }): void {
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
    for (;;) {
      if (Atomics.load(ctl, L.JOB) === seen) {
        const t0 = now();
        while (Atomics.load(ctl, L.JOB) === seen && now() - t0 < d.spinMs) { /* poll */ }
        while (Atomics.load(ctl, L.JOB) === seen) Atomics.wait(ctl, L.JOB, seen);
      }
      seen = Atomics.load(ctl, L.JOB);
      if (Atomics.load(ctl, L.QUIT) !== 0) return;
      const op = ctl[L.OP];
      if (d.index < ctl[L.WORKERS]) {
        const count = ctl[L.COUNT], size = ctl[L.SIZE];
        let i: number, taken = 0;
        if (op === L.OP_GEMM) {
          const M = arg[3], N = arg[4], rows = ctl[L.DIM] === 1;
          while ((i = Atomics.add(ctl, L.NEXT, 1)) < count) {
            const lo = i * size, hi = Math.min(lo + size, rows ? M : N);
            gemmPart(arg[0], arg[1], arg[2], M, N, arg[5], arg[6], arg[7], arg[8],
              rows ? lo : 0, rows ? hi : M, rows ? 0 : lo, rows ? N : hi, d.scratch);
            taken++;
          }
        } else if (op === L.OP_ELEMENTWISE) {
          const f = fns[ctl[L.FN]], n = arg[L.ARG_N], pointers = ctl[L.DIM];
          while ((i = Atomics.add(ctl, L.NEXT, 1)) < count) {
            const lo = i * size, len = Math.min(size, n - lo), o = 4 * lo;
            // (pointers…, n, scalars…): each pointer moves to element lo
            if (pointers === 2) f(arg[0] + o, arg[1] + o, len, arg[5], arg[6], arg[7]);
            else if (pointers === 3) f(arg[0] + o, arg[1] + o, arg[2] + o, len, arg[5], arg[6], arg[7]);
            else f(arg[0] + o, arg[1] + o, arg[2] + o, arg[3] + o, len, arg[5], arg[6], arg[7]);
            taken++;
          }
        }
        if (taken > 0) Atomics.add(ctl, L.TAKEN, taken);
      }
      Atomics.add(ctl, L.DONE, 1);
      Atomics.notify(ctl, L.DONE);
    }
  };
  if (port) {
    port.once('message', start);
  } else {
    const g = globalThis as unknown as { onmessage: unknown };
    g.onmessage = (e: MessageEvent<ThreadInit>) => {
      g.onmessage = null;
      start(e.data);
    };
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

// Multi-core kernels: one shared wasm memory for the process (or page), the main thread's instance on it, and a
// pool of kernel threads (Node worker_threads or Web Workers) with an instance each on the same memory.
//
// A parallel kernel call is one *job*: the caller writes the arguments into the control block, bumps the job
// number and wakes the threads; then every participant, the caller included, takes chunks (rows or columns of a
// gemm's C, runs of an elementwise kernel) from a shared counter until none are left, and the caller waits until
// every chunk is finished. It never waits for a thread that has not taken a chunk: one that is asleep or
// descheduled (another process on the core) costs nothing, the caller does its share; a thread that wakes after
// its job is over finds the counter tagged with a newer job and takes nothing. After a job, threads poll for the
// next about as long as their share of the last one took (≤ 2 ms) before sleeping in `Atomics.wait`, so in a
// training loop they are awake for the next job (a round trip costs ~1 µs then, ~10–30 µs from sleep), while on a
// busy machine they do not take a core from other work by polling. Measured on 2 cores, 784-100x4-10 net: 1.64x
// one thread when quiet, 1.07x with another process hogging a core (polling 2 ms always: 1.65x and 0.56x).
//
// No wait is unbounded. A thread that takes a chunk and never finishes it (it exited, was killed, or hangs) would
// keep the caller waiting forever, so the caller gives up when the count of finished chunks has not moved for
// `stallMs` (2 s; longer for jobs whose chunks take the caller longer): it shuts the pool down and throws a
// BackendError, and backends go on on one thread (a later `init({ threads })` starts new threads). The same code
// runs in Node worker_threads and in browsers' Web Workers; a browser's main thread cannot block, it polls.
//
// Results are bit-identical to one thread: a gemm chunk is a block of C computed with the same K blocking and
// summation order as the whole (see assembly/gemm.ts), and elementwise kernels have no order to change.
// Reductions (bias/BatchNorm gradients, loss, accuracy) and dropout's random stream stay on the calling thread.
import { BackendError } from '../../errors.js';
import { nodeHost, nodeProcess } from '../../host.js';
import { align, describeBytes, PAGE, tooLarge } from './limits.js';
import { threadScript, type ThreadInit } from './worker-source.js';

/** Control block: Int32 slots, then Float64 arguments. Sent to the threads, which read it by name. */
export const CTL = {
  JOB: 0, DONE: 1, QUIT: 2, OP: 3, NEXT: 4, COUNT: 5, SIZE: 6, DIM: 7, FN: 8, WORKERS: 9, READY: 10, TAKEN: 11,
  SPIN_US: 12, FAILED: 13,
  /** Tests only: the worker with index DIE − 1 stops (returns) right after taking its next chunk, holding it. */
  DIE: 14,
  OP_GEMM: 1, OP_ELEMENTWISE: 2,
  /**
   * JOB counts by two: odd while the caller writes a job, even when it is published (a sequence lock).
   * NEXT = ((JOB / 2) mod 2^20) << INDEX_BITS | next chunk index; a job has fewer than 2^INDEX_BITS chunks.
   */
  INDEX_BITS: 12, INDEX_MASK: 0xfff, JOB_MASK: 0xfffff,
  ARGS_BYTE: 64, ARG_COUNT: 12,
} as const;
const CONTROL_BYTES = CTL.ARGS_BYTE + 8 * CTL.ARG_COUNT;

/**
 * Elementwise kernels that may be split: (pointers…, n, scalars…) with every pointer indexed by the same element.
 * The value is the number of pointer arguments.
 */
export const ELEMENTWISE = {
  relu_forward: 2, relu_backward: 3, sigmoid_forward: 2, sigmoid_backward: 3,
  dropout_forward_infer: 2, dropout_backward: 3,
  sgd_update: 2, momentum_update: 3, nesterov_update: 3, adagrad_update: 3, rmsprop_update: 3, adam_update: 4,
  weight_decay_backward: 2,
} as const;
export type ElementwiseKernel = keyof typeof ELEMENTWISE;
const ELEMENTWISE_NAMES = Object.keys(ELEMENTWISE) as ElementwiseKernel[];
const ELEMENTWISE_INDEX = Object.fromEntries(ELEMENTWISE_NAMES.map((name, i) => [name, i])) as
  Record<ElementwiseKernel, number>;

/** Split a gemm when it has at least this many multiply-adds (M·N·K); below it a round trip costs more than it saves. */
export const GEMM_SPLIT_MIN = 1 << 18;
/** Rows or columns of C below which a gemm block is not split further (see ThreadPool.gemm). */
export const CHUNK_MIN = 64;
/** Split an elementwise kernel from this many elements. */
export const ELEMENTWISE_SPLIT_MIN = 1 << 15;
/**
 * How long (ms) the caller waits for chunks without any finishing before it declares a thread dead: at least this,
 * or 50 times the caller's own time per chunk of the job when that is longer (a huge gemm on a busy machine).
 */
export const STALL_MS = 2000;

/** Starts a kernel thread (Node: worker_threads on an eval'd script; browsers: a Worker from a Blob URL). */
export type ThreadFactory = () => ThreadHandle;
export interface ThreadHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

function defaultFactory(): ThreadFactory | undefined {
  // Node (src/host.ts: installNode()'s worker_threads, or process.getBuiltinModule's in the neutral build), one way
  // in both: the thread finds its port by process.getBuiltinModule too (Node ≥ 20.16, Bun, Deno), so the script
  // names neither `node:` nor `require(` (browser bundles carry it).
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
    return 'this page is not cross-origin isolated, so it has no shared memory; serve it with the headers ' +
      '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp"';
  }
  if (typeof g.SharedArrayBuffer !== 'function') return 'this engine has no SharedArrayBuffer';
  if (!defaultFactory()) return 'this engine cannot start workers (no Worker, no worker_threads)';
  return undefined;
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

type Fn = (...args: number[]) => unknown;

/** A backend's blocks, while the heap tracks them (see SharedHeap.track). */
interface Tracked {
  blocks: [number, number][];
}

/**
 * The shared memory, the main thread's instance on it, and its allocator. Sizes are float64 (limits.ts) and
 * checked against the memory's maximum before anything moves: a block that does not fit is a MemoryError with the
 * bump pointer, the free list and every block as they were.
 */
export class SharedHeap {
  readonly memory: WebAssembly.Memory;
  readonly exports: Record<string, unknown>;
  /** Bytes the memory may grow to (its maximum pages). */
  readonly limit: number;
  private top: number;
  /** Free blocks [ptr, bytes], sorted by ptr, merged when adjacent. */
  private free: [number, number][] = [];
  /** Every SharedArrayBuffer object `memory.buffer` has been (a new one after each grow; all stay valid). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private current: ArrayBufferLike;
  readonly scratchBytes: number;
  /** The blocks of every live (not disposed, not yet finalized) backend, by its block list. */
  private readonly tracked = new Map<[number, number][], Tracked>();
  /** Returns a GC'd backend's blocks to the heap. */
  private readonly released = new FinalizationRegistry<Tracked>((t) => this.untrackEntry(t));

  constructor(readonly module: WebAssembly.Module, initialPages: number, maximumPages: number) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
    this.limit = maximumPages * PAGE;
    try {
      this.exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports;
    } catch (e) {
      throw new BackendError(`the threaded kernels do not instantiate on shared memory: ${(e as Error).message}`);
    }
    this.current = this.memory.buffer;
    this.buffers.add(this.current);
    this.top = align((this.exports.heap_base as () => number)());
    this.scratchBytes = (this.exports.gemm_scratch_bytes as () => number)();
  }

  get buffer(): ArrayBufferLike {
    return this.current;
  }

  owns(buffer: ArrayBufferLike): boolean {
    return buffer === this.current || this.buffers.has(buffer);
  }

  /**
   * The block list of a backend: its blocks come back to the heap by `untrack` (dispose) or, failing that, when the
   * garbage collector finalizes the backend.
   */
  track(owner: object): [number, number][] {
    // (No WeakRef to the owner: one made in a synchronous job keeps its target alive until the job ends.)
    const t: Tracked = { blocks: [] };
    this.tracked.set(t.blocks, t);
    this.released.register(owner, t, t);
    return t.blocks;
  }

  /** Returns a backend's blocks now (dispose). */
  untrack(blocks: [number, number][]): void {
    const t = this.tracked.get(blocks);
    if (t === undefined) return;
    this.released.unregister(t);
    this.untrackEntry(t);
  }

  private untrackEntry(t: Tracked): void {
    if (!this.tracked.delete(t.blocks)) return; // already returned
    this.release(t.blocks.splice(0));
  }

  /**
   * A zero-filled block of `bytes` (16-byte aligned), reusing freed blocks first. Every block is cleared: memory
   * above the bump pointer is not necessarily fresh, since freed blocks at the top lower the pointer.
   * Throws a MemoryError, changing nothing, when it does not fit.
   */
  take(bytes: number): number {
    const requested = bytes;
    bytes = align(bytes);
    const ptr = this.fit(bytes);
    if (ptr < 0) throw this.tooLarge('alloc', requested);
    new Uint8Array(this.current, ptr, bytes).fill(0);
    return ptr;
  }

  /** First fit in the free list, else at the top (growing memory): the block's pointer, or −1 if it cannot fit. */
  private fit(bytes: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const [at, size] = this.free[i];
      if (size < bytes) continue;
      if (size === bytes) this.free.splice(i, 1);
      else this.free[i] = [at + bytes, size - bytes];
      return at;
    }
    const ptr = this.top;
    if (ptr + bytes > this.limit || !this.ensure(ptr + bytes)) return -1;
    this.top = ptr + bytes;
    return ptr;
  }

  /** Grows memory (by half again at least) so that `end` bytes fit; false if the engine refuses. */
  ensure(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end > this.limit) return false;
    if (end > have) {
      const want = Math.min(this.limit, Math.max(end, Math.floor(have * 1.5)));
      try {
        this.memory.grow(Math.ceil((want - have) / PAGE));
      } catch {
        try {
          this.memory.grow(Math.ceil((end - have) / PAGE));
        } catch (e) {
          this.refused = e;
          return false;
        }
      }
    }
    const b = this.memory.buffer;
    if (b !== this.current) {
      this.current = b;
      this.buffers.add(b);
    }
    return true;
  }
  /** Why the engine last refused to grow memory (for the error message). */
  private refused: unknown;

  /**
   * Room for `bytes` more (a net reserves what it will allocate), so that allocations of that many bytes in all
   * cannot fail: at the top (growing memory), or in one free block that large (first fit then serves every one of
   * them from it or from smaller holes before it). Throws a MemoryError, changing nothing, when neither has room.
   */
  reserve(bytes: number): void {
    bytes = align(bytes);
    if (this.free.some(([, size]) => size >= bytes)) return;
    if (!this.ensure(this.top + bytes)) throw this.tooLarge('reserve', bytes);
  }

  private tooLarge(what: string, bytes: number): Error {
    const used = this.usedBytes();
    const engine = this.top + bytes <= this.limit ? this.refused : undefined;
    const e = tooLarge(`shared wasm memory ${what}`, bytes, used, this.limit, 'the threads\' shared memory', engine);
    const holes = this.top - used, largest = this.free.reduce((m, [, b]) => Math.max(m, b), 0);
    e.message += `; ${describeBytes(holes)} are free below the top (largest block ${describeBytes(largest)}). ` +
      'Call dispose() on nets you no longer use: a dropped net\'s memory comes back only when the garbage ' +
      'collector finalizes it, which needs the event loop to run (an await), never inside a synchronous loop';
    return e;
  }

  release(blocks: [number, number][]): void {
    for (const [ptr, bytes] of blocks) {
      if (bytes === 0) continue;
      let i = 0;
      while (i < this.free.length && this.free[i][0] < ptr) i++;
      this.free.splice(i, 0, [ptr, bytes]);
      // merge with the next, then with the previous block
      if (i + 1 < this.free.length && ptr + bytes === this.free[i + 1][0]) {
        this.free[i][1] += this.free[i + 1][1];
        this.free.splice(i + 1, 1);
      }
      if (i > 0 && this.free[i - 1][0] + this.free[i - 1][1] === ptr) {
        this.free[i - 1][1] += this.free[i][1];
        this.free.splice(i, 1);
        i--;
      }
      // a free block at the top goes back to the bump pointer
      const last = this.free[this.free.length - 1];
      if (last && last[0] + last[1] === this.top) {
        this.top = last[0];
        this.free.pop();
      }
    }
  }

  /** Bytes below the bump pointer that are in use (for tests: blocks come back when backends are collected). */
  usedBytes(): number {
    return this.top - this.free.reduce((s, [, b]) => s + b, 0);
  }
}

/** Kernel threads sharing a SharedHeap's memory. */
export class ThreadPool {
  /** Threads taking part in a job, the caller included. */
  readonly size: number;
  private readonly ctl: Int32Array;
  private readonly arg: Float64Array;
  private readonly workers: ThreadHandle[] = [];
  private readonly blocking = canBlock();
  private readonly gemmPart: Fn;
  private readonly fns: Record<string, Fn>;
  private closed = false;
  /** Why the pool stopped, when a thread died (then its scratch is never handed out again). */
  private failure: string | undefined;

  /** The threads' gemm scratch blocks, returned to the heap by close(). */
  private readonly scratch: [number, number][] = [];

  /** Starts the threads; `start` waits until each has instantiated the module. */
  private constructor(private readonly heap: SharedHeap, threads: number, spinMs: number,
    private readonly stallMs: number) {
    this.size = threads;
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.ctl = new Int32Array(control);
    this.arg = new Float64Array(control, CTL.ARGS_BYTE, CTL.ARG_COUNT);
    this.gemmPart = heap.exports.gemm_part as Fn;
    this.fns = heap.exports as Record<string, Fn>;
    const factory = defaultFactory();
    if (!factory) throw new BackendError(`init({ threads: ${threads} }): ${threadsUnavailable() ?? 'no way to start threads'}`);
    for (let index = 0; index < threads - 1; index++) {
      const worker = factory();
      const scratch = heap.take(heap.scratchBytes);
      this.scratch.push([scratch, heap.scratchBytes]);
      const message: ThreadInit = {
        module: heap.module, memory: heap.memory, control, scratch, index,
        layout: CTL as unknown as Record<string, number>, elementwise: ELEMENTWISE_NAMES,
      };
      worker.postMessage(message);
      this.workers.push(worker);
    }
    this.ctl[CTL.WORKERS] = threads - 1;
    this.ctl[CTL.SPIN_US] = Math.round(spinMs * 1000);
  }

  /** A pool of `threads` participants (`threads − 1` workers), resolved when every worker is running. */
  static async start(heap: SharedHeap, threads: number, spinMs = 2, stallMs = STALL_MS): Promise<ThreadPool> {
    const pool = new ThreadPool(heap, threads, spinMs, stallMs);
    const deadline = Date.now() + 30_000;
    while (Atomics.load(pool.ctl, CTL.READY) < threads - 1) {
      if (Date.now() > deadline) {
        pool.close();
        throw new BackendError(`init({ threads: ${threads} }): the kernel threads did not start within 30 s`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    return pool;
  }

  /** Jobs posted, and chunks the worker threads (not the caller) have run, since the pool started. */
  stats(): { jobs: number; workerChunks: number } {
    return { jobs: Atomics.load(this.ctl, CTL.JOB) >>> 1, workerChunks: Atomics.load(this.ctl, CTL.TAKEN) };
  }

  get active(): boolean {
    return !this.closed;
  }

  /** Why the pool shut itself down (a thread stopped mid-job), or undefined. */
  get failed(): string | undefined {
    return this.failure;
  }

  /** Tests only: makes worker `index` stop right after it takes its next chunk (as a thread that dies mid-job). */
  stopThreadMidJobForTests(index: number): void {
    Atomics.store(this.ctl, CTL.DIE, index + 1);
  }

  /** C = op(A)·op(B) split into blocks of rows (M ≥ N) or columns, as assembly/gemm.ts's gemm. */
  gemm(c: number, a: number, b: number, M: number, N: number, K: number, tA: number, tB: number, acc: number): void {
    // Split the longer side of C: a block of rows packs all of op(B) again (K·N floats), a block of columns all of
    // op(A) (M·K), so the longer side makes fewer duplicates per block.
    const rows = M >= N;
    const length = rows ? M : N, quantum = rows ? 4 : 8;
    // One block per thread at least; up to three (for balance when a thread is slowed) while blocks stay
    // CHUNK_MIN long, since each block re-packs the shared operand.
    const count = Math.min(3 * this.size, Math.max(this.size, Math.floor(length / CHUNK_MIN)));
    const size = Math.ceil(length / count / quantum) * quantum;
    const arg = this.arg;
    arg[0] = c; arg[1] = a; arg[2] = b; arg[3] = M; arg[4] = N; arg[5] = K; arg[6] = tA; arg[7] = tB; arg[8] = acc;
    const tag = this.post(CTL.OP_GEMM, count, size, rows ? 1 : 0, 0);
    const ctl = this.ctl, gemmPart = this.gemmPart;
    const started = performance.now();
    let i: number;
    // the caller is never stale, so a plain increment serves it (the index cannot overflow: count + threads ≪ 4096)
    let error: unknown = NO_ERROR, mine = 0;
    while ((i = (Atomics.add(ctl, CTL.NEXT, 1) - tag)) < count) {
      const lo = i * size, hi = Math.min(lo + size, length);
      try {
        gemmPart(c, a, b, M, N, K, tA, tB, acc, rows ? lo : 0, rows ? hi : M, rows ? 0 : lo, rows ? N : hi, 0);
      } catch (e) {
        if (error === NO_ERROR) error = e;
      }
      Atomics.add(ctl, CTL.DONE, 1);
      mine++;
    }
    this.join(count, performance.now() - started, mine, 'gemm');
    this.check(error, 'gemm');
  }

  /**
   * An elementwise kernel (pointers…, n, up to three scalars) split into runs of elements. Pointers past the
   * kernel's own count are ignored.
   */
  elementwise(name: ElementwiseKernel, p0: number, p1: number, p2: number, p3: number, n: number,
    s0 = 0, s1 = 0, s2 = 0): void {
    const np = ELEMENTWISE[name];
    const size = Math.ceil(n / (2 * this.size) / 16) * 16; // whole 64-byte lines per chunk
    const count = Math.ceil(n / size);
    const arg = this.arg;
    arg[0] = p0; arg[1] = p1; arg[2] = p2; arg[3] = p3;
    arg[4] = n; arg[5] = s0; arg[6] = s1; arg[7] = s2;
    const tag = this.post(CTL.OP_ELEMENTWISE, count, size, np, ELEMENTWISE_INDEX[name]);
    const ctl = this.ctl, f = this.fns[name];
    const started = performance.now();
    let i: number;
    let error: unknown = NO_ERROR, mine = 0;
    while ((i = (Atomics.add(ctl, CTL.NEXT, 1) - tag)) < count) {
      const lo = i * size, len = Math.min(size, n - lo), o = 4 * lo;
      try {
        if (np === 2) f(p0 + o, p1 + o, len, s0, s1, s2);
        else if (np === 3) f(p0 + o, p1 + o, p2 + o, len, s0, s1, s2);
        else f(p0 + o, p1 + o, p2 + o, p3 + o, len, s0, s1, s2);
      } catch (e) {
        if (error === NO_ERROR) error = e;
      }
      Atomics.add(ctl, CTL.DONE, 1);
      mine++;
    }
    this.join(count, performance.now() - started, mine, name);
    this.check(error, name);
  }

  /**
   * After a job: rethrows the caller's own error (a wasm trap) or reports a thread's. Every chunk, failed or not,
   * was counted, so the pool is ready for the next job either way.
   */
  private check(error: unknown, kernel: string): void {
    const failed = Atomics.exchange(this.ctl, CTL.FAILED, 0) !== 0;
    if (error !== NO_ERROR) throw error;
    if (failed) throw new BackendError(`${kernel}: a kernel thread trapped (out-of-bounds memory?); the output is incomplete`);
  }

  /** Publishes a job; returns its tag (the value of NEXT before its first chunk is taken). */
  private post(op: number, count: number, size: number, dim: number, fn: number): number {
    const ctl = this.ctl;
    const job = Atomics.load(ctl, CTL.JOB);
    Atomics.store(ctl, CTL.JOB, job + 1); // writing: a thread reading the fields now will retry
    const next = (job + 2) | 0;
    const tag = (((next >>> 1) & CTL.JOB_MASK) << CTL.INDEX_BITS) | 0;
    ctl[CTL.OP] = op; ctl[CTL.COUNT] = count; ctl[CTL.SIZE] = size; ctl[CTL.DIM] = dim; ctl[CTL.FN] = fn;
    Atomics.store(ctl, CTL.DONE, 0);
    Atomics.store(ctl, CTL.NEXT, tag);
    Atomics.store(ctl, CTL.JOB, next); // published
    Atomics.notify(ctl, CTL.JOB);
    return tag;
  }

  /**
   * Waits until all `count` chunks are finished (polls, then sleeps where this thread may block). `worked` is the
   * caller's own time on its `mine` chunks. A thread holding a chunk that makes no progress for the stall time is
   * declared dead: the pool shuts down and this throws a BackendError.
   */
  private join(count: number, worked: number, mine: number, kernel: string): void {
    const ctl = this.ctl;
    let d = Atomics.load(ctl, CTL.DONE);
    if (d === count) return;
    const t0 = performance.now();
    // Poll about as long as the caller's own share took (20 µs at least, 1 ms at most), then sleep: a thread still
    // on its chunk after that has likely been descheduled, and sleeping hands it this core.
    const spin = Math.min(1, Math.max(0.02, worked));
    const patience = Math.max(this.stallMs, mine > 0 ? 50 * worked / mine : 0);
    let last = d, since = t0, prev = t0;
    while ((d = Atomics.load(ctl, CTL.DONE)) < count) {
      const now = performance.now();
      // A gap between two polls far beyond one 50 ms wait means this thread itself did not run (the process was
      // stopped, Ctrl-Z, or the machine slept): the threads did not either, so that time does not count.
      if (d !== last || now - prev > 500) {
        last = d;
        since = now;
      } else if (now - since > patience) {
        this.fail(`${kernel}: ${count - d} of ${count} chunks were taken by a kernel thread that made no progress ` +
          `for ${Math.round(now - since)} ms (it exited, was killed or hangs)`);
      }
      prev = now;
      if (this.blocking && now - t0 > spin) Atomics.wait(ctl, CTL.DONE, d, 50);
    }
  }

  /** Shuts the pool down after a thread died mid-job, and throws. */
  private fail(what: string): never {
    this.failure = what;
    this.close();
    throw new BackendError(`${what}: the output of this call is incomplete. The kernel threads are shut down, and ` +
      'kernels run on one thread from now on (init({ threads }) starts new threads)');
  }

  /**
   * Stops the threads (called between jobs: they are idle) and returns their scratch to the heap. Backends using
   * this pool go back to one thread.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, CTL.QUIT, 1);
    Atomics.add(this.ctl, CTL.JOB, 2);
    Atomics.notify(this.ctl, CTL.JOB);
    for (const w of this.workers) void w.terminate();
    // After a failure a stalled thread may still be writing to its scratch until terminate() takes effect: leak
    // those blocks rather than hand them to another allocation.
    if (this.failure === undefined) this.heap.release(this.scratch.splice(0));
  }

}

const NO_ERROR = Symbol('no error');

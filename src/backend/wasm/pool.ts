// Multi-core kernels: a pool of kernel threads (Node worker_threads or Web Workers, started by spawn.ts, running
// thread-main.ts), each with an instance of the module on the shared memory of heap.ts, and the job protocol.
//
// A parallel kernel call is one *job*: the caller writes the arguments into the control block, bumps the job
// number and wakes the threads; then every participant, the caller included, takes chunks (rows or columns of a
// gemm's C, runs of an elementwise kernel) from a shared counter until none are left, and the caller waits until
// every chunk is finished. It never waits for a thread that has not taken a chunk: one that is asleep or
// descheduled (another process on the core) costs nothing, the caller does its share; a thread that wakes after
// its job is over finds the counter tagged with a newer job and takes nothing. After a job, threads poll for the
// next about as long as their share of the last one took (≤ POLL_MS) before sleeping in `Atomics.wait`, so in a
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
// Threads a page started for a Worker (thread-host.ts, `init({ threadHost })`) are the same threads with another
// parent. The page may end them (ThreadHost.close()) while the Worker trains: it sets GONE in the control block
// first, so the pool stops at once, not after the stall time. Between jobs that is a fallback to one thread with
// a console note (`active` turns false); in the middle of a job it is the BackendError of a dead thread.
//
// Results are bit-identical to one thread: a gemm chunk is a block of C computed with the same K blocking and
// summation order as the whole (see assembly/gemm.ts), and elementwise kernels have no order to change.
// Reductions (bias/BatchNorm gradients, loss, accuracy) and dropout's random stream stay on the calling thread.
import { BackendError } from '../../errors.js';
import { bufferCount, ELEMENTWISE_NAMES, type ElementwiseKernel } from '../kernels.js';
import type { SharedHeap } from './heap.js';
import { threadFactory, threadsUnavailable, type ThreadHandle, type ThreadSpawner } from './spawn.js';
import type { ThreadInit } from './thread-main.js';

/** Control block: Int32 slots, then Float64 arguments. Sent to the threads, which read it by name. */
export const CTL = {
  JOB: 0,
  DONE: 1,
  QUIT: 2,
  OP: 3,
  NEXT: 4,
  COUNT: 5,
  SIZE: 6,
  DIM: 7,
  FN: 8,
  WORKERS: 9,
  READY: 10,
  TAKEN: 11,
  /** The longest an idle thread polls for the next job before it sleeps, in µs (PoolOptions.pollMs). */
  POLL_US: 12,
  FAILED: 13,
  /** Tests only: the worker with index DIE − 1 stops (returns) right after taking its next chunk, holding it. */
  DIE: 14,
  /** Set by a page's ThreadHost that has ended (or is ending) these threads: the pool shuts down at its next look. */
  GONE: 15,
  OP_GEMM: 1,
  OP_ELEMENTWISE: 2,
  /**
   * JOB counts by two: odd while the caller writes a job, even when it is published (a sequence lock).
   * NEXT = ((JOB / 2) mod 2^20) << INDEX_BITS | next chunk index; a job has fewer than 2^INDEX_BITS chunks.
   */
  INDEX_BITS: 12,
  INDEX_MASK: 0xfff,
  JOB_MASK: 0xfffff,
  ARGS_BYTE: 64,
  ARG_COUNT: 12,
} as const;
const CONTROL_BYTES = CTL.ARGS_BYTE + 8 * CTL.ARG_COUNT;

/** A job's `fn`: the index of its kernel among the elementwise kernels (the threads get the same list). */
const ELEMENTWISE_INDEX = Object.fromEntries(ELEMENTWISE_NAMES.map((name, i) => [name, i])) as Record<
  ElementwiseKernel,
  number
>;
/** How many buffers each elementwise kernel takes (2 to 4). */
const ELEMENTWISE_BUFFERS = Object.fromEntries(ELEMENTWISE_NAMES.map((name) => [name, bufferCount(name)])) as Record<
  ElementwiseKernel,
  number
>;

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
/** The longest (ms) an idle thread polls for the next job before it sleeps in Atomics.wait (see the header). */
export const POLL_MS = 2;
/** How long (ms) `start` waits for every thread to run. */
export const START_MS = 30_000;

/** How a pool waits; the defaults are what init() uses, the others serve tests. */
export interface PoolOptions {
  /** POLL_MS by default; 0 makes threads sleep after every job (tests of late wake-ups). */
  pollMs?: number;
  /** STALL_MS by default (tests of a dead thread use less). */
  stallMs?: number;
  /** START_MS by default (tests of a ThreadHost that never answers use less). */
  startMs?: number;
  /** Who starts the threads: this engine (spawn.ts's threadFactory) by default; a page's ThreadHost for threadHost. */
  spawn?: ThreadSpawner;
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
  private constructor(
    private readonly heap: SharedHeap,
    threads: number,
    pollMs: number,
    private readonly stallMs: number,
    spawn: ThreadSpawner | undefined,
  ) {
    this.size = threads;
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.ctl = new Int32Array(control);
    this.arg = new Float64Array(control, CTL.ARGS_BYTE, CTL.ARG_COUNT);
    this.gemmPart = heap.exports.gemm_part as Fn;
    this.fns = heap.exports as Record<string, Fn>;
    const factory = spawn ? spawn.start : threadFactory();
    if (!factory)
      throw new BackendError(`init({ threads: ${threads} }): ${threadsUnavailable() ?? 'no way to start threads'}`);
    for (let index = 0; index < threads - 1; index++) {
      const worker = factory();
      const scratch = heap.take(heap.scratchBytes);
      this.scratch.push([scratch, heap.scratchBytes]);
      const message: ThreadInit = {
        module: heap.module,
        memory: heap.memory,
        control,
        scratch,
        index,
        layout: CTL as unknown as Record<string, number>,
        elementwise: ELEMENTWISE_NAMES,
      };
      worker.postMessage(message);
      this.workers.push(worker);
    }
    this.ctl[CTL.WORKERS] = threads - 1;
    this.ctl[CTL.POLL_US] = Math.round(pollMs * 1000);
  }

  /** A pool of `threads` participants (`threads − 1` workers), resolved when every worker is running. */
  static async start(heap: SharedHeap, threads: number, options: PoolOptions = {}): Promise<ThreadPool> {
    const spawn = options.spawn;
    const pool = new ThreadPool(heap, threads, options.pollMs ?? POLL_MS, options.stallMs ?? STALL_MS, spawn);
    const ms = options.startMs ?? START_MS;
    const deadline = Date.now() + ms;
    while (Atomics.load(pool.ctl, CTL.READY) < threads - 1) {
      const refused = spawn?.refused();
      if (refused !== undefined) {
        pool.close();
        throw new BackendError(`init({ threads: ${threads} }): ${refused}`);
      }
      if (Date.now() > deadline) {
        pool.close();
        const late = spawn ? `: ${spawn.late()}` : '';
        throw new BackendError(
          `init({ threads: ${threads} }): the kernel threads did not start within ${ms / 1000} s${late}`,
        );
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
    if (!this.closed && Atomics.load(this.ctl, CTL.GONE) !== 0) this.lost();
    return !this.closed;
  }

  /** The page that started these threads ended them (ThreadHost.close()) between jobs: on to one thread. */
  private lost(): void {
    this.close(); // (the threads were idle: their scratch may go back to the heap)
    this.failure = "the page's ThreadHost ended the kernel threads (host.close())";
    console.warn(
      `zerodl: ${this.failure}; kernels run on one thread from now on (init({ threads, threadHost }) with a ` +
        'new hostThreads() port starts new threads)',
    );
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
    const length = rows ? M : N,
      quantum = rows ? 4 : 8;
    // One block per thread at least; up to three (for balance when a thread is slowed) while blocks stay
    // CHUNK_MIN long, since each block re-packs the shared operand.
    const count = Math.min(3 * this.size, Math.max(this.size, Math.floor(length / CHUNK_MIN)));
    const size = Math.ceil(length / count / quantum) * quantum;
    const arg = this.arg;
    arg[0] = c;
    arg[1] = a;
    arg[2] = b;
    arg[3] = M;
    arg[4] = N;
    arg[5] = K;
    arg[6] = tA;
    arg[7] = tB;
    arg[8] = acc;
    const tag = this.post(CTL.OP_GEMM, count, size, rows ? 1 : 0, 0);
    const ctl = this.ctl,
      gemmPart = this.gemmPart;
    const started = performance.now();
    let i: number;
    // the caller is never stale, so a plain increment serves it (the index cannot overflow: count + threads ≪ 4096)
    let error: unknown = NO_ERROR,
      mine = 0;
    while ((i = Atomics.add(ctl, CTL.NEXT, 1) - tag) < count) {
      const lo = i * size,
        hi = Math.min(lo + size, length);
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
  elementwise(
    name: ElementwiseKernel,
    p0: number,
    p1: number,
    p2: number,
    p3: number,
    n: number,
    s0 = 0,
    s1 = 0,
    s2 = 0,
  ): void {
    const np = ELEMENTWISE_BUFFERS[name];
    const size = Math.ceil(n / (2 * this.size) / 16) * 16; // whole 64-byte lines per chunk
    const count = Math.ceil(n / size);
    const arg = this.arg;
    arg[0] = p0;
    arg[1] = p1;
    arg[2] = p2;
    arg[3] = p3;
    arg[4] = n;
    arg[5] = s0;
    arg[6] = s1;
    arg[7] = s2;
    const tag = this.post(CTL.OP_ELEMENTWISE, count, size, np, ELEMENTWISE_INDEX[name]);
    const ctl = this.ctl,
      f = this.fns[name];
    const started = performance.now();
    let i: number;
    let error: unknown = NO_ERROR,
      mine = 0;
    while ((i = Atomics.add(ctl, CTL.NEXT, 1) - tag) < count) {
      const lo = i * size,
        len = Math.min(size, n - lo),
        o = 4 * lo;
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
    if (failed)
      throw new BackendError(`${kernel}: a kernel thread trapped (out-of-bounds memory?); the output is incomplete`);
  }

  /** Publishes a job; returns its tag (the value of NEXT before its first chunk is taken). */
  private post(op: number, count: number, size: number, dim: number, fn: number): number {
    const ctl = this.ctl;
    const job = Atomics.load(ctl, CTL.JOB);
    Atomics.store(ctl, CTL.JOB, job + 1); // writing: a thread reading the fields now will retry
    const next = (job + 2) | 0;
    const tag = (((next >>> 1) & CTL.JOB_MASK) << CTL.INDEX_BITS) | 0;
    ctl[CTL.OP] = op;
    ctl[CTL.COUNT] = count;
    ctl[CTL.SIZE] = size;
    ctl[CTL.DIM] = dim;
    ctl[CTL.FN] = fn;
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
    const patience = Math.max(this.stallMs, mine > 0 ? (50 * worked) / mine : 0);
    let last = d,
      since = t0,
      prev = t0;
    while ((d = Atomics.load(ctl, CTL.DONE)) < count) {
      const now = performance.now();
      // (the page that started the threads ended them: the chunks they hold will not finish, say so now)
      if (Atomics.load(ctl, CTL.GONE) !== 0) {
        this.fail(`${kernel}: the page's ThreadHost ended the kernel threads (host.close()) in the middle of this job`);
      }
      // A gap between two polls far beyond one 50 ms wait means this thread itself did not run (the process was
      // stopped, Ctrl-Z, or the machine slept): the threads did not either, so that time does not count.
      if (d !== last || now - prev > 500) {
        last = d;
        since = now;
      } else if (now - since > patience) {
        this.fail(
          `${kernel}: ${count - d} of ${count} chunks were taken by a kernel thread that made no progress ` +
            `for ${Math.round(now - since)} ms (it exited, was killed or hangs)`,
        );
      }
      prev = now;
      if (this.blocking && now - t0 > spin) Atomics.wait(ctl, CTL.DONE, d, 50);
    }
  }

  /** Shuts the pool down after a thread died mid-job, and throws. */
  private fail(what: string): never {
    this.failure = what;
    this.close();
    throw new BackendError(
      `${what}: the output of this call is incomplete. The kernel threads are shut down, and ` +
        'kernels run on one thread from now on (init({ threads }) starts new threads)',
    );
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

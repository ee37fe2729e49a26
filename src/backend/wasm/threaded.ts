// The `wasm` backend on the threads' shared memory: buffers are blocks of the shared heap (heap.ts), and gemms and
// large elementwise kernels are jobs of the thread pool (pool.ts), as kernels.ts lists them.
import { BackendError } from '../../errors.js';
import { bufferCount, ELEMENTWISE_NAMES, type ElementwiseKernel, type KernelName } from '../kernels.js';
import type { KernelTable } from '../types.js';
import { checkLength, WasmBackend, type View } from './backend.js';
import type { Kernels } from './bindings.js';
import type { SharedHeap } from './heap.js';
import { align } from './limits.js';
import { ELEMENTWISE_SPLIT_MIN, GEMM_SPLIT_MIN, type ThreadPool } from './pool.js';

/**
 * A wasm backend on the process-wide shared memory of `init({ threads })`: its buffers are blocks of that memory
 * (returned to it by `dispose()`, or when the backend is garbage-collected), and its gemms and large elementwise
 * kernels are split across the thread pool. Shared memory never detaches views, so `generation` stays 0 and
 * `refresh` is identity.
 */
export class ThreadedWasmBackend extends WasmBackend {
  override readonly threads: number;
  /** [ptr, bytes] of every block allocated, handed back to the heap by dispose() or when this backend is collected. */
  private readonly blocks: [number, number][];

  /**
   * `heap`: the shared memory its blocks come from (the one `init({ threads })` made, for the backends of
   * createBackend); `pool`: the threads its kernels are split across, or undefined for one thread on that memory.
   */
  constructor(
    readonly heap: SharedHeap,
    readonly pool: ThreadPool | undefined,
  ) {
    super(heap.exports as unknown as Kernels);
    this.threads = pool?.size ?? 1;
    this.blocks = heap.track(this);
    this.bindSplits();
  }

  override memoryBytes(): number {
    return this.heap.memory.buffer.byteLength;
  }

  override reserve(floats: number): void {
    checkLength(floats, 'reserve');
    this.live();
    this.heap.reserve(4 * floats);
  }

  override mark(): number {
    return this.blocks.length;
  }

  override rollback(mark: number): void {
    if (mark < this.blocks.length) this.heap.release(this.blocks.splice(mark));
  }

  /** Returns every block to the shared heap now (instead of when the garbage collector gets to it). */
  override dispose(): void {
    if (this.disposed) return;
    super.dispose();
    this.heap.untrack(this.blocks);
  }

  protected override take(n: number): number {
    checkLength(n, 'alloc');
    this.live();
    const ptr = this.heap.take(4 * n); // throws a MemoryError, changing nothing, if it does not fit
    this.blocks.push([ptr, align(4 * n)]);
    this.buf = this.heap.buffer;
    return ptr;
  }

  override refresh<T extends View>(view: T): T {
    this.live();
    if (!this.heap.owns(view.buffer))
      throw new BackendError('refresh: this buffer was not allocated by this wasm backend');
    return view;
  }

  protected override p(view: View): number {
    if (view.buffer !== this.buf && (this.disposed || !this.heap.owns(view.buffer))) {
      this.live();
      throw new BackendError('a buffer passed to a wasm kernel was not allocated by this backend (use backend.alloc)');
    }
    return view.byteOffset;
  }

  /** The pool, while it runs; kernels of a backend whose pool was closed (init({ threads: 1 })) run on one thread. */
  private split(work: number, min: number): ThreadPool | undefined {
    const pool = this.pool;
    return pool !== undefined && work >= min && pool.active ? pool : undefined;
  }

  /** Splits the gemm and the elementwise kernels (kernels.ts: split 'gemm' / 'elementwise'); the rest stay as bound. */
  private bindSplits(): void {
    const one: KernelTable = { ...this };
    const gemm = one.gemm;
    this.gemm = (c, a, b, M, N, K, transA, transB, accumulate) => {
      const pool = this.split(M * N * K, GEMM_SPLIT_MIN);
      if (pool && Math.max(M, N) >= 32) {
        pool.gemm(this.p(c), this.p(a), this.p(b), M, N, K, +transA, +transB, +accumulate);
      } else {
        gemm(c, a, b, M, N, K, transA, transB, accumulate);
      }
    };
    const self = this as unknown as Record<KernelName, unknown>;
    for (const name of ELEMENTWISE_NAMES) self[name] = this.elementwise(name, one[name] as unknown as Single);
  }

  /**
   * An elementwise kernel (buffers…, n, scalars…) split across the pool, or run by `single` on this thread when it
   * is too small to split or the pool was closed.
   */
  private elementwise(name: ElementwiseKernel, single: Single): unknown {
    const min = ELEMENTWISE_SPLIT_MIN;
    switch (bufferCount(name)) {
      case 2:
        return (a: V, b: V, n: number, s0: number, s1: number, s2: number) => {
          const pool = this.split(n, min);
          if (pool) pool.elementwise(name, this.p(a), this.p(b), 0, 0, n, s0, s1, s2);
          else single(a, b, n, s0, s1, s2);
        };
      case 3:
        return (a: V, b: V, c: V, n: number, s0: number, s1: number, s2: number) => {
          const pool = this.split(n, min);
          if (pool) pool.elementwise(name, this.p(a), this.p(b), this.p(c), 0, n, s0, s1, s2);
          else single(a, b, c, n, s0, s1, s2);
        };
      default:
        return (a: V, b: V, c: V, d: V, n: number, s0: number, s1: number, s2: number) => {
          const pool = this.split(n, min);
          if (pool) pool.elementwise(name, this.p(a), this.p(b), this.p(c), this.p(d), n, s0, s1, s2);
          else single(a, b, c, d, n, s0, s1, s2);
        };
    }
  }
}

type V = Float32Array;
type Single = (...args: (V | number)[]) => void;

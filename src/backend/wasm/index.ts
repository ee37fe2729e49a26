// The `wasm` backend: assembly/ compiled to SIMD wasm, one instance (and so one linear memory) per backend.
//
// Memory layout: [ static data of the module (gemm packing panels) | __heap_base … bump-allocated buffers ].
// Buffers are Float32Array/Int32Array views into linear memory; kernels get their byte offsets. Nothing is ever
// freed: a net allocates everything it needs once, so a training step neither allocates nor grows memory.
// If an allocation does grow memory, every earlier view is detached (its buffer is no longer memory.buffer):
// `generation` is bumped and owners re-make their views with `refresh` before the next use. A kernel given a
// detached or foreign buffer throws instead of reading the wrong bytes.
//
// Sizes are checked before anything moves (in float64, see limits.ts): an allocation that does not fit in wasm32's
// 4 GiB, or that the engine refuses, throws a MemoryError and leaves the bump pointer, the memory, `generation` and
// every view as they were. `dispose()` gives the memory up: every later use of the backend is a BackendError.
import { instantiateSync } from '@assemblyscript/loader';
import { BackendError } from '../../errors.js';
import { registerBuffer } from '../registry.js';
import { ELEMENTWISE_NAMES, bufferCount, type ElementwiseKernel, type KernelName } from '../kernels.js';
import type { Backend, KernelTable } from '../types.js';
import { bindKernels, disposedKernels, type Kernels } from './bindings.js';
import { gemmVariantIndex } from './gemm-variant.js';
import { align, PAGE, tooLarge, WASM32_MAX_BYTES } from './limits.js';
import { ELEMENTWISE_SPLIT_MIN, GEMM_SPLIT_MIN, type SharedHeap, type ThreadPool } from './threads.js';

export type { Kernels } from './bindings.js';

type View = Float32Array | Int32Array;

/** The kernels: own properties made by the constructor from src/backend/kernels.ts (see bindings.ts). */
export interface WasmBackend extends KernelTable {}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  generation = 0;
  /** Threads a kernel call may use (see ThreadedWasmBackend). */
  readonly threads: number = 1;
  /** The instance's exports; after dispose() a stand-in whose every kernel throws (the instance is let go). */
  protected k: Kernels;
  protected buf: ArrayBufferLike;
  private top: number;
  /** Set by dispose(); kernels and allocations then throw. */
  disposed = false;
  /** Byte offset and length of every view handed out, so that `refresh` can re-make it after memory grew
   * (a detached view reports offset 0 and length 0). */
  private readonly places = new WeakMap<View, { ptr: number; length: number }>();

  /** A backend on a module instance of its own (its own linear memory), or on the given instance's exports. */
  constructor(module: WebAssembly.Module | Kernels) {
    this.k = module instanceof WebAssembly.Module
      ? instantiateSync<Record<string, unknown>>(module, {}).instance.exports as unknown as Kernels
      : module;
    this.buf = this.k.memory.buffer;
    this.top = align(this.k.heap_base());
    this.k.gemm_set_variant?.(gemmVariantIndex()); // the process's gemm micro-kernel (threaded: on the shared memory)
    Object.assign(this, bindKernels(this as unknown as { p(view: View): number }, this.k));
  }

  memoryBytes(): number {
    return this.disposed ? 0 : this.k.memory.buffer.byteLength;
  }

  /** Throws a MemoryError (changing nothing) if `floats` more floats cannot fit. */
  reserve(floats: number): void {
    checkLength(floats, 'reserve');
    this.live();
    this.ensure(this.top + align(4 * floats), 4 * floats, 'reserve');
  }

  /** Where the bump pointer is: `rollback(mark())` frees what is allocated in between. */
  mark(): number {
    return this.top;
  }

  /** Frees every buffer allocated since `mark` (their views must not be used again). */
  rollback(mark: number): void {
    if (mark <= this.top) this.top = mark;
  }

  /**
   * Gives the backend's memory up: the instance (and its memory) is let go, for the garbage collector, even while
   * this object is still referenced. Every later allocation or kernel call throws a BackendError. Idempotent.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.buf = DISPOSED;
    this.k = DISPOSED_KERNELS;
    Object.assign(this, disposedKernels()); // the forwarders held the instance's exports
  }

  /** Throws if disposed (allocations check; kernels find out in p(), where the view no longer matches). */
  protected live(): void {
    if (this.disposed) throw new BackendError('this wasm backend was disposed: make a new one (or a new net)');
  }

  alloc(n: number): Float32Array {
    const ptr = this.take(n);
    const view = new Float32Array(this.buf, ptr, n);
    this.places.set(view, { ptr, length: n });
    registerBuffer(view, this);
    return view;
  }

  allocInt32(n: number): Int32Array {
    const ptr = this.take(n);
    const view = new Int32Array(this.buf, ptr, n);
    this.places.set(view, { ptr, length: n });
    registerBuffer(view, this);
    return view;
  }

  refresh<T extends View>(view: T): T {
    if (view.buffer === this.buf) return view;
    this.live();
    const place = this.places.get(view);
    if (place === undefined) throw new BackendError('refresh: this buffer was not allocated by this wasm backend');
    const fresh = (view instanceof Float32Array ? new Float32Array(this.buf, place.ptr, place.length)
      : new Int32Array(this.buf, place.ptr, place.length)) as T;
    this.places.set(fresh, place);
    registerBuffer(fresh, this);
    return fresh;
  }

  protected take(n: number): number {
    checkLength(n, 'alloc');
    this.live();
    const ptr = this.top, bytes = align(4 * n);
    this.ensure(ptr + bytes, 4 * n, 'alloc'); // throws before anything moves
    this.top = ptr + bytes;
    return ptr;
  }

  /** Grows memory so that `end` bytes fit, or throws a MemoryError with memory, views and generation unchanged. */
  private ensure(end: number, requested: number, what: string): void {
    const have = this.k.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > WASM32_MAX_BYTES) throw tooLarge(`wasm ${what}`, requested, this.top, WASM32_MAX_BYTES, 'wasm32 memory');
    // Grow at least by half again, so that a series of small allocations grows memory a few times, not each time.
    const want = Math.min(WASM32_MAX_BYTES, Math.max(end, Math.floor(have * 1.5)));
    try {
      this.k.memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        this.k.memory.grow(Math.ceil((end - have) / PAGE)); // just what is needed
      } catch (e) {
        throw tooLarge(`wasm ${what}`, requested, this.top, WASM32_MAX_BYTES, 'wasm32 memory', e);
      }
    }
    this.buf = this.k.memory.buffer;
    this.generation++;
  }

  /** The byte offset of a buffer of this backend; throws if it is detached (memory grew) or foreign. */
  protected p(view: View): number {
    if (view.buffer !== this.buf) {
      this.live();
      throw new BackendError(this.places.has(view)
        ? 'a buffer was used after wasm memory grew: re-make it with backend.refresh(view) (see backend.generation)'
        : 'a buffer passed to a wasm kernel was not allocated by this backend (use backend.alloc)');
    }
    return view.byteOffset;
  }
}

function checkLength(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new BackendError(`${what}: length must be a non-negative integer, got ${n}`);
}

// `using k = createBackend()` where the engine has Symbol.dispose.
const disposeSymbol = (Symbol as { dispose?: symbol }).dispose;
if (typeof disposeSymbol === 'symbol') {
  Object.defineProperty(WasmBackend.prototype, disposeSymbol, {
    value(this: WasmBackend) { this.dispose(); }, writable: true, configurable: true,
  });
}

/** What a disposed backend's views are compared with: no view has this buffer, so every kernel call checks live(). */
const DISPOSED = new ArrayBuffer(0);
/** A disposed backend's exports: each throws. */
const DISPOSED_KERNELS = new Proxy({}, {
  get: () => () => { throw new BackendError('this wasm backend was disposed: make a new one (or a new net)'); },
}) as Kernels;

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

  constructor(private readonly heap: SharedHeap, readonly pool: ThreadPool | undefined) {
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
    if (!this.heap.owns(view.buffer)) throw new BackendError('refresh: this buffer was not allocated by this wasm backend');
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
      case 2: return (a: V, b: V, n: number, s0: number, s1: number, s2: number) => {
        const pool = this.split(n, min);
        if (pool) pool.elementwise(name, this.p(a), this.p(b), 0, 0, n, s0, s1, s2);
        else single(a, b, n, s0, s1, s2);
      };
      case 3: return (a: V, b: V, c: V, n: number, s0: number, s1: number, s2: number) => {
        const pool = this.split(n, min);
        if (pool) pool.elementwise(name, this.p(a), this.p(b), this.p(c), 0, n, s0, s1, s2);
        else single(a, b, c, n, s0, s1, s2);
      };
      default: return (a: V, b: V, c: V, d: V, n: number, s0: number, s1: number, s2: number) => {
        const pool = this.split(n, min);
        if (pool) pool.elementwise(name, this.p(a), this.p(b), this.p(c), this.p(d), n, s0, s1, s2);
        else single(a, b, c, d, n, s0, s1, s2);
      };
    }
  }
}

type V = Float32Array;
type Single = (...args: (V | number)[]) => void;

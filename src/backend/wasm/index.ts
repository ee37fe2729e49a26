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
import type { Backend } from '../types.js';
import { gemmVariantIndex } from './gemm-variant.js';
import { align, PAGE, tooLarge, WASM32_MAX_BYTES } from './limits.js';
import { ELEMENTWISE_SPLIT_MIN, type ElementwiseKernel, GEMM_SPLIT_MIN, type SharedHeap, type ThreadPool } from './threads.js';

type Ptr = number;
/** The raw exports of assembly/index.ts (pointers are byte offsets, flags are 0/1). */
export interface Kernels {
  memory: WebAssembly.Memory;
  heap_base(): number;
  gemm(c: Ptr, a: Ptr, b: Ptr, M: number, N: number, K: number, transA: number, transB: number, acc: number): void;
  /** Selects the gemm micro-kernel (0 4×8, 1 6×8, 2 4×12, 3 3×12), returns the one in use; absent in older binaries. */
  gemm_set_variant?(v: number): number;
  gemm_variant?(): number;
  bias_forward(y: Ptr, bias: Ptr, B: number, N: number): void;
  bias_backward(db: Ptr, dy: Ptr, B: number, N: number): void;
  relu_forward(y: Ptr, x: Ptr, n: number): void;
  relu_backward(dx: Ptr, dy: Ptr, y: Ptr, n: number): void;
  sigmoid_forward(y: Ptr, x: Ptr, n: number): void;
  sigmoid_backward(dx: Ptr, dy: Ptr, y: Ptr, n: number): void;
  softmax_ce_forward(y: Ptr, x: Ptr, t: Ptr, B: number, C: number): number;
  softmax_ce_backward(dx: Ptr, y: Ptr, t: Ptr, B: number, C: number): void;
  softmax_ce_onehot_forward(y: Ptr, x: Ptr, t: Ptr, B: number, C: number): number;
  softmax_ce_onehot_backward(dx: Ptr, y: Ptr, t: Ptr, B: number, C: number): void;
  argmax_correct(x: Ptr, t: Ptr, B: number, C: number): number;
  batchnorm_forward_train(y: Ptr, xn: Ptr, mean: Ptr, invStd: Ptr, runningMean: Ptr, runningVar: Ptr, x: Ptr,
    gamma: Ptr, beta: Ptr, B: number, D: number, momentum: number, eps: number): void;
  batchnorm_forward_infer(y: Ptr, x: Ptr, gamma: Ptr, beta: Ptr, runningMean: Ptr, runningVar: Ptr, B: number,
    D: number, eps: number): void;
  batchnorm_backward(dx: Ptr, dgamma: Ptr, dbeta: Ptr, dy: Ptr, xn: Ptr, invStd: Ptr, gamma: Ptr, B: number,
    D: number): void;
  dropout_forward_train(y: Ptr, mask: Ptr, x: Ptr, rng: Ptr, n: number, ratio: number): void;
  dropout_forward_infer(y: Ptr, x: Ptr, n: number, ratio: number): void;
  dropout_backward(dx: Ptr, dy: Ptr, mask: Ptr, n: number): void;
  sgd_update(p: Ptr, g: Ptr, n: number, lr: number): void;
  momentum_update(p: Ptr, g: Ptr, v: Ptr, n: number, lr: number, momentum: number): void;
  nesterov_update(p: Ptr, g: Ptr, v: Ptr, n: number, lr: number, momentum: number): void;
  adagrad_update(p: Ptr, g: Ptr, h: Ptr, n: number, lr: number): void;
  rmsprop_update(p: Ptr, g: Ptr, h: Ptr, n: number, lr: number, decay: number): void;
  adam_update(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lrT: number, beta1: number, beta2: number): void;
  weight_decay_backward(dw: Ptr, w: Ptr, n: number, lambda: number): void;
  sum_squares(w: Ptr, n: number): number;
  count_nonfinite(x: Ptr, n: number): number;
}

type View = Float32Array | Int32Array;

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

  // ---- kernels: the Backend interface, forwarded with byte offsets ----------------------------------------------
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, M: number, N: number, K: number,
    transA: boolean, transB: boolean, accumulate: boolean): void {
    this.k.gemm(this.p(c), this.p(a), this.p(b), M, N, K, +transA, +transB, +accumulate);
  }
  bias_forward(y: Float32Array, bias: Float32Array, B: number, N: number): void {
    this.k.bias_forward(this.p(y), this.p(bias), B, N);
  }
  bias_backward(db: Float32Array, dy: Float32Array, B: number, N: number): void {
    this.k.bias_backward(this.p(db), this.p(dy), B, N);
  }
  relu_forward(y: Float32Array, x: Float32Array, n: number): void {
    this.k.relu_forward(this.p(y), this.p(x), n);
  }
  relu_backward(dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void {
    this.k.relu_backward(this.p(dx), this.p(dy), this.p(y), n);
  }
  sigmoid_forward(y: Float32Array, x: Float32Array, n: number): void {
    this.k.sigmoid_forward(this.p(y), this.p(x), n);
  }
  sigmoid_backward(dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void {
    this.k.sigmoid_backward(this.p(dx), this.p(dy), this.p(y), n);
  }
  softmax_ce_forward(y: Float32Array, x: Float32Array, t: Int32Array, B: number, C: number): number {
    return this.k.softmax_ce_forward(this.p(y), this.p(x), this.p(t), B, C);
  }
  softmax_ce_backward(dx: Float32Array, y: Float32Array, t: Int32Array, B: number, C: number): void {
    this.k.softmax_ce_backward(this.p(dx), this.p(y), this.p(t), B, C);
  }
  softmax_ce_onehot_forward(y: Float32Array, x: Float32Array, t: Float32Array, B: number, C: number): number {
    return this.k.softmax_ce_onehot_forward(this.p(y), this.p(x), this.p(t), B, C);
  }
  softmax_ce_onehot_backward(dx: Float32Array, y: Float32Array, t: Float32Array, B: number, C: number): void {
    this.k.softmax_ce_onehot_backward(this.p(dx), this.p(y), this.p(t), B, C);
  }
  argmax_correct(x: Float32Array, t: Int32Array, B: number, C: number): number {
    return this.k.argmax_correct(this.p(x), this.p(t), B, C);
  }
  batchnorm_forward_train(y: Float32Array, xn: Float32Array, mean: Float32Array, invStd: Float32Array,
    runningMean: Float32Array, runningVar: Float32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array,
    B: number, D: number, momentum: number, eps: number): void {
    this.k.batchnorm_forward_train(this.p(y), this.p(xn), this.p(mean), this.p(invStd), this.p(runningMean),
      this.p(runningVar), this.p(x), this.p(gamma), this.p(beta), B, D, momentum, eps);
  }
  batchnorm_forward_infer(y: Float32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array,
    runningMean: Float32Array, runningVar: Float32Array, B: number, D: number, eps: number): void {
    this.k.batchnorm_forward_infer(this.p(y), this.p(x), this.p(gamma), this.p(beta), this.p(runningMean),
      this.p(runningVar), B, D, eps);
  }
  batchnorm_backward(dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, dy: Float32Array,
    xn: Float32Array, invStd: Float32Array, gamma: Float32Array, B: number, D: number): void {
    this.k.batchnorm_backward(this.p(dx), this.p(dgamma), this.p(dbeta), this.p(dy), this.p(xn), this.p(invStd),
      this.p(gamma), B, D);
  }
  dropout_forward_train(y: Float32Array, mask: Float32Array, x: Float32Array, rng: Int32Array, n: number,
    ratio: number): void {
    this.k.dropout_forward_train(this.p(y), this.p(mask), this.p(x), this.p(rng), n, ratio);
  }
  dropout_forward_infer(y: Float32Array, x: Float32Array, n: number, ratio: number): void {
    this.k.dropout_forward_infer(this.p(y), this.p(x), n, ratio);
  }
  dropout_backward(dx: Float32Array, dy: Float32Array, mask: Float32Array, n: number): void {
    this.k.dropout_backward(this.p(dx), this.p(dy), this.p(mask), n);
  }
  sgd_update(p: Float32Array, g: Float32Array, n: number, lr: number): void {
    this.k.sgd_update(this.p(p), this.p(g), n, lr);
  }
  momentum_update(p: Float32Array, g: Float32Array, v: Float32Array, n: number, lr: number, momentum: number): void {
    this.k.momentum_update(this.p(p), this.p(g), this.p(v), n, lr, momentum);
  }
  nesterov_update(p: Float32Array, g: Float32Array, v: Float32Array, n: number, lr: number, momentum: number): void {
    this.k.nesterov_update(this.p(p), this.p(g), this.p(v), n, lr, momentum);
  }
  adagrad_update(p: Float32Array, g: Float32Array, h: Float32Array, n: number, lr: number): void {
    this.k.adagrad_update(this.p(p), this.p(g), this.p(h), n, lr);
  }
  rmsprop_update(p: Float32Array, g: Float32Array, h: Float32Array, n: number, lr: number, decay: number): void {
    this.k.rmsprop_update(this.p(p), this.p(g), this.p(h), n, lr, decay);
  }
  adam_update(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number, lrT: number,
    beta1: number, beta2: number): void {
    this.k.adam_update(this.p(p), this.p(g), this.p(m), this.p(v), n, lrT, beta1, beta2);
  }
  weight_decay_backward(dw: Float32Array, w: Float32Array, n: number, lambda: number): void {
    this.k.weight_decay_backward(this.p(dw), this.p(w), n, lambda);
  }
  sum_squares(w: Float32Array, n: number): number {
    return this.k.sum_squares(this.p(w), n);
  }
  count_nonfinite(x: Float32Array, n: number): number {
    return this.k.count_nonfinite(this.p(x), n);
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
/** A disposed backend's kernels: each throws (p() throws first, on the arguments). */
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

  override gemm(c: Float32Array, a: Float32Array, b: Float32Array, M: number, N: number, K: number,
    transA: boolean, transB: boolean, accumulate: boolean): void {
    const pool = this.split(M * N * K, GEMM_SPLIT_MIN);
    if (pool && Math.max(M, N) >= 32) {
      pool.gemm(this.p(c), this.p(a), this.p(b), M, N, K, +transA, +transB, +accumulate);
    } else {
      super.gemm(c, a, b, M, N, K, transA, transB, accumulate);
    }
  }
  /**
   * An elementwise kernel (pointers a…d, n, scalars) split across the pool: false, for the caller to run it itself,
   * when it is too small to split or the pool was closed.
   */
  private splitElementwise(name: ElementwiseKernel, n: number, a: Float32Array, b: Float32Array,
    c?: Float32Array, d?: Float32Array, s0 = 0, s1 = 0, s2 = 0): boolean {
    const pool = this.split(n, ELEMENTWISE_SPLIT_MIN);
    if (!pool) return false;
    pool.elementwise(name, this.p(a), this.p(b), c ? this.p(c) : 0, d ? this.p(d) : 0, n, s0, s1, s2);
    return true;
  }
  override relu_forward(y: Float32Array, x: Float32Array, n: number): void {
    if (!this.splitElementwise('relu_forward', n, y, x)) super.relu_forward(y, x, n);
  }
  override relu_backward(dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void {
    if (!this.splitElementwise('relu_backward', n, dx, dy, y)) super.relu_backward(dx, dy, y, n);
  }
  override sigmoid_forward(y: Float32Array, x: Float32Array, n: number): void {
    if (!this.splitElementwise('sigmoid_forward', n, y, x)) super.sigmoid_forward(y, x, n);
  }
  override sigmoid_backward(dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void {
    if (!this.splitElementwise('sigmoid_backward', n, dx, dy, y)) super.sigmoid_backward(dx, dy, y, n);
  }
  override dropout_forward_infer(y: Float32Array, x: Float32Array, n: number, ratio: number): void {
    if (!this.splitElementwise('dropout_forward_infer', n, y, x, undefined, undefined, ratio)) {
      super.dropout_forward_infer(y, x, n, ratio);
    }
  }
  override dropout_backward(dx: Float32Array, dy: Float32Array, mask: Float32Array, n: number): void {
    if (!this.splitElementwise('dropout_backward', n, dx, dy, mask)) super.dropout_backward(dx, dy, mask, n);
  }
  override sgd_update(p: Float32Array, g: Float32Array, n: number, lr: number): void {
    if (!this.splitElementwise('sgd_update', n, p, g, undefined, undefined, lr)) super.sgd_update(p, g, n, lr);
  }
  override momentum_update(p: Float32Array, g: Float32Array, v: Float32Array, n: number, lr: number,
    momentum: number): void {
    if (!this.splitElementwise('momentum_update', n, p, g, v, undefined, lr, momentum)) {
      super.momentum_update(p, g, v, n, lr, momentum);
    }
  }
  override nesterov_update(p: Float32Array, g: Float32Array, v: Float32Array, n: number, lr: number,
    momentum: number): void {
    if (!this.splitElementwise('nesterov_update', n, p, g, v, undefined, lr, momentum)) {
      super.nesterov_update(p, g, v, n, lr, momentum);
    }
  }
  override adagrad_update(p: Float32Array, g: Float32Array, h: Float32Array, n: number, lr: number): void {
    if (!this.splitElementwise('adagrad_update', n, p, g, h, undefined, lr)) super.adagrad_update(p, g, h, n, lr);
  }
  override rmsprop_update(p: Float32Array, g: Float32Array, h: Float32Array, n: number, lr: number,
    decay: number): void {
    if (!this.splitElementwise('rmsprop_update', n, p, g, h, undefined, lr, decay)) {
      super.rmsprop_update(p, g, h, n, lr, decay);
    }
  }
  override adam_update(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number, lrT: number,
    beta1: number, beta2: number): void {
    if (!this.splitElementwise('adam_update', n, p, g, m, v, lrT, beta1, beta2)) {
      super.adam_update(p, g, m, v, n, lrT, beta1, beta2);
    }
  }
  override weight_decay_backward(dw: Float32Array, w: Float32Array, n: number, lambda: number): void {
    if (!this.splitElementwise('weight_decay_backward', n, dw, w, undefined, undefined, lambda)) {
      super.weight_decay_backward(dw, w, n, lambda);
    }
  }
}

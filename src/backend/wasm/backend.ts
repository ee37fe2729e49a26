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
import type { Backend, KernelTable } from '../types.js';
import { bindKernels, disposedKernels, type Kernels } from './bindings.js';
import { gemmVariantIndex } from './gemm-variant.js';
import { align, PAGE, tooLarge, WASM32_MAX_BYTES } from './limits.js';

export type View = Float32Array | Int32Array;

/** The kernels: own properties made by the constructor from src/backend/kernels.ts (see bindings.ts). */
export interface WasmBackend extends KernelTable {}

// The constructor makes every kernel of the list; test/backend/bindings.test.ts checks that the list, the exports
// and KernelTable name the same kernels, which is what this merge relies on.
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see above
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
    this.k =
      module instanceof WebAssembly.Module
        ? (instantiateSync<Record<string, unknown>>(module, {}).instance.exports as unknown as Kernels)
        : module;
    this.buf = this.k.memory.buffer;
    this.top = align(this.k.heap_base());
    this.k.gemm_set_variant?.(gemmVariantIndex()); // the process's gemm micro-kernel (threaded: on the shared memory)
    Object.assign(this, bindKernels(this as unknown as { p(view: View): number }, this.k));
  }

  memoryBytes(): number {
    return this.disposed ? 0 : this.k.memory.buffer.byteLength;
  }

  /**
   * The gemm micro-kernel this backend's module instance runs (its cell in assembly/gemm.ts: 0 4×8, 1 6×8, 2 4×12,
   * 3 3×12), so that a choice can be checked where it takes effect; undefined for binaries without the cell.
   */
  instanceGemmVariant(): number | undefined {
    this.live();
    return this.k.gemm_variant?.();
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

  /** Throws if disposed (allocations check; a disposed backend's kernels are stand-ins that throw). */
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
    const fresh = (
      view instanceof Float32Array
        ? new Float32Array(this.buf, place.ptr, place.length)
        : new Int32Array(this.buf, place.ptr, place.length)
    ) as T;
    this.places.set(fresh, place);
    registerBuffer(fresh, this);
    return fresh;
  }

  protected take(n: number): number {
    checkLength(n, 'alloc');
    this.live();
    const ptr = this.top,
      bytes = align(4 * n);
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
      throw new BackendError(
        this.places.has(view)
          ? 'a buffer was used after wasm memory grew: re-make it with backend.refresh(view) (see backend.generation)'
          : 'a buffer passed to a wasm kernel was not allocated by this backend (use backend.alloc)',
      );
    }
    return view.byteOffset;
  }
}

/** Throws a BackendError unless n is a non-negative integer (an allocation's length). */
export function checkLength(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new BackendError(`${what}: length must be a non-negative integer, got ${n}`);
}

// `using k = createBackend()` where the engine has Symbol.dispose.
const disposeSymbol = (Symbol as { dispose?: symbol }).dispose;
if (typeof disposeSymbol === 'symbol') {
  Object.defineProperty(WasmBackend.prototype, disposeSymbol, {
    value(this: WasmBackend) {
      this.dispose();
    },
    writable: true,
    configurable: true,
  });
}

/** What a disposed backend's views are compared with: no view has this buffer, so p() checks live(). */
const DISPOSED = new ArrayBuffer(0);
/** A disposed backend's exports: each throws. */
const DISPOSED_KERNELS = new Proxy(
  {},
  {
    get: () => () => {
      throw new BackendError('this wasm backend was disposed: make a new one (or a new net)');
    },
  },
) as Kernels;

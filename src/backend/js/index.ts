// The `js` backend: plain TypeScript loops, one file per concern mirroring assembly/. It is the readable
// reference that documents the math (the book's formulas, literally); `wasm` must agree with it.
import { MemoryError } from '../../errors.js';
import { registerBuffer } from '../registry.js';
import type { Backend } from '../types.js';
import * as activation from './activation.js';
import * as batchnorm from './batchnorm.js';
import * as dropout from './dropout.js';
import * as gemm from './gemm.js';
import * as optim from './optim.js';
import * as softmaxCe from './softmax_ce.js';

/** A typed array from the JS heap, or a MemoryError naming the size (instead of the engine's RangeError). */
function make<T>(Make: new (n: number) => T, n: number): T {
  try {
    return new Make(n);
  } catch (e) {
    throw new MemoryError(
      `js alloc: ${(4 * n).toLocaleString('en-US')} bytes do not fit: the engine refused ` +
        `(${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

export function createJsBackend(): Backend {
  let bytes = 0;
  // Buffers live on the JS heap: dispose() only forgets them (the garbage collector frees them).
  const backend: Backend = {
    name: 'js',
    generation: 0,
    threads: 1,
    disposed: false,
    alloc(n: number): Float32Array {
      const view = make(Float32Array, n);
      bytes += 4 * n;
      registerBuffer(view, backend);
      return view;
    },
    allocInt32(n: number): Int32Array {
      const view = make(Int32Array, n);
      bytes += 4 * n;
      registerBuffer(view, backend);
      return view;
    },
    refresh: (view) => view,
    reserve(): void {},
    memoryBytes: () => bytes,
    mark: () => 0,
    rollback(): void {},
    dispose(): void {
      (backend as { disposed: boolean }).disposed = true;
      bytes = 0;
    },
    ...gemm,
    ...activation,
    ...softmaxCe,
    ...batchnorm,
    ...dropout,
    ...optim,
  };
  return backend;
}

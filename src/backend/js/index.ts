// The `js` backend: plain TypeScript loops, one file per concern mirroring assembly/. It is the readable
// reference that documents the math (the book's formulas, literally); `wasm` must agree with it.
import { registerBuffer } from '../registry.js';
import type { Backend } from '../types.js';
import * as activation from './activation.js';
import * as batchnorm from './batchnorm.js';
import * as dropout from './dropout.js';
import * as gemm from './gemm.js';
import * as optim from './optim.js';
import * as softmaxCe from './softmax_ce.js';

export function createJsBackend(): Backend {
  let bytes = 0;
  const backend: Backend = {
    name: 'js',
    generation: 0,
    threads: 1,
    alloc(n: number): Float32Array {
      bytes += 4 * n;
      const view = new Float32Array(n);
      registerBuffer(view, backend);
      return view;
    },
    allocInt32(n: number): Int32Array {
      bytes += 4 * n;
      const view = new Int32Array(n);
      registerBuffer(view, backend);
      return view;
    },
    refresh: (view) => view,
    reserve(): void {},
    memoryBytes: () => bytes,
    ...gemm,
    ...activation,
    ...softmaxCe,
    ...batchnorm,
    ...dropout,
    ...optim,
  };
  return backend;
}

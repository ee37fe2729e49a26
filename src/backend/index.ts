// Choosing a backend. `init()` compiles the wasm once; after it every constructor is synchronous.
import { BackendError, NameError } from '../errors.js';
import { createJsBackend } from './js/index.js';
import type { Backend, BackendName } from './types.js';
import { compileKernels, type CompiledKernels, type InitOptions, type SimdVariant } from './wasm/load.js';
import { WasmBackend } from './wasm/index.js';

export type { Backend, BackendName } from './types.js';
export type { InitOptions, SimdVariant } from './wasm/load.js';
export { hasRelaxedSimd } from './wasm/load.js';

let compiled: CompiledKernels | undefined;
let pending: Promise<void> | undefined;
const shared = new Map<BackendName, Backend>();

/** Loads and compiles the wasm kernels (once; later calls return the same promise). */
export function init(options: InitOptions = {}): Promise<void> {
  pending ??= compileKernels(options).then(
    (kernels) => { compiled = kernels; },
    (error: unknown) => { pending = undefined; throw error; },
  );
  return pending;
}

/** True once `init()` has finished. */
export function isReady(): boolean {
  return compiled !== undefined;
}

/** Which wasm binary `init()` loaded: 'relaxed-simd' (FMA) or 'simd'; undefined before init. */
export function simdVariant(): SimdVariant | undefined {
  return compiled?.variant;
}

export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'js'];

/** A new backend with memory of its own (each net makes one, so nets never share or move each other's buffers). */
export function createBackend(name: BackendName = 'wasm'): Backend {
  if (name === 'js') return createJsBackend();
  if (name === 'wasm') {
    if (!compiled) throw new BackendError("the wasm backend is not ready: call `await init()` first (or use backend 'js')");
    return new WasmBackend(compiled.module);
  }
  throw new NameError(`unknown backend '${String(name)}': expected one of ${BACKEND_NAMES.join(', ')}`);
}

/** The process-wide backend of that name, for using kernels directly on buffers it allocates. */
export function getBackend(name: BackendName = 'wasm'): Backend {
  let b = shared.get(name);
  if (!b) {
    b = createBackend(name);
    shared.set(name, b);
  }
  return b;
}

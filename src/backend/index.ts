// The backend's public face: choosing and making backends (init.ts), the kernel table's types (types.ts), and the
// wasm build's options. Only re-exports.
export {
  BACKEND_NAMES,
  createBackend,
  gemmVariant,
  getBackend,
  init,
  isReady,
  simdVariant,
  threadCount,
} from './init.js';
export type { Backend, BackendName, KernelTable } from './types.js';
export { KERNEL_NAMES } from './kernels.js';
export type { KernelName } from './kernels.js';
export type { InitOptions, SimdVariant, WasmSource } from './wasm/load.js';
export { hasRelaxedSimd } from './wasm/load.js';
export { hostThreads } from './wasm/thread-host.js';
export type { ThreadHost, ThreadHostOptions, ThreadHostPort } from './wasm/thread-host.js';
export { GEMM_VARIANTS, gemmVariantState } from './wasm/gemm-variant.js';
export type { GemmVariant, GemmCalibration } from './wasm/gemm-variant.js';

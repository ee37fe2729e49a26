// Where the compiled kernels live, relative to this module. Kept at the top of src/ so that the same
// relative path holds for src/*.ts (tests) and for the bundles dist/*.js: both sit beside build/.
export type SimdVariant = 'simd' | 'relaxed-simd';

export const defaultWasmUrl = (variant: SimdVariant = 'simd'): URL =>
  variant === 'relaxed-simd'
    ? new URL('../build/zerodl-relaxed.wasm', import.meta.url)
    : new URL('../build/zerodl.wasm', import.meta.url);

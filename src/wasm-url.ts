// Where the compiled kernels live, relative to this module. Kept at the top of src/ so that, from src/*.ts (tests),
// the path leads to build/. The package build (scripts/build.mjs) rewrites '../build/' to './' and copies the
// binaries into dist/, so that each bundle has its .wasm files beside it: a bundler user copies them next to their
// own output, and Vite rewrites these `new URL('…', import.meta.url)` literals itself. Keep them string literals.
export type SimdVariant = 'simd' | 'relaxed-simd';

/** The binary of a SIMD variant; `threaded`: the build on imported shared memory that init({ threads }) uses. */
export const defaultWasmUrl = (variant: SimdVariant = 'simd', threaded = false): URL => {
  if (threaded) {
    return variant === 'relaxed-simd'
      ? new URL('../build/zerodl-threads-relaxed.wasm', import.meta.url)
      : new URL('../build/zerodl-threads.wasm', import.meta.url);
  }
  return variant === 'relaxed-simd'
    ? new URL('../build/zerodl-relaxed.wasm', import.meta.url)
    : new URL('../build/zerodl.wasm', import.meta.url);
};

// Where the compiled kernels live, relative to this module. Kept at the top of src/ so that the same
// relative path holds for src/*.ts (tests) and for the bundle dist/index.js: both sit beside build/.
export const defaultWasmUrl = (): URL => new URL('../build/zerodl.wasm', import.meta.url);

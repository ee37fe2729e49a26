// Runs before every test file: loads the wasm binary the project names (ZERODL_TEST_SIMD, set in vitest.config.ts),
// so that a file's own `init()` gets that binary instead of the engine's default. Files that test init() itself
// (test/backend/variant.test.ts) check the engine's default choice in a child process.
import { init } from '../src/index.js';

const simd = process.env.ZERODL_TEST_SIMD;
if (simd === 'simd' || simd === 'relaxed-simd') await init({ simd });
else if (simd) throw new Error(`ZERODL_TEST_SIMD must be 'simd' or 'relaxed-simd', got ${simd}`);

// Which binary init() picked: relaxed SIMD exactly where the engine validates it (the relaxed-simd test project
// runs Node with --experimental-wasm-relaxed-simd), and forcing a variant the engine lacks is a clear error.
import { describe, expect, it } from 'vitest';
import { hasRelaxedSimd, init, simdVariant } from '../../src/index.js';

describe('wasm binary variant', () => {
  it('auto picks relaxed SIMD iff the engine has it', async () => {
    await init();
    const relaxedRun = process.execArgv.includes('--experimental-wasm-relaxed-simd') ||
      Number(process.versions.node.split('.')[0]) >= 22;
    expect(hasRelaxedSimd()).toBe(relaxedRun);
    expect(simdVariant()).toBe(relaxedRun ? 'relaxed-simd' : 'simd');
  });
});

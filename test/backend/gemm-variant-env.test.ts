// ZERODL_GEMM set before the first init() of the process: that variant is used and no calibration runs.
// test/setup-simd.ts has already called init() in this process, so the first init() is that of a fresh copy of the
// module (as in test/backend/variant.test.ts).
import { afterAll, describe, expect, it, vi } from 'vitest';

const before = process.env.ZERODL_GEMM;
afterAll(() => {
  if (before === undefined) delete process.env.ZERODL_GEMM;
  else process.env.ZERODL_GEMM = before;
});

describe('ZERODL_GEMM at the first init()', () => {
  it('selects the variant, skips the calibration, and new backends compute with it', async () => {
    process.env.ZERODL_GEMM = '3x12';
    vi.resetModules();
    const { createBackend, gemmVariant, gemmVariantState, init } = await import('../../src/index.js');
    expect(gemmVariantState().source).not.toBe('env'); // a fresh module: nothing chosen yet
    await init();
    expect(gemmVariant()).toBe('3x12');
    expect(gemmVariantState().source).toBe('env');
    expect(gemmVariantState().calibration).toBeUndefined();
    const b = createBackend('wasm') as import('../../src/backend/wasm/backend.js').WasmBackend;
    expect(b.instanceGemmVariant()).toBe(3); // the instance's cell (assembly/gemm.ts), not just the TS-side record
  });
});

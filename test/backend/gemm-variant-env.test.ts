// ZERODL_GEMM set before the first init() of the process: that variant is used and no calibration runs.
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, gemmVariant, gemmVariantState, init } from '../../src/index.js';

const before = process.env.ZERODL_GEMM;
afterAll(() => {
  if (before === undefined) delete process.env.ZERODL_GEMM;
  else process.env.ZERODL_GEMM = before;
});

describe('ZERODL_GEMM at the first init()', () => {
  it('selects the variant, skips the calibration, and new backends compute with it', async () => {
    process.env.ZERODL_GEMM = '3x12';
    await init();
    expect(gemmVariant()).toBe('3x12');
    expect(gemmVariantState().source).toBe('env');
    expect(gemmVariantState().calibration).toBeUndefined();
    const b = createBackend('wasm') as unknown as { k: { gemm_variant(): number } };
    expect(b.k.gemm_variant()).toBe(3); // the instance's cell (assembly/gemm.ts), not just the TS-side record
  });
});

// Which binary init() picked: relaxed SIMD exactly where the engine validates it (Node 20 only with
// --experimental-wasm-relaxed-simd, which the relaxed-simd test project passes there; Node 22+ by default), and
// forcing a variant the engine lacks is a clear error. test/setup-simd.ts has already called init({ simd }) with
// the project's binary, so the default choice is checked on a fresh copy of the module.
import { describe, expect, it, vi } from 'vitest';

const nodeMajor = Number(process.versions.node.split('.')[0]);
const engineHasRelaxed = process.execArgv.includes('--experimental-wasm-relaxed-simd') || nodeMajor >= 22;

describe('wasm binary variant', () => {
  it('auto picks relaxed SIMD iff the engine has it', async () => {
    vi.resetModules();
    const z = await import('../../src/index.js');
    expect(z.simdVariant()).toBeUndefined(); // a fresh module: the setup's init() is not seen here
    await z.init();
    expect(z.hasRelaxedSimd()).toBe(engineHasRelaxed);
    expect(z.simdVariant()).toBe(engineHasRelaxed ? 'relaxed-simd' : 'simd');
  });

  it("the project's binary, forced by the setup file, is the one in use", async () => {
    vi.resetModules();
    const z = await import('../../src/index.js');
    const forced = process.env.ZERODL_TEST_SIMD as 'simd' | 'relaxed-simd';
    await z.init({ simd: forced });
    expect(z.simdVariant()).toBe(forced);
  });

  it.runIf(!engineHasRelaxed)(
    "init({ simd: 'relaxed-simd' }) where the engine lacks it is a BackendError",
    async () => {
      vi.resetModules();
      const z = await import('../../src/index.js');
      await expect(z.init({ simd: 'relaxed-simd' })).rejects.toThrow(/does not support relaxed SIMD/);
    },
  );
});

import { defineConfig } from 'vitest/config';

// Two projects, each on one wasm binary chosen explicitly (test/setup-simd.ts calls init({ simd }) from
// ZERODL_TEST_SIMD before every file), so that both builds are checked against the js reference on every Node —
// not only the one the engine would pick by default (plain on Node 20, relaxed from Node 22):
// - 'simd': the whole suite on the plain SIMD128 binary;
// - 'relaxed-simd': the kernel and parity tests again on the relaxed-SIMD (FMA) binary. Node 20's V8 has relaxed SIMD
//   behind --experimental-wasm-relaxed-simd; Node 22+ has it on by default and rejects that flag ("bad option").
const kernelTests = [
  'test/backend/**/*.test.ts',
  'test/net/parity.test.ts',
  'test/net/gradient.test.ts',
  'test/optim/**/*.test.ts',
  'test/book/**/*.test.ts',
  'test/layers/**/*.test.ts',
];
const nodeMajor = Number(process.versions.node.split('.')[0]);
const relaxedFlags = nodeMajor === 20 ? ['--experimental-wasm-relaxed-simd'] : [];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/setup-simd.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'simd',
          include: ['test/**/*.test.ts'],
          execArgv: ['--expose-gc'],
          env: { ZERODL_TEST_SIMD: 'simd' },
        },
      },
      {
        extends: true,
        test: {
          name: 'relaxed-simd',
          include: kernelTests,
          execArgv: [...relaxedFlags, '--expose-gc'],
          env: { ZERODL_TEST_SIMD: 'relaxed-simd' },
        },
      },
    ],
  },
});

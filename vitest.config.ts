import { defineConfig } from 'vitest/config';

// Two projects: the whole suite on the default binary (plain SIMD on Node 20), and the kernel and parity tests
// again with relaxed SIMD enabled, so that both wasm builds are checked against the js reference (and the book's
// own numbers, test/book/).
const kernelTests = ['test/backend/**/*.test.ts', 'test/net/parity.test.ts', 'test/net/gradient.test.ts', 'test/optim/**/*.test.ts',
  'test/book/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'simd', include: ['test/**/*.test.ts'], execArgv: ['--expose-gc'] },
      },
      {
        extends: true,
        test: { name: 'relaxed-simd', include: kernelTests, execArgv: ['--experimental-wasm-relaxed-simd', '--expose-gc'] },
      },
    ],
  },
});

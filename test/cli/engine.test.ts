// The CLI turns on relaxed SIMD (FMA) on Node 20, where V8 has it behind a flag; ZERODL_SIMD=simd keeps plain SIMD.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const run = (env: Record<string, string> = {}): { kernels: string; finalTestAccuracy: number } => {
  const out = execFileSync(process.execPath, [cli, 'train', '--hidden', '16', '--train-size', '300', '--epochs', '5', '--batch-size', '20',
    '--json', '--no-out', '-q'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
};

describe('CLI kernels', () => {
  it('uses the relaxed-SIMD build by default, and plain SIMD with ZERODL_SIMD=simd', () => {
    expect(run().kernels).toBe('relaxed-simd');
    const plain = run({ ZERODL_SIMD: 'simd' });
    expect(plain.kernels).toBe('simd');
    expect(plain.finalTestAccuracy).toBeGreaterThan(0.3); // it trains (chance is 0.1)
  });
});

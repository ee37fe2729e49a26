// The CLI's kernels: relaxed SIMD (FMA) by default wherever the engine has it — on Node 20 the CLI turns on V8's
// flag for its own process, from Node 22 it is on anyway — and plain SIMD with ZERODL_SIMD=simd on every Node
// (the CLI must tell init() so: skipping Node 20's flag alone changes nothing on Node 22+).
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const args = [
  'train',
  '--hidden',
  '16',
  '--train-size',
  '300',
  '--epochs',
  '5',
  '--batch-size',
  '20',
  '--json',
  '--no-out',
  '-q',
];
const run = (env: Record<string, string> = {}): { kernels: string; finalTestAccuracy: number; trainLoss: number[] } => {
  const out = execFileSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
};

describe('CLI kernels', () => {
  it('uses the relaxed-SIMD build by default, and plain SIMD with ZERODL_SIMD=simd', () => {
    const auto = run({ ZERODL_SIMD: '' });
    expect(auto.kernels).toBe('relaxed-simd');
    const plain = run({ ZERODL_SIMD: 'simd' });
    expect(plain.kernels).toBe('simd');
    expect(plain.finalTestAccuracy).toBeGreaterThan(0.3); // it trains (chance is 0.1)
    expect(run({ ZERODL_SIMD: 'relaxed-simd' }).kernels).toBe('relaxed-simd');
  });

  it('a ZERODL_SIMD that names no binary is a usage error', () => {
    const r = spawnSync(process.execPath, [cli, ...args], {
      env: { ...process.env, ZERODL_SIMD: 'sse' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ZERODL_SIMD must be 'simd', 'relaxed-simd' or 'auto', got 'sse'/);
  });
});

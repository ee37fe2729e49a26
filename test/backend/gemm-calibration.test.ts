// The calibration's rounds (src/backend/wasm/gemm-variant.ts: calibrationRounds), driven by made-up timings instead
// of the wasm: which variants are timed in which round, when the rounds end, and what is picked — for the cases a
// real host shows: variants that tie within noise, variants well behind, a variant whose optimized code arrives late
// (it runs the engine's baseline code, several times slower, for a few rounds), a noisy moment, a very slow clock.
import { describe, expect, it } from 'vitest';
import {
  calibrationRounds,
  fastest,
  GEMM_VARIANTS,
  hostIsX86,
  X86_CANDIDATES,
  type GemmVariant,
} from '../../src/backend/wasm/gemm-variant.js';

/** A fresh `ms` record for two products. */
const fresh = (candidates: readonly GemmVariant[]): Record<GemmVariant, number[]> =>
  Object.fromEntries(candidates.map((v) => [v, [Infinity, Infinity]])) as Record<GemmVariant, number[]>;

/**
 * Runs the rounds with `speed(variant, call)` giving the ms of a variant's `call`-th timing (0 = its warm-up), each
 * product taking `speed × [0.1, 1]`. The clock moves by the ms timed. Returns the calls per variant and the result.
 */
function drive(speed: (v: GemmVariant, call: number) => number, candidates: readonly GemmVariant[] = GEMM_VARIANTS) {
  const ms = fresh(candidates);
  const calls = Object.fromEntries(GEMM_VARIANTS.map((v) => [v, 0])) as Record<GemmVariant, number>;
  const byRound: GemmVariant[][] = [];
  let clock = 0;
  const run = (i: number, shape: number): number => {
    const v = candidates[i];
    const t = speed(v, calls[v]) * (shape === 0 ? 0.1 : 1);
    if (shape === 0) calls[v]++;
    clock += t;
    return t;
  };
  // (calls[v] counts the small product's runs: the warm-up, then one a round)
  const rounds = calibrationRounds(
    (i, shape) => {
      const t = run(i, shape);
      const v = candidates[i];
      if (shape === 0 && calls[v] > 1) (byRound[calls[v] - 2] ??= []).push(v);
      return t;
    },
    candidates,
    ms,
    () => clock,
    0,
  );
  return { ms, calls, rounds, byRound, variant: fastest(ms), clock };
}

describe('gemm calibration rounds', () => {
  it('warms every variant up on the small product, then times each on both, at least two rounds', () => {
    const r = drive(() => 1);
    expect(r.rounds).toBeGreaterThanOrEqual(2);
    for (const v of GEMM_VARIANTS) expect(r.calls[v]).toBe(1 + r.rounds);
    for (const v of GEMM_VARIANTS) expect(r.ms[v]).toEqual([0.1, 1]);
    expect(r.variant).toBe('4x8'); // a tie goes to the default
  });

  it('drops variants well behind after the second round and picks the fastest of the rest', () => {
    const rate: Record<GemmVariant, number> = { '4x8': 1.02, '6x8': 1.6, '4x12': 1.5, '3x12': 1, '5x8': 1.05 };
    // the leaders' first rounds are a little noisy, so they go on improving after the second round; the two well
    // behind are steady: they are dropped then
    const noise = [1.2, 1.2, 1.1, 1];
    const r = drive((v, call) => rate[v] * (rate[v] < 1.2 ? noise[Math.min(call, 3)] : 1));
    expect(r.variant).toBe('3x12');
    expect(r.rounds).toBeGreaterThanOrEqual(3);
    expect(r.byRound[0].sort()).toEqual([...GEMM_VARIANTS].sort());
    expect(r.byRound[1].sort()).toEqual([...GEMM_VARIANTS].sort());
    for (const later of r.byRound.slice(2)) expect(later.sort()).toEqual(['3x12', '4x8', '5x8']);
    // the dropped ones keep the best times they had
    expect(r.ms['6x8'][1]).toBeCloseTo(1.6);
    expect(r.calls['6x8']).toBe(3);
  });

  it('waits for a variant still in baseline code (several times slower) instead of dropping it, and picks it once fast', () => {
    // 5x8's optimized code arrives only at its 5th timed call; then it is the fastest
    const r = drive((v, call) => (v === '5x8' ? (call <= 4 ? 4 : 0.9) : 1));
    expect(r.variant).toBe('5x8');
    expect(r.rounds).toBeGreaterThanOrEqual(5);
    expect(r.ms['5x8'][1]).toBeCloseTo(0.9);
  });

  it('goes on while a variant is still improving, though it is behind', () => {
    // 6x8 improves 1.6 → 1.4 → 1.25 → 1.15 and stays there: timed while it improves; 1.15x is within the margin
    const steps = [1.6, 1.6, 1.4, 1.25, 1.15];
    const r = drive((v, call) => (v === '6x8' ? steps[Math.min(call, steps.length - 1)] : 1));
    expect(r.rounds).toBeGreaterThanOrEqual(4);
    expect(r.calls['6x8']).toBeGreaterThanOrEqual(5);
    expect(r.variant).toBe('4x8');
  });

  it('keeps the best time of each, so one slow moment of the machine does not decide', () => {
    // round 1 of 4x8 is hit by a busy moment (3x): it stays in and wins on its best
    const r = drive((v, call) => (v === '4x8' ? (call === 1 ? 3 : 0.9) : 1));
    expect(r.variant).toBe('4x8');
    expect(r.ms['4x8'][1]).toBeCloseTo(0.9);
  });

  it('ends within its time bound when the timings never settle', () => {
    let n = 0;
    // every call 5% faster than the one before: a variant's best improves by ~40% a round, never settled
    const r = drive(() => 30 * 0.95 ** n++);
    expect(r.rounds).toBeGreaterThanOrEqual(2);
    expect(r.clock).toBeGreaterThan(250);
    // the bound (250 ms) is checked after each round: one round of 5 variants × 33 ms at most beyond it
    expect(r.clock).toBeLessThan(250 + 5 * 33 + 1);
  });

  it('times only the candidates it is given, and picks among them', () => {
    const rate: Record<GemmVariant, number> = { '4x8': 1, '6x8': 0.5, '4x12': 0.5, '3x12': 0.95, '5x8': 1.1 };
    const r = drive((v) => rate[v], X86_CANDIDATES);
    expect(r.variant).toBe('3x12'); // 6x8 and 4x12 would be faster, but were not timed
    expect(r.calls['6x8']).toBe(0);
    expect(r.calls['4x12']).toBe(0);
    expect(Object.keys(r.ms).sort()).toEqual([...X86_CANDIDATES].sort());
  });
});

describe('host detection', () => {
  it("tells an x86 host from the NaN sign of ∞ − ∞ computed in wasm, as Node's process.arch says", () => {
    expect(hostIsX86()).toBe(process.arch === 'x64' || process.arch === 'ia32');
  });
});

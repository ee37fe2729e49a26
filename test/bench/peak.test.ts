// The bench's host peak (bench/peak.mjs): which loops it times, and the short probe bench/bench.mjs runs beside every
// figure. No speed is asserted (the machine is shared); what is pinned is the loops' shape: their constants must be
// loaded before the loop, since V8 recomputed a splat made before the loop inside it on every turn (vmulss and
// vbroadcastss on the pipes the chains need), and that made the peak read 15–20% low, below the gemm it measures.
import { describe, expect, it } from 'vitest';
import { CHAINS, kernelSource, measurePeak, pairProbe, peakProbe } from '../../bench/peak.mjs';

/** The generated functions' texts. */
function functions(source: string): string[] {
  return source.split(/\n(?=export function )/);
}

describe('bench host peak', () => {
  it('loads every loop constant from memory before the loop, so that V8 keeps it in a register', () => {
    for (const relaxed of [false, true]) {
      const fns = functions(kernelSource(relaxed));
      expect(fns.length).toBeGreaterThan(CHAINS.length);
      for (const fn of fns) {
        const [before, loop] = fn.split(/\n {2}for \(/);
        const consts = [...before.matchAll(/const (\w+) = (.*);/g)];
        expect(consts.length, fn.slice(0, 40)).toBeGreaterThan(0);
        for (const [, name, value] of consts) expect(value, name).toMatch(/^v128\.load\(\d+\)$/);
        expect(loop).not.toMatch(/splat|load/);
      }
    }
  });

  it("times the relaxed FMA with the accumulator as the addend too, the gemm's form", () => {
    const source = kernelSource(true);
    for (const K of CHAINS) expect(source).toContain(`export function acc${K}(`);
    expect(source).toContain('a0 = f32x4.relaxed_madd(x, y, a0);');
    expect(source).toContain('a0 = f32x4.relaxed_madd(a0, m, c);');
  });

  it('measures every form and chain count, keeps the best, and re-times that loop in the probe', async () => {
    const peak = await measurePeak({ ms: 1, reps: 1 });
    const even = CHAINS.filter((K) => K % 2 === 0);
    expect(Object.keys(peak.perChains).sort()).toEqual(
      [...CHAINS.map(String), ...even.map((K) => `split${K}`), ...even.map((K) => `feed${K}`)].sort(),
    );
    expect(peak.gflops).toBe(Math.max(...Object.values(peak.perChains)));
    expect(peak.perChains[peak.chains]).toBe(peak.gflops);
    const probe = await peakProbe(peak, { ms: 1, reps: 2 });
    const g = probe();
    expect(Number.isFinite(g) && g > 0).toBe(true);
  });

  it('reports a relaxed peak, or why the engine has none', async () => {
    const peak = await measurePeak({ relaxed: true, ms: 1, reps: 1 });
    if (peak.unavailable) expect(peak.unavailable).toMatch(/relaxed/);
    else expect(Object.keys(peak.perChains)).toContain('acc12');
  });

  it('times the best loop on two threads at once against one alone, and ends its second thread', async () => {
    const peak = await measurePeak({ ms: 1, reps: 1 });
    const probe = await pairProbe(peak, { ms: 1, reps: 2 });
    try {
      for (let i = 0; i < 3; i++) {
        const p = probe();
        for (const g of [p.alone, p.mine, p.other]) expect(Number.isFinite(g) && g > 0, JSON.stringify(p)).toBe(true);
        expect(p.together).toBeCloseTo(p.mine + p.other, 9);
        expect(p.speedup).toBeCloseTo(p.together / p.alone, 9);
      }
    } finally {
      probe.close();
    }
  });
});

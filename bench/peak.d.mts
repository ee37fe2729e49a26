// Types of bench/peak.mjs, for the test that imports it (test/bench/peak.test.ts).
export const CHAINS: readonly number[];
export function kernelSource(relaxed: boolean): string;
export interface Peak {
  op: 'mul+add' | 'relaxed_madd';
  /** GFLOP/s of the best loop. */
  gflops: number;
  /** The best loop: a chain count (the fused form) or a form and count, e.g. 'split12', 'acc12'. */
  chains: string;
  perChains: Record<string, number>;
  /** Set instead of the figures when the engine lacks relaxed SIMD. */
  unavailable?: string;
}
export function measurePeak(options?: { relaxed?: boolean; ms?: number; reps?: number }): Promise<Peak>;
export function peakProbe(peak: Peak, options?: { ms?: number; reps?: number }): Promise<() => number>;
/** One pairProbe measurement, GFLOP/s: this thread alone, then this thread (`mine`) and a second one (`other`) at once. */
export interface PairSample {
  alone: number;
  mine: number;
  other: number;
  together: number;
  /** together ÷ alone: what two threads of the peak's loop gain over one on this host at this moment. */
  speedup: number;
}
export function pairProbe(
  peak: Peak,
  options?: { ms?: number; reps?: number },
): Promise<(() => PairSample) & { close(): void }>;

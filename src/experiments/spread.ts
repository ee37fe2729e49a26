// Seed spreads: one experiment re-run over several seeds, and each run's headline numbers (its experiment's
// `spread`) summarised as mean ± sd (the sample sd, n − 1), min, max and every seed's value — so that a number of
// one run is seen inside its distribution, not as one draw.
import { ValueError } from '../errors.js';
import type { Experiment, ExperimentOptions, ExperimentResult } from './types.js';

export interface SpreadStat {
  mean: number;
  /** Sample standard deviation (divides by n − 1; 0 for one seed). */
  sd: number;
  min: number;
  max: number;
  /** One value per seed, in the order of `seeds`. */
  values: number[];
}

export interface SeedSpread {
  name: string;
  title: string;
  quick: boolean;
  seeds: number[];
  /** Headline number → its spread over the seeds. */
  spread: Record<string, SpreadStat>;
  seconds: number;
}

/** mean, sample sd, min, max of the values (at least one, all finite). */
export function spreadOf(values: number[]): SpreadStat {
  if (values.length === 0) throw new ValueError('spreadOf: no values');
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ValueError(`spreadOf: value ${bad} is ${values[bad]}`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  const min = Math.min(...values),
    max = Math.max(...values);
  // Equal values have sd 0 exactly (the float mean of equal values may miss them by an ulp).
  return { mean, sd: n > 1 && min !== max ? Math.sqrt(ss / (n - 1)) : 0, min, max, values: [...values] };
}

/** Seeds from '0..9' (inclusive range) or '0,3,7' (a list); each an integer, no repeats. */
export function parseSeeds(text: string): number[] {
  const range = /^\s*([+-]?\d+)\s*\.\.\s*([+-]?\d+)\s*$/.exec(text);
  let seeds: number[];
  if (range) {
    const a = Number(range[1]),
      b = Number(range[2]);
    if (b < a) throw new ValueError(`seeds: the range ${text} is empty (expected a..b with a ≤ b)`);
    if (b - a >= 10000) throw new ValueError(`seeds: the range ${text} has ${b - a + 1} seeds (at most 10000)`);
    seeds = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else {
    seeds = text.split(',').map((p) => {
      if (!/^\s*[+-]?\d+\s*$/.test(p))
        throw new ValueError(`seeds: expected a..b or a comma-separated list of integers, got '${text}'`);
      return Number(p);
    });
  }
  if (!seeds.every(Number.isSafeInteger))
    throw new ValueError(`seeds: every seed must be a safe integer, got '${text}'`);
  if (new Set(seeds).size !== seeds.length) throw new ValueError(`seeds: '${text}' repeats a seed`);
  return seeds;
}

/**
 * Runs `experiment` once per seed (options.out, if any, becomes `<out>/seed-<k>/` for seed k) and summarises the
 * headline numbers. `onRun` sees each run's result as it finishes.
 */
export async function runSeeds<O extends ExperimentOptions>(
  experiment: Experiment & { run(options?: O): Promise<ExperimentResult> },
  seeds: number[],
  options: O,
  onRun?: (seed: number, result: ExperimentResult, values: Record<string, number>) => void,
): Promise<SeedSpread> {
  const { spread } = experiment;
  if (!spread) throw new ValueError(`${experiment.name} has no headline numbers to spread over seeds`);
  if (seeds.length === 0) throw new ValueError('runSeeds: no seeds');
  const t0 = performance.now();
  const { join } = options.out ? await import('node:path') : { join: (..._: string[]) => '' };
  const per: Record<string, number>[] = [];
  for (const seed of seeds) {
    const out = options.out ? join(options.out, `seed-${seed}`) : undefined;
    const result = await experiment.run({ ...options, seed, out });
    const values = spread(result);
    per.push(values);
    onRun?.(seed, result, values);
  }
  const keys = Object.keys(per[0]);
  return {
    name: experiment.name,
    title: experiment.title,
    quick: !!options.quick,
    seeds: [...seeds],
    spread: Object.fromEntries(keys.map((k) => [k, spreadOf(per.map((v) => v[k]))])),
    seconds: (performance.now() - t0) / 1000,
  };
}

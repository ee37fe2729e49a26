// What a hyperparameter search is, before any training: its config, every trial's (lr, weight decay) and seeds, and
// which trials a shard runs. All of it is a pure function of the config (whose seed is the search seed), so trial k
// is the same trial whether it runs alone, in a shard, in a worker or inline. Browser-safe.
import type { BackendName } from '../../backend/types.js';
import { ValueError } from '../../errors.js';
import { printable } from '../../printable.js';
import { Rng } from '../../rng.js';

/** Everything that fixes a search's trials and their results (the number of workers does not). */
export interface SearchConfig {
  seed: number;
  quick: boolean;
  backend: BackendName;
  /** The first `samples` MNIST training images, shuffled by the seed; the first floor(samples·validationRate) validate. */
  samples: number;
  validationRate: number;
  trials: number;
  epochs: number;
  sampling: 'independent' | 'latin hypercube';
  batchSize: number;
  hiddenSizes: number[];
  /** log10 ranges of the draws: lr = 10^U(lrRange), weight decay = 10^U(decayRange) (the book's: [−6, −2], [−8, −4]). */
  lrRange: [number, number];
  decayRange: [number, number];
  /** The finding: at least `need` of the best `top` trials have 1e-3 ≤ lr ≤ 1e-2. */
  top: number;
  need: number;
  /** FNV-1a of the samples' pixels and labels (hex), so shards run on different data do not merge. */
  dataHash: string;
}

/** One trial, fully determined: its hyperparameters and the seeds of its net (weights) and Trainer (batches). */
export interface TrialSpec {
  trial: number;
  lr: number;
  weightDecay: number;
  netSeed: number;
  batchSeed: number;
}

/** `--shard i/n`: 1 ≤ index ≤ count. */
export interface Shard {
  index: number;
  count: number;
}

/** The book's log10 ranges: lr = 10^U(−6, −2), weight decay = 10^U(−8, −4). */
export const LR_RANGE: [number, number] = [-6, -2];
export const DECAY_RANGE: [number, number] = [-8, -4];
/** What a range may be: exponents within these bounds (lr ≤ 10, weight decay ≤ 10; nothing below 1e-12). */
export const RANGE_BOUNDS = { lrRange: [-12, 1], decayRange: [-12, 1] } as const;

/** Why `v` is no log10 range [lo, hi] within RANGE_BOUNDS[key] (finite, lo < hi), or undefined if it is one. */
export function rangeProblem(key: keyof typeof RANGE_BOUNDS, v: unknown): string | undefined {
  const [min, max] = RANGE_BOUNDS[key];
  const ok =
    Array.isArray(v) &&
    v.length === 2 &&
    v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max) &&
    v[0] < v[1];
  return ok
    ? undefined
    : `${key} must be two log10 exponents [lo, hi] with ${min} ≤ lo < hi ≤ ${max}, got ${
        Array.isArray(v) ? `[${v.map((x) => printable(x)).join(', ')}]` : printable(v)
      }`;
}

/**
 * The (weight decay, lr) of each trial: weight decay = 10^U(decayRange), lr = 10^U(lrRange) (default the book's
 * [−8, −4] and [−6, −2]). Independent draws as the book (wd first, then lr), or stratified: trial k's exponents
 * fall in strata π(k) and σ(k) of n equal strata, for random permutations π, σ.
 */
export function drawTrials(
  n: number,
  stratified: boolean,
  rng: Rng,
  lrRange: [number, number] = LR_RANGE,
  decayRange: [number, number] = DECAY_RANGE,
): { weightDecay: number; lr: number }[] {
  const strata = (): number[] => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };
  const wdStrata = stratified ? strata() : [],
    lrStrata = stratified ? strata() : [];
  return Array.from({ length: n }, (_, k) => {
    const u = stratified ? (wdStrata[k] + rng.uniform()) / n : rng.uniform();
    const v = stratified ? (lrStrata[k] + rng.uniform()) / n : rng.uniform();
    const [d0, d1] = decayRange,
      [l0, l1] = lrRange;
    return { weightDecay: 10 ** (d0 + (d1 - d0) * u), lr: 10 ** (l0 + (l1 - l0) * v) };
  });
}

/**
 * Every trial of the search, drawn up front from the search seed alone: the draws of all `trials` (a Latin
 * hypercube needs them all at once), net seed = seed + 1 + k, batch seed = seed + 1001 + k (the seeds the
 * unsharded search has always used, so earlier results stay reproducible).
 */
export function planTrials(
  config: Pick<SearchConfig, 'seed' | 'trials' | 'sampling'> & Partial<Pick<SearchConfig, 'lrRange' | 'decayRange'>>,
): TrialSpec[] {
  const { seed, trials } = config;
  return drawTrials(
    trials,
    config.sampling === 'latin hypercube',
    new Rng(seed),
    config.lrRange ?? LR_RANGE,
    config.decayRange ?? DECAY_RANGE,
  ).map(({ lr, weightDecay }, k) => ({
    trial: k,
    lr,
    weightDecay,
    netSeed: seed + 1 + k,
    batchSeed: seed + 1001 + k,
  }));
}

/**
 * The trial indices of shard i/n: round-robin, k ≡ i − 1 (mod n). Round-robin rather than contiguous blocks so that
 * shards stay balanced (trials that diverge stop early) and a shard's share of a Latin hypercube spans both ranges.
 */
export function shardTrials(trials: number, shard: Shard): number[] {
  checkShard(shard);
  const out: number[] = [];
  for (let k = shard.index - 1; k < trials; k += shard.count) out.push(k);
  return out;
}

export function checkShard(shard: Shard): void {
  const { index, count } = shard;
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(index) || index < 1 || index > count) {
    throw new ValueError(`shard: expected i/n with integers 1 ≤ i ≤ n, got ${String(index)}/${String(count)}`);
  }
}

/** 'i/n' (spaces and a leading + allowed) → { index, count }; a ValueError for anything else. The CLI's --shard too. */
export function parseShard(text: string): Shard {
  const m = /^\s*\+?(\d+)\s*\/\s*\+?(\d+)\s*$/.exec(text);
  if (!m) throw new ValueError(`shard: expected i/n (like 2/4), got '${text}'`);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  checkShard(shard);
  return shard;
}

/** FNV-1a (32 bit) over the bytes of the arrays, as 8 hex digits. */
export function hashData(...arrays: ArrayBufferView[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

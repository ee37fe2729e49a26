// `zerodl search merge`: the shards of one hyperparameter search (their results.json), checked and combined into
// the report an unsharded run writes. Checks, in order: each file is a shard's results.json (else FormatError);
// all shards have the same search config and seed (else ValueError naming the files and the differing keys); each
// trial's lr and weight decay are the search's draws; together they hold every trial exactly once (else ValueError
// naming the missing and the duplicated trial indices).
import { FormatError, ValueError } from '../../errors.js';
import { Context } from '../context.js';
import { experiment, report, type ShardResults } from '../hyperparameter-search.js';
import type { ExperimentResult } from '../types.js';
import { planTrials, type SearchConfig } from './plan.js';
import type { Trial } from './trial.js';

/** A shard as read from its file. */
export interface ShardFile {
  file: string;
  results: ShardResults;
}

export interface MergeOptions {
  /** Folder for the merged results.json and figures; none = write nothing. */
  out?: string;
  log?: (line: string) => void;
}

/** Reads `<path>/results.json` for a folder, `path` itself otherwise. */
export async function readShard(path: string): Promise<ShardFile> {
  const [{ readFile, stat }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const file = (await stat(path)).isDirectory() ? join(path, 'results.json') : path;
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${file}: not JSON (${(e as Error).message})`);
  }
  return { file, results: shardResultsOf(json, file) };
}

/** The `results` of a shard's results.json, with its shape checked. */
export function shardResultsOf(json: unknown, file: string): ShardResults {
  const r = json as Partial<ExperimentResult> | null;
  if (typeof r !== 'object' || r === null || r.name !== experiment.name) {
    throw new FormatError(`${file}: expected the results.json of a ${experiment.name} shard, found ${describe(r)}`);
  }
  const res = r.results as Partial<ShardResults> | undefined;
  if (!res || typeof res.search !== 'object' || res.search === null) {
    throw new FormatError(`${file}: no search config in results (written by an older zerodl?)`);
  }
  if (typeof res.shard !== 'object' || res.shard === null || !Array.isArray(res.shard.trials)) {
    throw new FormatError(`${file}: not a shard (no results.shard): run the search with --shard i/n to merge it`);
  }
  if (!Array.isArray(res.runs) || res.runs.length !== res.shard.trials.length) {
    throw new FormatError(`${file}: expected ${res.shard.trials.length} runs (one per trial of the shard), found ` +
      `${Array.isArray(res.runs) ? res.runs.length : 'none'}`);
  }
  res.runs.forEach((t, i) => {
    const ok = typeof t === 'object' && t !== null && Number.isSafeInteger(t.trial) && t.trial === res.shard!.trials[i] &&
      typeof t.lr === 'number' && typeof t.weightDecay === 'number' && typeof t.finalVal === 'number' &&
      typeof t.diverged === 'boolean' && Array.isArray(t.valAcc) && Array.isArray(t.trainAcc);
    if (!ok) {
      throw new FormatError(`${file}: runs[${i}] is not trial ${res.shard!.trials[i]} with lr, weightDecay, finalVal, ` +
        'diverged, valAcc, trainAcc');
    }
  });
  return res as ShardResults;
}

function describe(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  const n = (v as { name?: unknown }).name;
  return n === undefined ? 'an object with no name' : `'${String(n)}'`;
}

/**
 * Checks that the shards are one search, complete and without overlap; returns its config and all its trials in
 * index order.
 */
export function combineShards(shards: ShardFile[]): { config: SearchConfig; trials: Trial[] } {
  if (shards.length === 0) throw new ValueError('search merge: expected at least one shard');
  const first = shards[0], config = first.results.search;
  for (const s of shards.slice(1)) {
    const diff = differingKeys(config, s.results.search);
    if (diff.length > 0) {
      throw new ValueError(`${s.file} is not from the same search as ${first.file}: ` +
        diff.map((k) => `${k} ${JSON.stringify(s.results.search[k])} ≠ ${JSON.stringify(config[k])}`).join(', '));
    }
  }
  const plan = planTrials(config);
  const found = new Map<number, { trial: Trial; file: string }>();
  const duplicates = new Map<number, string[]>();
  const outside: number[] = [];
  for (const s of shards) {
    for (const t of s.results.runs) {
      if (t.trial < 0 || t.trial >= config.trials) { outside.push(t.trial); continue; }
      const p = plan[t.trial];
      if (t.lr !== p.lr || t.weightDecay !== p.weightDecay) {
        throw new ValueError(`${s.file}: trial ${t.trial} has lr ${t.lr}, weight decay ${t.weightDecay}, but the search ` +
          `(seed ${config.seed}) draws lr ${p.lr}, weight decay ${p.weightDecay}`);
      }
      const seen = found.get(t.trial);
      if (seen) duplicates.set(t.trial, [...(duplicates.get(t.trial) ?? [seen.file]), s.file]);
      else found.set(t.trial, { trial: t, file: s.file });
    }
  }
  const missing = plan.map((p) => p.trial).filter((k) => !found.has(k));
  const problems: string[] = [];
  if (outside.length > 0) problems.push(`trials outside 0..${config.trials - 1}: ${outside.join(', ')}`);
  if (missing.length > 0) problems.push(`missing trials ${ranges(missing)}`);
  if (duplicates.size > 0) {
    problems.push(`duplicate trials ${[...duplicates].map(([k, files]) => `${k} (in ${files.join(', ')})`).join('; ')}`);
  }
  if (problems.length > 0) {
    throw new ValueError(`search merge: the ${shards.length} shard(s) do not cover the ${config.trials} trials exactly once: ` +
      problems.join('; '));
  }
  return { config, trials: plan.map((p) => found.get(p.trial)!.trial) };
}

/** Keys of the config whose values differ (compared as JSON: hiddenSizes is an array). */
function differingKeys(a: SearchConfig, b: SearchConfig): (keyof SearchConfig)[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof SearchConfig)[];
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** 0, 1, 2, 5, 7, 8 → '0–2, 5, 7–8'. */
function ranges(ks: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ks.length;) {
    let j = i;
    while (j + 1 < ks.length && ks[j + 1] === ks[j] + 1) j++;
    parts.push(j === i ? `${ks[i]}` : `${ks[i]}–${ks[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Reads the shards' results.json files (or folders holding one), checks them and writes the search's report. */
export async function mergeShards(paths: string[], options: MergeOptions = {}): Promise<ExperimentResult> {
  const shards = await Promise.all(paths.map(readShard));
  const { config, trials } = combineShards(shards);
  const ctx = new Context(experiment.name, experiment.title,
    { seed: config.seed, quick: config.quick, backend: config.backend, out: options.out, log: options.log });
  ctx.log(`merging ${shards.length} shard(s): ${config.trials} trials × ${config.epochs} epochs, seed ${config.seed}`);
  return report(ctx, config, trials);
}

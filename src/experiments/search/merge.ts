// `zerodl search merge` (and the chapter site's merge of a search split over Workers, site/run.ts): the shards of one hyperparameter search (their results.json), checked and combined into
// the report an unsharded run writes. Checks, in order: each file is a shard's results.json (else FormatError);
// all shards have the same search config and seed (else ValueError naming the files and the differing keys); each
// trial's lr and weight decay are the search's draws; together they hold every trial exactly once (else ValueError
// naming the missing and the duplicated trial indices).
import { BACKEND_NAMES } from '../../backend/index.js';
import type { BackendName } from '../../backend/types.js';
import { FormatError, ValueError } from '../../errors.js';
import { printable } from '../../printable.js';
import { Context } from '../context.js';
import { experiment, fixedConfig, report, type ShardResults } from '../hyperparameter-search.js';
import type { ExperimentResult } from '../types.js';
import { planTrials, rangeProblem, type SearchConfig, shardTrials } from './plan.js';
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

/**
 * Limits of what merge reads: a shard file of at most 64 MiB (checked before it is read) and a search of at most
 * 100,000 trials × 100,000 epochs (checked before anything is planned or allocated for it).
 */
export const MAX_SHARD_BYTES = 64 << 20;
export const MAX_SEARCH_TRIALS = 100_000;
export const MAX_SEARCH_EPOCHS = 100_000;

/** Reads `<path>/results.json` for a folder, `path` itself otherwise. */
export async function readShard(path: string): Promise<ShardFile> {
  const [{ readFile, stat }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const file = (await stat(path)).isDirectory() ? join(path, 'results.json') : path;
  const info = await stat(file);
  if (!info.isFile())
    throw new FormatError(`${file}: expected a shard's results.json, found something that is not a file`);
  if (info.size > MAX_SHARD_BYTES) {
    throw new FormatError(
      `${file}: ${info.size} bytes, more than a shard's results.json may have (${MAX_SHARD_BYTES})`,
    );
  }
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${file}: not JSON (${(e as Error).message})`);
  }
  return { file, results: shardResultsOf(json, file) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

/** `value` as a short JSON text for messages (files may be large). */
function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The object's keys must be exactly `keys`. */
function checkKeys(v: Record<string, unknown>, keys: readonly string[], where: string): void {
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  const missing = keys.filter((k) => !Object.hasOwn(v, k));
  if (extra.length > 0 || missing.length > 0) {
    throw new FormatError(
      `${where}: expected the keys ${keys.join(', ')}` +
        (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
        (extra.length > 0 ? `; unknown ${extra.map(show).join(', ')}` : ''),
    );
  }
}

const CONFIG_KEYS = [
  'seed',
  'quick',
  'backend',
  'samples',
  'validationRate',
  'trials',
  'epochs',
  'sampling',
  'batchSize',
  'hiddenSizes',
  'lrRange',
  'decayRange',
  'top',
  'need',
  'dataHash',
] as const;
const RUN_KEYS = ['trial', 'lr', 'weightDecay', 'valAcc', 'trainAcc', 'finalVal', 'diverged'] as const;

/** A shard's search config: every key of its type, the sizes bounded, the fixed parts those of this version. */
function searchConfigOf(v: unknown, file: string): SearchConfig {
  if (!isObject(v)) throw new FormatError(`${file}: no search config in results (written by an older zerodl?)`);
  const where = `${file}: results.search`;
  checkKeys(v, CONFIG_KEYS, where);
  const bad = (key: string, expected: string): never => {
    throw new FormatError(`${where}.${key}: expected ${expected}, found ${show(v[key])}`);
  };
  if (!Number.isSafeInteger(v.seed)) bad('seed', 'an integer');
  if (typeof v.quick !== 'boolean') bad('quick', 'true or false');
  if (!BACKEND_NAMES.includes(v.backend as BackendName))
    bad('backend', BACKEND_NAMES.map((b) => `'${b}'`).join(' or '));
  if (!isInt(v.trials, 1, MAX_SEARCH_TRIALS)) bad('trials', `an integer from 1 to ${MAX_SEARCH_TRIALS}`);
  if (!isInt(v.epochs, 1, MAX_SEARCH_EPOCHS)) bad('epochs', `an integer from 1 to ${MAX_SEARCH_EPOCHS}`);
  if (typeof v.dataHash !== 'string' || !/^[0-9a-f]{8}$/.test(v.dataHash)) bad('dataHash', '8 hex digits');
  for (const key of ['lrRange', 'decayRange'] as const) {
    const problem = rangeProblem(key, v[key]);
    if (problem) throw new FormatError(`${where}.${problem}`);
  }
  const fixed = fixedConfig(v.quick as boolean);
  for (const [key, value] of Object.entries(fixed)) {
    if (JSON.stringify(v[key]) !== JSON.stringify(value)) {
      bad(key, `${show(value)} (what every ${v.quick ? 'quick ' : ''}search of this zerodl version uses)`);
    }
  }
  return v as unknown as SearchConfig;
}

/**
 * The `results` of a shard's results.json, every field checked against the schema and against what can be
 * recomputed: the shard's trial indices from its i/n, each run's trial index, its curves one accuracy per epoch (none
 * if it diverged), each accuracy a count of right answers over the validation (or training) set, finalVal the last
 * validation accuracy (0 if diverged). The lr and weight decay are checked against the search's draws by
 * combineShards.
 */
export function shardResultsOf(json: unknown, file: string): ShardResults {
  if (!isObject(json) || json.name !== experiment.name) {
    throw new FormatError(`${file}: expected the results.json of a ${experiment.name} shard, found ${describe(json)}`);
  }
  const res = json.results;
  if (!isObject(res)) throw new FormatError(`${file}: no search config in results (written by an older zerodl?)`);
  const config = searchConfigOf(res.search, file);
  const shard = res.shard;
  if (!isObject(shard) || !Array.isArray(shard.trials)) {
    throw new FormatError(`${file}: not a shard (no results.shard): run the search with --shard i/n to merge it`);
  }
  checkKeys(shard, ['index', 'count', 'trials'], `${file}: results.shard`);
  if (!isInt(shard.count, 1, config.trials) || !isInt(shard.index, 1, shard.count)) {
    throw new FormatError(
      `${file}: results.shard: expected i/n with integers 1 ≤ i ≤ n ≤ ${config.trials} (the trials), ` +
        `found ${show(shard.index)}/${show(shard.count)}`,
    );
  }
  const expected = shardTrials(config.trials, { index: shard.index, count: shard.count });
  if (JSON.stringify(shard.trials) !== JSON.stringify(expected)) {
    throw new FormatError(
      `${file}: results.shard.trials: shard ${shard.index}/${shard.count} of ${config.trials} trials runs ` +
        `trials ${show(expected)}, found ${show(shard.trials)}`,
    );
  }
  const runs = res.runs;
  if (!Array.isArray(runs) || runs.length !== expected.length) {
    throw new FormatError(
      `${file}: expected ${expected.length} runs (one per trial of the shard), found ` +
        `${Array.isArray(runs) ? runs.length : 'none'}`,
    );
  }
  const validationSize = Math.floor(config.samples * config.validationRate);
  const trainSize = config.samples - validationSize;
  // A loop, not forEach: an array built in code may have holes, and forEach skips them.
  for (let i = 0; i < runs.length; i++)
    checkRun(runs[i], expected[i], config.epochs, validationSize, trainSize, `${file}: runs[${i}]`);
  return res as unknown as ShardResults;
}

/** One run of a shard (see shardResultsOf). */
function checkRun(
  t: unknown,
  trial: number,
  epochs: number,
  validationSize: number,
  trainSize: number,
  where: string,
): void {
  if (!isObject(t)) {
    throw new FormatError(`${where} is not trial ${trial} with ${RUN_KEYS.join(', ')}`);
  }
  checkKeys(t, RUN_KEYS, where);
  if (t.trial !== trial) throw new FormatError(`${where}: expected trial ${trial}, found ${show(t.trial)}`);
  for (const key of ['lr', 'weightDecay'] as const) {
    if (typeof t[key] !== 'number' || !Number.isFinite(t[key]))
      throw new FormatError(`${where}.${key}: expected a number, found ${show(t[key])}`);
  }
  if (typeof t.diverged !== 'boolean')
    throw new FormatError(`${where}.diverged: expected true or false, found ${show(t.diverged)}`);
  const length = t.diverged ? 0 : epochs;
  for (const [key, n] of [
    ['valAcc', validationSize],
    ['trainAcc', trainSize],
  ] as const) {
    const curve = t[key];
    if (!Array.isArray(curve) || curve.length !== length) {
      throw new FormatError(
        `${where}.${key}: expected ${length} accuracies (${
          t.diverged ? 'none: the trial diverged' : 'one per epoch'
        }), found ${Array.isArray(curve) ? curve.length : show(curve)}`,
      );
    }
    // An accuracy is (right answers) / n, so n·acc is an integer from 0 to n.
    const bad = curve.findIndex((a) => typeof a !== 'number' || !(a >= 0 && a <= 1) || Math.round(a * n) / n !== a);
    if (bad >= 0) {
      throw new FormatError(
        `${where}.${key}[${bad}]: expected an accuracy k/${n} (k right answers of ${n}), found ${show(curve[bad])}`,
      );
    }
  }
  const finalVal = t.diverged ? 0 : (t.valAcc as number[])[epochs - 1];
  if (t.finalVal !== finalVal) {
    throw new FormatError(
      `${where}.finalVal: expected ${finalVal} (${
        t.diverged ? 'a diverged trial scores 0' : 'the last validation accuracy'
      }), found ${show(t.finalVal)}`,
    );
  }
}

function describe(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  const n = (v as { name?: unknown }).name;
  return n === undefined ? 'an object with no name' : `'${printable(n)}'`;
}

/**
 * Checks that the shards (as readShard returns them) are one search, complete and without overlap; returns its
 * config and all its trials in index order.
 */
export function combineShards(shards: ShardFile[]): { config: SearchConfig; trials: Trial[] } {
  if (shards.length === 0) throw new ValueError('search merge: expected at least one shard');
  const first = shards[0],
    config = first.results.search;
  for (const s of shards.slice(1)) {
    const diff = differingKeys(config, s.results.search);
    if (diff.length > 0) {
      throw new ValueError(
        `${s.file} is not from the same search as ${first.file}: ` +
          diff.map((k) => `${k} ${JSON.stringify(s.results.search[k])} ≠ ${JSON.stringify(config[k])}`).join(', '),
      );
    }
  }
  const plan = planTrials(config);
  const found = new Map<number, { trial: Trial; file: string }>();
  const duplicates = new Map<number, string[]>();
  const outside: number[] = [];
  for (const s of shards) {
    for (const t of s.results.runs) {
      if (t.trial < 0 || t.trial >= config.trials) {
        outside.push(t.trial);
        continue;
      }
      const p = plan[t.trial];
      if (t.lr !== p.lr || t.weightDecay !== p.weightDecay) {
        throw new ValueError(
          `${s.file}: trial ${t.trial} has lr ${t.lr}, weight decay ${t.weightDecay}, but the search ` +
            `(seed ${config.seed}) draws lr ${p.lr}, weight decay ${p.weightDecay}`,
        );
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
    problems.push(
      `duplicate trials ${[...duplicates].map(([k, files]) => `${k} (in ${files.join(', ')})`).join('; ')}`,
    );
  }
  if (problems.length > 0) {
    throw new ValueError(
      `search merge: the ${shards.length} shard(s) do not cover the ${config.trials} trials exactly once: ` +
        problems.join('; '),
    );
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
  for (let i = 0; i < ks.length; ) {
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
  if (options.out !== undefined)
    await checkOutIsNoInput(
      options.out,
      shards.map((s) => s.file),
    );
  const ctx = new Context(experiment.name, experiment.title, {
    seed: config.seed,
    quick: config.quick,
    backend: config.backend,
    out: options.out,
    log: options.log,
  });
  ctx.log(`merging ${shards.length} shard(s): ${config.trials} trials × ${config.epochs} epochs, seed ${config.seed}`);
  return report(ctx, config, trials);
}

/** The merged report must not go into the folder of an input shard: its results.json would be overwritten. */
async function checkOutIsNoInput(out: string, files: string[]): Promise<void> {
  const [{ realpath }, { dirname, resolve }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const real = (p: string): Promise<string> => realpath(p).catch(() => resolve(p)); // a new folder: as given
  const outDir = await real(out);
  for (const file of files) {
    if (dirname(await real(file)) === outDir) {
      throw new ValueError(
        `search merge: the output folder ${out} holds the input ${file}, which the merged report ` +
          'would overwrite: choose another output folder',
      );
    }
  }
}

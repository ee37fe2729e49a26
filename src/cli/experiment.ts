// `zerodl experiment <name>`: one of the book's ch06 scripts, re-run — its summary table, its findings checked
// (✓ held, ✗ did not) and the figures written.
import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKEND_NAMES, init, threadCount } from '../backend/index.js';
import { ValueError } from '../errors.js';
import { experiment as search, type SearchOptions } from '../experiments/hyperparameter-search.js';
import { experiments, listExperiments, runExperiment, type ExperimentResult } from '../experiments/index.js';
import { makeDirectory, writeResultsJson } from '../io/file.node.js';
import { KNOB_FLAGS, knobOptions, knobUsage } from './experiment-flags.js';
import { NUMPY_DRAWS } from '../experiments/context.js';
import { parseSeeds, runSeeds, type SeedSpread } from '../experiments/spread.js';
import {
  choice,
  type CliIO,
  integer,
  type OptionSpec,
  parse,
  positiveInt,
  shardSpec,
  str,
  threadsFlag,
  UsageError,
} from './args.js';

export const EXPERIMENT_OPTIONS: OptionSpec = {
  out: { type: 'string' },
  'no-out': { type: 'boolean' },
  seed: { type: 'string' },
  seeds: { type: 'string' },
  draws: { type: 'string' },
  quick: { type: 'boolean' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  // hyperparameter-search only
  workers: { type: 'string' },
  shard: { type: 'string' },
  trials: { type: 'string' },
  epochs: { type: 'string' },
  // batchnorm only
  scales: { type: 'string' },
  // dropout only
  ratios: { type: 'string' },
  // each experiment's own settings (experiment-flags.ts; --epochs among them)
  ...Object.fromEntries(
    Object.keys(KNOB_FLAGS)
      .filter((f) => f !== 'epochs')
      .map((f) => [f, { type: 'string' as const }]),
  ),
};

/** The flags only hyperparameter-search takes. */
const SEARCH_FLAGS = ['workers', 'shard', 'trials'] as const;

export function experimentUsage(): string {
  const names = listExperiments()
    .map(({ name, title }) => `  ${name.padEnd(24)}${title}`)
    .join('\n');
  return `Usage: zerodl experiment <name> [options]
       zerodl experiment list

Re-runs one of the book's chapter-6 experiments: prints its summary and findings, writes its figures.

  --out DIR        where results.json and the figures go        [report/<name>/]
  --no-out         write nothing
  --seed N         initial weights, batches, masks, draws       [0]
  --seeds A..B     run once per seed (or a list: 0,3,7): each run in <out>/seed-K/,
                   the spread of the headline numbers (mean ± sd, min, max, every
                   seed's value) printed and in <out>/results.json
  --draws NAME     zerodl | numpy: numpy replays the book script's own random
                   draws (np.random.seed(seed)); optimizer-mnist, init-mnist,
                   batchnorm, weight-decay                      [zerodl]
  --quick          a smaller run that still shows the finding
  --backend NAME   ${BACKEND_NAMES.join(' | ')}                                    [wasm]
  --threads N      kernel threads of the wasm backend           [1]
  --json           print the result as one JSON object, the last line of stdout
  -q, --quiet      no progress lines
  -h, --help       show this help

hyperparameter-search only:
  --workers N      run trials in N worker threads               [1: inline]
  --shard I/N      run only trials k ≡ I−1 (mod N), for \`zerodl search merge\`
                   (default out: report/hyperparameter-search/shard-I-of-N/)
  --trials N       number of trials                             [100, quick 20]

batchnorm only:
  --scales I,J     only these panels: indices 0…15 of logspace(0, −4, 16), 0 = W 1

dropout only:
  --ratios R,S     dropout ratios in [0, 1), one run each       [0,0.2]

Each experiment's own settings (the chapter pages' knobs; the experiment checks the values):
${knobUsage()}

Experiments:
${names}`;
}

/** A table with a header row and columns aligned: numbers to the right, text to the left. */
export function formatTable(columns: string[], rows: (string | number)[][]): string[] {
  const cells = rows.map((row) => columns.map((_, j) => formatCell(row[j])));
  const numeric = columns.map((_, j) => rows.length > 0 && rows.every((row) => typeof row[j] === 'number'));
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
  const line = (row: string[]) =>
    row
      .map((s, j) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)];
}

function formatCell(v: string | number | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

export async function runExperimentCommand(argv: string[], io: CliIO): Promise<number> {
  const { values: v, positionals } = parse(argv, EXPERIMENT_OPTIONS, 'experiment', 1);
  if (v.help) {
    io.stdout.write(experimentUsage() + '\n');
    return 0;
  }
  const name = positionals[0];
  if (name === undefined) throw new UsageError('expected an experiment name (or `list`)', 'experiment');
  if (name === 'list') {
    if (v.json) io.stdout.write(JSON.stringify(listExperiments()) + '\n');
    else for (const { name: n, title } of listExperiments()) io.stdout.write(`${n.padEnd(24)}${title}\n`);
    return 0;
  }
  if (!Object.hasOwn(experiments, name)) {
    throw new UsageError(
      `unknown experiment '${name}': expected one of ${Object.keys(experiments).join(', ')} ` + '(or list)',
      'experiment',
    );
  }
  if (v.out !== undefined && v['no-out'])
    throw new UsageError('--out and --no-out contradict each other', 'experiment');
  const seed = integer(str(v, 'seed') ?? '0', 'seed', 'experiment');
  const backend = choice(str(v, 'backend') ?? 'wasm', 'backend', BACKEND_NAMES, 'experiment');
  const draws = choice(str(v, 'draws') ?? 'zerodl', 'draws', ['zerodl', 'numpy'] as const, 'experiment');
  if (draws === 'numpy' && !NUMPY_DRAWS.includes(name)) {
    throw new UsageError(`--draws numpy applies to ${NUMPY_DRAWS.join(', ')} only`, 'experiment');
  }
  const extra: SearchOptions = {};
  for (const flag of SEARCH_FLAGS) {
    const value = str(v, flag);
    if (value === undefined) continue;
    if (name !== search.name) throw new UsageError(`--${flag} applies to ${search.name} only`, 'experiment');
    if (flag === 'shard') extra.shard = shardSpec(value, flag, 'experiment');
    else extra[flag] = positiveInt(value, flag, 'experiment');
  }
  const only: { scales?: number[]; ratios?: number[] } = {};
  const scales = str(v, 'scales'),
    ratios = str(v, 'ratios');
  if (scales !== undefined) {
    if (name !== 'batchnorm') throw new UsageError('--scales applies to batchnorm only', 'experiment');
    only.scales = scales.split(',').map((p) => integer(p, 'scales', 'experiment'));
  }
  if (ratios !== undefined) {
    if (name !== 'dropout') throw new UsageError('--ratios applies to dropout only', 'experiment');
    only.ratios = ratios.split(',').map((p) => {
      const x = Number(p);
      if (p.trim() === '' || !Number.isFinite(x))
        throw new UsageError(`--ratios: '${p}' is not a number`, 'experiment');
      return x;
    });
  }
  const knobs = knobOptions(name, v);
  const seedsText = str(v, 'seeds');
  let seeds: number[] | undefined;
  if (seedsText !== undefined) {
    if (str(v, 'seed') !== undefined) throw new UsageError('--seed and --seeds contradict each other', 'experiment');
    if (extra.shard)
      throw new UsageError('--seeds runs whole experiments: it cannot be combined with --shard', 'experiment');
    if (!experiments[name].spread)
      throw new UsageError(`--seeds: ${name} has no headline numbers to spread`, 'experiment');
    try {
      seeds = parseSeeds(seedsText);
    } catch (e) {
      if (e instanceof ValueError) throw new UsageError(`--${e.message}`, 'experiment');
      throw e;
    }
  }
  const threads = threadsFlag(str(v, 'threads') ?? '1', 'threads', 'experiment');
  if (threads > 1 && backend !== 'wasm')
    throw new UsageError('--threads applies to the wasm backend only', 'experiment');
  if (threads > 1 && (extra.workers ?? 1) > 1) {
    throw new UsageError('--threads and --workers both spread work over the cores: use one of them', 'experiment');
  }
  if (threads > 1) await init({ threads });
  const defaultOut = extra.shard
    ? join('report', name, `shard-${extra.shard.index}-of-${extra.shard.count}`)
    : join('report', name);
  const out = v['no-out'] ? undefined : (str(v, 'out') ?? defaultOut);
  // Made now so that an unwritable folder fails before the run, not after it; removed again if the run fails
  // before writing anything into it (an option the experiment refuses leaves no trace).
  const fresh = out !== undefined && !existsSync(out);
  if (out) await makeDirectory(out);
  const dropIfUnused = () => (fresh && out ? rmdir(out).catch(() => undefined) : undefined);
  const human = v.json ? io.stderr : io.stdout;
  const say = (line: string) => {
    if (!v.quiet) human.write(line + '\n');
  };

  say(
    `experiment ${name}${v.quick ? ' (quick)' : ''}, ${seeds ? `seeds ${seedsText}` : `seed ${seed}`}` +
      `${draws === 'numpy' ? ' (numpy draws)' : ''}, ${backend} backend` +
      `${threadCount() > 1 ? `, ${threadCount()} threads` : ''}`,
  );
  const common = {
    out,
    quick: !!v.quick,
    backend,
    draws,
    log: say,
    signal: io.signal,
    ...extra,
    ...only,
    ...knobs,
  };
  if (seeds) return runSpread(name, seeds, common, io, !!v.json, dropIfUnused);
  let result: ExperimentResult;
  try {
    result = await runExperiment(name, { ...common, seed });
  } catch (error) {
    if (io.signal?.aborted) {
      io.stderr.write(`interrupted: experiment ${name} stopped, nothing more written\n`);
      return 130;
    }
    await dropIfUnused();
    throw error;
  }
  printResult(result, out, io, !!v.json);
  return 0;
}

/** `--seeds`: one run per seed, a line per run, then the spread table; `<out>/results.json` holds the spread. */
async function runSpread(
  name: string,
  seeds: number[],
  options: SearchOptions,
  io: CliIO,
  json: boolean,
  dropIfUnused: () => Promise<unknown> | undefined,
): Promise<number> {
  const human = json ? io.stderr : io.stdout;
  let spread: SeedSpread;
  try {
    spread = await runSeeds(experiments[name], seeds, options, (seed, result, values) => {
      const held = result.findings.filter((f) => f.holds).length;
      human.write(
        `seed ${seed}: ${Object.entries(values)
          .map(([k, x]) => `${k} ${x.toPrecision(4)}`)
          .join(' · ')}` + `  (${held} of ${result.findings.length} findings held, ${result.seconds.toFixed(1)} s)\n`,
      );
    });
  } catch (error) {
    if (io.signal?.aborted) {
      io.stderr.write(`interrupted: experiment ${name} stopped, nothing more written\n`);
      return 130;
    }
    await dropIfUnused();
    throw error;
  }
  if (options.out) {
    await writeResultsJson(options.out, spread);
  }
  const lines = [
    `${spread.title}: ${seeds.length} seeds (${spread.seconds.toFixed(1)} s${spread.quick ? ', quick' : ''})`,
    '',
  ];
  const p4 = (x: number) => Number(x.toPrecision(4));
  lines.push(
    ...formatTable(
      ['headline number', 'mean', 'sd', 'min', 'max'],
      Object.entries(spread.spread).map(([k, s]) => [k, p4(s.mean), p4(s.sd), p4(s.min), p4(s.max)]),
    ),
    '',
  );
  lines.push('sd: sample standard deviation (n − 1)');
  if (options.out)
    lines.push(`results: ${join(options.out, 'results.json')} (each seed's run in ${join(options.out, 'seed-K')})`);
  human.write(lines.join('\n') + '\n');
  if (json) io.stdout.write(JSON.stringify(spread) + '\n');
  return 0;
}

/**
 * The human summary (title, table, findings, files) — always, also with --quiet; with `json` it goes to stderr
 * and stdout gets the result as one JSON line.
 */
export function printResult(result: ExperimentResult, out: string | undefined, io: CliIO, json: boolean): void {
  const lines = [
    `${result.title}  (${result.seconds.toFixed(1)} s${result.quick ? ', quick' : ''}, seed ${result.seed})`,
    '',
  ];
  lines.push(...formatTable(result.summary.columns, result.summary.rows), '');
  for (const f of result.findings) lines.push(`${f.holds ? '✓' : '✗'} ${f.claim}`);
  const shard = (result.results as { shard?: { index: number; count: number } }).shard;
  if (shard)
    lines.push(`shard ${shard.index}/${shard.count}: findings are judged on all trials, by \`zerodl search merge\``);
  else lines.push(`${result.findings.filter((f) => f.holds).length} of ${result.findings.length} findings held`);
  if (result.figures.length > 0) lines.push('', `figures: ${result.figures.join(', ')}`);
  if (out) lines.push(`results: ${join(out, 'results.json')}`);
  (json ? io.stderr : io.stdout).write(lines.join('\n') + '\n');
  if (json) io.stdout.write(JSON.stringify(result) + '\n');
}

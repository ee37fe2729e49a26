// Issue 10: fuzzing (fast-check) the command line and `search merge`'s shard reader, in-process. Whatever the
// arguments or the shard files hold, the outcome is a result or a typed error: exit code 0, 1 or 2 with a one-line
// message and never a stack trace, UsageError from the parser, FormatError / ValueError from the shard reader.
// Bounded: a fixed number of runs per property and a time budget (fast-check stops early, without failing, past it).
// Commands that would run are kept cheap by guard flags at the end of the line (util.parseArgs keeps the last value):
// `--data <missing folder>` for train, `--threads 0` for experiment; paths are relative to a temp folder.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OptionSpec, UsageError } from '../../src/cli/args.js';
import { EVAL_OPTIONS } from '../../src/cli/eval.js';
import { EXPERIMENT_OPTIONS } from '../../src/cli/experiment.js';
import { main } from '../../src/cli/main.js';
import { PREDICT_OPTIONS } from '../../src/cli/predict.js';
import { parseTrainArgs, TRAIN_OPTIONS } from '../../src/cli/train.js';
import { ZerodlError } from '../../src/errors.js';
import { combineShards, shardResultsOf } from '../../src/experiments/search/merge.node.js';
import { sink } from '../cli/helpers.js';
import { shardJson } from './shards.js';

const BUDGET = { interruptAfterTimeLimit: 20_000, markInterruptAsFailure: false } as const;
const STACK = /\n\s+at |node:internal|\bat .*\.(ts|js):\d+/;

const FLAGS = [
  '--hidden',
  '--activation',
  '--init',
  '--batchnorm',
  '--dropout',
  '--weight-decay',
  '--optimizer',
  '--lr',
  '--momentum',
  '--decay-rate',
  '--beta1',
  '--beta2',
  '--epochs',
  '--batch-size',
  '--train-size',
  '--eval-samples',
  '--seed',
  '--backend',
  '--threads',
  '--data',
  '--save',
  '--out',
  '--no-out',
  '--json',
  '--quiet',
  '-q',
  '--help',
  '-h',
  '--model',
  '--index',
  '--quick',
  '--shard',
  '--workers',
  '--trials',
  '--foo',
  '--',
  '-',
  '--constructor',
  '--__proto__',
  '-x',
];
const WORDS = [
  '0',
  '1',
  '2',
  '-1',
  '-0',
  '+5',
  '1.5',
  '1e3',
  '1e400',
  '-1e-9',
  'NaN',
  'Infinity',
  '0x10',
  '256',
  '257',
  '1000',
  '9007199254740993',
  '',
  ' ',
  'abc',
  'relu',
  'sigmoid',
  'tanh',
  'he',
  'xavier',
  'adam',
  'sgd',
  'momentum',
  'wasm',
  'js',
  '1/2',
  '0/0',
  '3/2',
  '2/1',
  '100,100',
  '100,,100',
  'none',
  '__proto__',
  'constructor',
  'toString',
  'merge',
  'list',
  '.',
  'x/y',
];
const value = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ maxLength: 6 }),
  fc.integer().map(String),
  fc.double().map(String),
);
const token = fc.oneof(
  fc.constantFrom(...FLAGS),
  value,
  fc.tuple(fc.constantFrom(...FLAGS), value).map(([f, v]) => `${f}=${v}`),
);
// Mostly flag-value pairs of the command's own flags (so that many lines get past the parser to the value checks and
// beyond), some loose tokens and foreign flags.
const flagsOf = (spec: OptionSpec): string[] =>
  Object.entries(spec).flatMap(([k, o]) => [`--${k}`, ...(o.short ? [`-${o.short}`] : [])]);
const VALID = ['0.01', '0.9', '0.5', '3', '10', '100', '50,50', '', 'relu', 'adam', 'js', '1/2', '2'];
const good = fc.oneof(fc.constantFrom(...VALID), value);
function argvOf(flags: string[]): fc.Arbitrary<string[]> {
  const own = fc.constantFrom(...flags);
  const pair = fc.tuple(own, good).map(([f, v]) => [f, v]);
  const flag = own.map((f) => [f]); // a boolean flag, or a string flag missing its value
  return fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: pair },
        { weight: 3, arbitrary: flag },
        { weight: 1, arbitrary: token.map((t) => [t]) },
      ),
      { maxLength: 5 },
    )
    .map((parts) => parts.flat());
}
const argvArb = argvOf(FLAGS);

let dir: string, cwd: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zerodl-reliab-fuzz-'));
  cwd = process.cwd();
  process.chdir(dir); // relative --out, --save, --model and shard paths land in (or are looked up in) the temp folder
});
afterAll(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

/** Runs the command line in-process; fails the property on a throw, an exit code other than 0/1/2 or a stack trace. */
async function expectClean(argv: string[]): Promise<number> {
  const stdout = sink(),
    stderr = sink();
  let code: number;
  try {
    code = await main(argv, { stdout, stderr });
  } catch (error) {
    throw new Error(`main(${JSON.stringify(argv)}) threw ${(error as Error)?.stack ?? String(error)}`);
  }
  expect([0, 1, 2], `${JSON.stringify(argv)} → ${code}: ${stderr.text}`).toContain(code);
  expect(stderr.text, JSON.stringify(argv)).not.toMatch(STACK);
  if (code === 1) expect(stderr.text, JSON.stringify(argv)).toMatch(/^zerodl: [^\n]+\n$/);
  if (code === 2) expect(stderr.text, JSON.stringify(argv)).toMatch(/^zerodl: /);
  return code;
}

describe('the command line (fuzzed)', () => {
  it('parseTrainArgs: options or a UsageError, nothing else', () => {
    fc.assert(
      fc.property(argvOf(flagsOf(TRAIN_OPTIONS)), (argv) => {
        try {
          parseTrainArgs(argv);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
        }
      }),
      { numRuns: 2000, ...BUDGET },
    );
  });

  it('main: every command, exit 0, 1 or 2, a one-line message, no stack trace', async () => {
    const missing = join(dir, 'no-data');
    const names = fc.constantFrom(
      'optimizer-paths',
      'dropout',
      'hyperparameter-search',
      'list',
      'nope',
      'merge',
      '--quick',
    );
    const line = fc.oneof(
      argvOf(flagsOf(TRAIN_OPTIONS)).map((rest) => [
        'train',
        ...rest,
        '--data',
        missing,
        '--threads',
        '1',
        '--epochs',
        '1',
      ]),
      fc
        .tuple(names, argvOf(flagsOf(EXPERIMENT_OPTIONS)))
        .map(([name, rest]) => ['experiment', name, ...rest, '--threads', '0']),
      argvOf(flagsOf(EVAL_OPTIONS)).map((rest) => ['eval', ...rest]),
      argvOf(flagsOf(PREDICT_OPTIONS)).map((rest) => ['predict', ...rest]),
      fc.tuple(names, argvArb).map(([sub, rest]) => ['search', sub, ...rest]),
      fc
        .tuple(fc.constantFrom('help', '--version', 'bogus', '__proto__', '-x', '--help'), argvArb)
        .map(([c, rest]) => [c, ...rest]),
    );
    await fc.assert(
      fc.asyncProperty(line, async (argv) => {
        await expectClean(argv);
      }),
      { numRuns: 300, ...BUDGET },
    );
  });
});

/** Every path into a JSON value (object keys and array indices). */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [prefix, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...prefix, k]))];
}

/** A copy of `v` with the value at `path` replaced (or deleted when `replacement` is undefined). */
function mutate(v: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (replacement === undefined) delete at[last];
  else at[last] = replacement;
  return copy;
}

const goodShards = [shardJson(1, 2), shardJson(2, 2)];
const tampered = fc
  .tuple(
    fc.constantFrom(0, 1),
    fc.nat(),
    fc.option(
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(1e8, 1e12, -1, 0, 0.5, 'abc', null, [], {}, true, 1e308)),
      { nil: undefined },
    ),
  )
  .map(([which, pick, replacement]) => {
    const all = paths(goodShards[which]);
    return { which, json: mutate(goodShards[which], all[pick % all.length], replacement) };
  });

/** Reads the good shards, shard `which` replaced by `json`, and merges them (throws what the reader or merge throws). */
function mergeTampered(which: number, json: unknown): void {
  const shards = goodShards.map((g, i) => ({
    file: `s${i}.json`,
    results: shardResultsOf(i === which ? json : structuredClone(g), `s${i}.json`),
  }));
  combineShards(shards);
}

describe("search merge's shard reader (fuzzed)", () => {
  it('shardResultsOf on arbitrary JSON: a shard or a FormatError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        try {
          shardResultsOf(json, 'fuzz.json');
        } catch (error) {
          if (!(error instanceof ZerodlError)) throw error;
          expect(error.name).toBe('FormatError');
        }
      }),
      { numRuns: 1000, ...BUDGET },
    );
  });

  it('every field of a good shard replaced by an object that cannot be made a string: a FormatError / ValueError', () => {
    // {"toString": []} is plain JSON, and String() or a template literal of it throws a TypeError (found by the
    // property below, 2026-12-03: the lrRange message of search/plan.ts's rangeProblem).
    const hostiles: unknown[] = [{ toString: [] }, { toString: [], valueOf: [] }, [{ toString: [] }, 1]];
    for (const hostile of hostiles) {
      for (const which of [0, 1]) {
        for (const path of paths(goodShards[which])) {
          try {
            mergeTampered(which, mutate(goodShards[which], path, hostile));
          } catch (error) {
            if (!(error instanceof ZerodlError)) throw new Error(`${path.join('.')}: ${String(error)}`);
            expect(['FormatError', 'ValueError'], path.join('.')).toContain(error.name);
          }
        }
      }
    }
  });

  it('one field of a good shard replaced or deleted: read and merged, or a FormatError / ValueError', () => {
    fc.assert(
      fc.property(tampered, ({ which, json }) => {
        try {
          mergeTampered(which, json);
        } catch (error) {
          if (!(error instanceof ZerodlError)) throw error;
          expect(['FormatError', 'ValueError']).toContain(error.name);
        }
      }),
      { numRuns: 2000, ...BUDGET },
    );
  });

  it('zerodl search merge on tampered files: exit 0 or 1, one line, no stack trace', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(tampered, fc.boolean(), async ({ which, json }, asText) => {
        const files = await Promise.all(
          goodShards.map(async (g, i) => {
            const file = join(dir, `m${n}-${i}.json`);
            // Sometimes not JSON at all: the file cut short.
            const text = JSON.stringify(i === which ? json : g) ?? 'undefined';
            await writeFile(file, asText && i === which ? text.slice(0, text.length >> 1) : text);
            return file;
          }),
        );
        n++;
        const code = await expectClean(['search', 'merge', ...files, '--no-out', '-q']);
        expect([0, 1]).toContain(code);
      }),
      { numRuns: 60, ...BUDGET },
    );
  });
});

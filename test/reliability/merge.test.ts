// Issue 10, fault 10: `zerodl search merge` trusted its shard files. Every field is now checked against the schema
// and against what can be recomputed (a shard's trials from its i/n, one accuracy per epoch, accuracies k/n,
// finalVal the last validation accuracy, the fixed parts of the config), sizes are bounded before anything is
// planned, and the merged report never goes into an input shard's folder. The shards here are synthetic (no
// training): consistent with a quick search of 6 trials × 2 epochs, seed 3.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { FormatError, ValueError } from '../../src/errors.js';
import { combineShards, MAX_SEARCH_TRIALS, shardResultsOf } from '../../src/experiments/search/merge.node.js';
import { sink } from '../cli/helpers.js';
import { shardJson } from './shards.js';

const read = (json: unknown, file = 's.json') => shardResultsOf(structuredClone(json), file);

function formatError(json: unknown, message: RegExp): void {
  let error: unknown;
  try {
    read(json);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FormatError);
  expect((error as Error).message).toMatch(/^s\.json: /);
  expect((error as Error).message).toMatch(message);
}

/** A shard with `edit` applied to a copy. */
const edited = (edit: (j: Record<string, any>) => void, index = 1, count = 2) => {
  const j = shardJson(index, count);
  edit(j);
  return j;
};

describe('the shard reader checks every field', () => {
  it('good shards are read and merge', () => {
    const shards = [1, 2, 3].map((i) => ({ file: `s${i}.json`, results: read(shardJson(i, 3)) }));
    expect(combineShards(shards).trials.map((t) => t.trial)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.each([1e8, 1e12, 'abc', -1, 2.5, null])('trials %j: refused before any trial is planned', (trials) => {
    formatError(
      edited((j) => {
        j.results.search.trials = trials;
      }),
      new RegExp(`results\\.search\\.trials: expected an integer from 1 to ${MAX_SEARCH_TRIALS}`),
    );
  });

  it.each([
    ['top', 0],
    ['top', 6],
    ['need', 1],
    ['hiddenSizes', [1]],
    ['hiddenSizes', [100, 100]],
    ['batchSize', 1e9],
    ['samples', 1e9],
    ['validationRate', 0.5],
    ['sampling', 'independent'],
    ['epochs', 0],
    ['seed', 'x'],
    ['quick', 1],
    ['backend', 'gpu'],
    ['dataHash', 7],
  ] as const)('search.%s tampered (%j)', (key, value) => {
    formatError(
      edited((j) => {
        j.results.search[key] = value;
      }),
      new RegExp(`results\\.search\\.${key}: expected`),
    );
  });

  it('unknown or missing keys in the config and in a run', () => {
    formatError(
      edited((j) => {
        j.results.search.constructor = 1;
      }),
      /results\.search: expected the keys .*unknown "constructor"/,
    );
    formatError(
      edited((j) => {
        delete j.results.search.top;
      }),
      /results\.search: expected the keys .*missing top/,
    );
    formatError(
      edited((j) => {
        j.results.runs[0].extra = [1];
      }),
      /runs\[0\]: expected the keys .*unknown "extra"/,
    );
    formatError(
      edited((j) => {
        delete j.results.runs[1].diverged;
      }),
      /runs\[1\]: expected the keys .*missing diverged/,
    );
  });

  it('finalVal that contradicts valAcc, or a diverged trial that scores', () => {
    formatError(
      edited((j) => {
        j.results.runs[0].finalVal = 0.99;
      }),
      /runs\[0\]\.finalVal: expected 0\.01 \(the last validation accuracy\), found 0\.99/,
    );
    // Shard 1/2 holds trials 0, 2, 4; trial 4 (runs[2]) diverged.
    formatError(
      edited((j) => {
        j.results.runs[2].finalVal = 0.5;
      }),
      /runs\[2\]\.finalVal: expected 0 \(a diverged trial scores 0\)/,
    );
  });

  it('curves: one accuracy per epoch (none if diverged), each k/n', () => {
    formatError(
      edited((j) => {
        j.results.runs[0].valAcc.push(0.5);
      }),
      /runs\[0\]\.valAcc: expected 2 accuracies \(one per epoch\), found 3/,
    );
    formatError(
      edited((j) => {
        j.results.runs[2].trainAcc = [0.5];
      }),
      /runs\[2\]\.trainAcc: expected 0 accuracies \(none: the trial diverged\)/,
    );
    formatError(
      edited((j) => {
        j.results.runs[0].valAcc[0] = 0.123;
      }),
      /valAcc\[0\]: expected an accuracy k\/100/,
    );
    formatError(
      edited((j) => {
        j.results.runs[0].trainAcc[1] = 1.5;
      }),
      /trainAcc\[1\]: expected an accuracy k\/400/,
    );
    formatError(
      edited((j) => {
        j.results.runs[0].valAcc[1] = '0.5';
      }),
      /valAcc\[1\]: expected an accuracy/,
    );
  });

  it("the shard's trials must be those of its i/n; runs in that order", () => {
    formatError(
      edited((j) => {
        j.results.shard.trials = [0, 2];
      }),
      /results\.shard\.trials: shard 1\/2 of 6 trials runs trials \[0,2,4\]/,
    );
    formatError(
      edited((j) => {
        j.results.shard.count = 7;
      }),
      /results\.shard: expected i\/n with integers 1 ≤ i ≤ n ≤ 6/,
    );
    formatError(
      edited((j) => {
        j.results.runs.reverse();
      }),
      /runs\[0\]: expected trial 0, found 4/,
    );
    formatError(
      edited((j) => {
        j.results.runs[0].lr = 'fast';
      }),
      /runs\[0\]\.lr: expected a number/,
    );
  });

  it("lr and weight decay must be the search's draws (checked on merging)", () => {
    const s1 = read(shardJson(1, 2)),
      s2 = read(
        edited(
          (j) => {
            j.results.runs[0].weightDecay *= 2;
          },
          2,
          2,
        ),
      );
    expect(() =>
      combineShards([
        { file: 'a', results: s1 },
        { file: 'b', results: s2 },
      ]),
    ).toThrow(ValueError);
  });
});

describe('zerodl search merge (in-process)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zerodl-reliab-merge-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function shardDirs(name: string, jsons: unknown[]): Promise<string[]> {
    return Promise.all(
      jsons.map(async (j, i) => {
        const d = join(dir, name, `shard-${i + 1}`);
        await mkdir(d, { recursive: true });
        await writeFile(join(d, 'results.json'), JSON.stringify(j));
        return d;
      }),
    );
  }

  async function merge(argv: string[]) {
    const stdout = sink(),
      stderr = sink();
    const code = await main(['search', 'merge', ...argv], { stdout, stderr });
    return { code, stdout, stderr };
  }

  it("--out at an input shard's folder: refused, the shard unchanged", async () => {
    const [a, b] = await shardDirs('out', [shardJson(1, 2), shardJson(2, 2)]);
    const before = await readFile(join(a, 'results.json'), 'utf8');
    const r = await merge([a, b, '--out', a, '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr.text).toMatch(
      /^zerodl: search merge: the output folder .*shard-1 holds the input .*shard-1\/results\.json/,
    );
    expect(await readFile(join(a, 'results.json'), 'utf8')).toBe(before);
  });

  it('tampered shards through the command: one line, exit 1, no stack trace', async () => {
    for (const trials of [1e8, 1e12, 'abc']) {
      const paths = await shardDirs(
        `t-${trials}`,
        [1, 2].map((i) => {
          const j = shardJson(i, 2);
          j.results.search.trials = trials;
          return j;
        }),
      );
      const r = await merge([...paths, '--no-out']);
      expect(r.code, String(trials)).toBe(1);
      expect(r.stderr.lines, String(trials)).toHaveLength(1);
      expect(r.stderr.text).toMatch(/results\.search\.trials: expected an integer/);
    }
  });

  it('good shards merge into a report elsewhere', async () => {
    const paths = await shardDirs('good', [shardJson(1, 2), shardJson(2, 2)]);
    const r = await merge([...paths, '--out', join(dir, 'merged'), '--json', '-q']);
    expect(r.code, r.stderr.text).toBe(0);
    const result = JSON.parse(r.stdout.lines.at(-1)!);
    expect(result.results.ranking).toEqual([5, 3, 2, 1, 0, 4]);
    expect(JSON.parse(await readFile(join(dir, 'merged', 'results.json'), 'utf8')).results).toEqual(result.results);
  });
});

// `zerodl experiment hyperparameter-search --shard i/n` and `zerodl search merge`, spawned from the built CLI as a
// batch scheduler would (one process per shard), on a tiny search (quick, 4 trials × 2 epochs); then the flags'
// usage errors in-process.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { sink } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const TINY = ['experiment', 'hyperparameter-search', '--quick', '--trials', '4', '--epochs', '2', '--seed', '3', '-q'];
let dir: string;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' }); // if stale
  dir = await mkdtemp(join(tmpdir(), 'zerodl-search-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function zerodl(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const readJson = async (path: string) => JSON.parse(await readFile(join(dir, path), 'utf8'));

describe('zerodl experiment hyperparameter-search --shard, zerodl search merge', () => {
  it('two shards (one with 2 workers), merged, equal the unsharded run', async () => {
    const [whole, s1, s2] = await Promise.all([
      zerodl([...TINY, '--out', 'whole']),
      zerodl([...TINY, '--shard', '1/2']),
      zerodl([...TINY, '--shard', '2/2', '--workers', '2']),
    ]);
    for (const r of [whole, s1, s2]) expect(r.code, r.stderr).toBe(0);
    expect(s1.stdout).toMatch(/shard 1\/2: findings are judged on all trials/);
    expect(s1.stdout).toContain(`results: ${join('report', 'hyperparameter-search', 'shard-1-of-2', 'results.json')}`);
    const shard2 = await readJson('report/hyperparameter-search/shard-2-of-2/results.json');
    expect(shard2.results.shard).toEqual({ index: 2, count: 2, trials: [1, 3] });

    const m = await zerodl([
      'search',
      'merge',
      'report/hyperparameter-search/shard-2-of-2',
      'report/hyperparameter-search/shard-1-of-2/results.json',
      '--out',
      'merged',
      '--json',
      '-q',
    ]);
    expect(m.code, m.stderr).toBe(0);
    const merged = JSON.parse(m.stdout.trimEnd().split('\n').at(-1)!);
    const unsharded = await readJson('whole/results.json');
    expect(merged.results).toEqual(unsharded.results);
    expect(merged.summary).toEqual(unsharded.summary);
    expect(merged.findings).toEqual(unsharded.findings);
    expect(await readJson('merged/results.json')).toEqual({ ...merged, seconds: expect.any(Number) }); // written a moment earlier
    expect(m.stderr).toMatch(/of 1 findings held/);

    const missing = await zerodl(['search', 'merge', 'report/hyperparameter-search/shard-2-of-2', '--no-out']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^zerodl: search merge: the 1 shard\(s\) do not cover the 4 trials exactly once: missing trials 0, 2\n$/,
    );
    const notShard = await zerodl(['search', 'merge', 'whole', '--no-out']);
    expect(notShard.code).toBe(1);
    expect(notShard.stderr).toMatch(/whole\/results\.json: not a shard/);
  });
});

describe('usage errors', () => {
  async function run(argv: string[]) {
    const stdout = sink(),
      stderr = sink();
    const code = await main(argv, { stdout, stderr });
    return { code, out: stdout.text, err: stderr.text };
  }

  it('refuses bad --shard / --workers and search flags on other experiments', async () => {
    for (const [argv, message] of [
      [
        ['experiment', 'hyperparameter-search', '--shard', '3/2'],
        /--shard: expected i\/n with integers 1 ≤ i ≤ n \(like 2\/4\), got '3\/2'/,
      ],
      [['experiment', 'hyperparameter-search', '--workers', '0'], /--workers: expected a positive integer, got '0'/],
      [['experiment', 'dropout', '--workers', '2'], /--workers applies to hyperparameter-search only/],
      [
        ['experiment', 'hyperparameter-search', '--workers', '2', '--threads', '2'],
        /--threads and --workers both spread work over the cores: use one of them/,
      ],
      [['experiment', 'dropout', '--threads', '2', '--backend', 'js'], /--threads applies to the wasm backend only/],
      [['experiment', 'dropout', '--threads', '1.5'], /--threads: expected an integer from 1 to 256/],
      [['search'], /expected a subcommand: merge/],
      [['search', 'split'], /unknown subcommand 'split'/],
      [['search', 'merge'], /merge: expected the shards/],
    ] as const) {
      const r = await run([...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
    const help = await run(['search', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: zerodl search merge/);
  });
});

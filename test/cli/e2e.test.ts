// The built command, spawned as a user runs it: `node dist/cli.js …` on real MNIST, exit codes, stdout/stderr
// separation, and Ctrl-C (SIGINT) mid-run.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' }); // if stale
  dir = await mkdtemp(join(tmpdir(), 'zerodl-e2e-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Spawns the CLI in the temp folder (test/cli/helpers.ts). */
const zerodl = (args: string[], onStdout?: Parameters<typeof spawnCli>[2]) => spawnCli(dir, args, onStdout);

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1)!;

describe('node dist/cli.js', () => {
  it('train --train-size 2000 --epochs 2 --json, then eval and predict agree with it', async () => {
    const r = await zerodl(['train', '--train-size', '2000', '--epochs', '2', '--json', '--save', 'm.safetensors']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(lastLine(r.stdout));
    for (const key of [
      'trainLoss',
      'trainAcc',
      'testAcc',
      'finalTestAccuracy',
      'samplesPerSecond',
      'seconds',
      'config',
    ]) {
      expect(res, key).toHaveProperty(key);
    }
    expect(res.trainLoss).toHaveLength(40);
    expect(res.testAcc).toHaveLength(2);
    expect(res.finalTestAccuracy).toBeGreaterThan(0.8);
    expect(res.config.net.hiddenSizes).toEqual([100, 100, 100, 100]);
    expect(res.config.trainer.optimizer).toBe('adam');
    // The default report folder, relative to the working directory.
    expect(JSON.parse(await readFile(join(dir, 'report', 'results.json'), 'utf8'))).toEqual(res);
    await stat(join(dir, 'report', 'loss.svg'));
    await stat(join(dir, 'report', 'accuracy.svg'));

    const e = await zerodl(['eval', '--model', 'm.safetensors', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(lastLine(e.stdout)).accuracy).toBe(res.finalTestAccuracy);
    const p = await zerodl(['predict', '--model', 'm.safetensors', '--index', '0']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^test image 0: predicted \d, label 7/);
  });

  it('train --threads 2: the same run, bit for bit, as on one thread', async () => {
    const args = [
      'train',
      '--hidden',
      '256,256',
      '--train-size',
      '1000',
      '--epochs',
      '1',
      '--batch-size',
      '250',
      '--json',
      '--no-out',
      '-q',
    ];
    const one = await zerodl(args);
    const two = await zerodl([...args, '--threads', '2']);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = JSON.parse(lastLine(one.stdout)),
      b = JSON.parse(lastLine(two.stdout));
    expect(a.threads).toBe(1);
    expect(b.threads).toBe(2);
    expect(b.trainLoss).toEqual(a.trainLoss);
    expect(b.finalTestAccuracy).toBe(a.finalTestAccuracy);
    expect(two.stderr).toMatch(/, 2 threads\)/);
  });

  // The first progress line is the epoch-1 line or a plain "iter" line, whichever comes first: on a fast machine an
  // epoch's steps take under the 1 s between plain lines, so only epoch lines are printed.
  it('Ctrl-C after the first progress line: stops cleanly, exit 130, report and model written', async () => {
    let sent = false;
    const r = await zerodl(['train', '--epochs', '5', '--save', 'int.safetensors', '--out', 'int'], (text, child) => {
      if (!sent && /^epoch 1\/5 {2}(iter \d+\/3000|train acc) /m.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent, r.stdout).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopping after the current step/);
    expect(r.stderr).toMatch(/interrupted after \d+ of 3000 iterations/);
    expect(r.stdout).toMatch(/^final test accuracy 0\.\d{4}/m);
    const res = JSON.parse(await readFile(join(dir, 'int', 'results.json'), 'utf8'));
    expect(res.aborted).toBe(true);
    expect(res.iterations).toBeGreaterThan(0);
    expect(res.iterations).toBeLessThan(3000);
    expect(res.trainLoss).toHaveLength(res.iterations);
    await stat(join(dir, 'int', 'loss.svg'));
    await stat(join(dir, 'int.safetensors'));
  });

  it('--version; a bad flag exits 2 with the usage and no stack trace', async () => {
    const v = await zerodl(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' });
    const bad = await zerodl(['train', '--activation', 'tanh']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(
      /^zerodl: --activation: expected one of relu, sigmoid, got 'tanh'\n\nUsage: zerodl train/,
    );
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

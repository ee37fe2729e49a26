// Issue 10, faults 7, 8, 9, 13, 15: the command as a process in a hostile world. A closed stdout (`| head -1`)
// ends it quietly; SIGTERM and SIGHUP stop a run as Ctrl-C does (report and model written, exit 128 + signo);
// --json prints its object also for a diverged run; an output folder the system cannot make fails at once;
// --threads out of range is a usage error. The process tests spawn the built CLI (dist/cli.js), so the build
// runs first if stale; the rest run in-process.
import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { sink, spawnCli } from '../cli/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' }); // if stale
  dir = await mkdtemp(join(tmpdir(), 'zerodl-reliab-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Spawns the CLI in the temp folder (test/cli/helpers.ts). */
const zerodl = (args: string[], onStdout?: Parameters<typeof spawnCli>[2]) => spawnCli(dir, args, onStdout);

async function inProcess(argv: string[]) {
  const stdout = sink(),
    stderr = sink();
  const code = await main(argv, { stdout, stderr });
  return { code, stdout, stderr };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const NO_STACK = /\n\s+at |Error:|node:internal/;

describe('signals and a closed stdout (the built CLI, spawned)', () => {
  // Fault 8: SIGTERM and SIGHUP were not handled, so the process died at once: no report, no model.
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s after the first progress line: stops after the step, exit %i, report and model written',
    async (name, code) => {
      let sent = false;
      const r = await zerodl(
        [
          'train',
          '--train-size',
          '2000',
          '--epochs',
          '20',
          '--hidden',
          '50',
          '--save',
          `${name}.safetensors`,
          '--out',
          name,
        ],
        (text, child) => {
          if (!sent && /^epoch 1\/20 {2}(iter \d+\/400|train acc) /m.test(text)) {
            sent = true;
            child.kill(name);
          }
        },
      );
      expect(sent, r.stdout).toBe(true);
      expect(r.signal, r.stderr).toBe(null);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`${name}: stopping after the current step`));
      expect(r.stderr).toMatch(/interrupted after \d+ of 400 iterations/);
      const res = JSON.parse(await readFile(join(dir, name, 'results.json'), 'utf8'));
      expect(res.aborted).toBe(true);
      expect(res.iterations).toBeGreaterThan(0);
      expect(res.iterations).toBeLessThan(400);
      expect(await exists(join(dir, `${name}.safetensors`))).toBe(true);
    },
  );

  // Fault 7: `zerodl train | head -1` ended in an unhandled EPIPE 'error' event and its stack trace.
  it('stdout closed by its reader after the first line: the run ends quietly (exit 141), no stack trace', async () => {
    let closed = false;
    const r = await zerodl(
      ['train', '--train-size', '2000', '--epochs', '20', '--hidden', '50', '--no-out'],
      (text, child) => {
        if (!closed && text.includes('\n')) {
          closed = true;
          child.stdout!.destroy(); // as `head -1` exits after its line
        }
      },
    );
    expect(closed).toBe(true);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.code, r.stderr).toBe(141);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stderr).not.toMatch(/EPIPE/);
  });
});

describe('--json, output folders, --threads (in-process)', () => {
  // Fault 9: a diverged run printed nothing on stdout with --json.
  it('--json on a diverging run: the object, with the error in it, exit 1', async () => {
    const r = await inProcess([
      'train',
      '--train-size',
      '500',
      '--epochs',
      '1',
      '--optimizer',
      'sgd',
      '--lr',
      '1000',
      '--no-out',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout.lines).toHaveLength(1);
    const res = JSON.parse(r.stdout.lines[0]);
    expect(res).toMatchObject({ diverged: true, finalTestAccuracy: null });
    expect(res.error).toMatch(/NaN|∞|Infinity|finite/);
    expect(res.iterations).toBe(res.trainLoss.length);
  });

  it('--json when the run fails before it has a report: { error }, exit 1', async () => {
    const r = await inProcess(['train', '--data', join(dir, 'no-such-folder'), '--no-out', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.text)).toEqual({ error: expect.stringMatching(/no-such-folder/) });
  });

  // Fault 13: Node 20's recursive mkdir never settles for /proc/x, so these hung forever.
  it.runIf(process.platform === 'linux').each([
    ['train', '--out', '/proc/zerodl-x/report'],
    ['train', '--no-out', '--save', '/proc/zerodl-x/m.safetensors'],
    ['experiment', 'optimizer-paths', '--quick', '--out', '/proc/zerodl-x'],
    ['search', 'merge', 'no-such-shard', '--out', '/proc/zerodl-x'],
  ])(
    '%s %s %s …: fails at once with one line naming the folder, exit 1',
    async (...argv) => {
      const r = await inProcess(argv);
      expect(r.code).toBe(1);
      expect(r.stderr.text).toMatch(/^zerodl: \/proc\/zerodl-x: cannot make this folder/);
      expect(r.stderr.lines).toHaveLength(1);
    },
    10_000,
  );

  // Fault 14, as the command meets it: the save target is checked before training, not after it.
  it.runIf(process.platform !== 'win32')(
    'train --save <a FIFO>: refused before training, exit 1, the FIFO left alone',
    async () => {
      const fifo = join(dir, 'model.fifo');
      execFileSync('mkfifo', [fifo]);
      const r = await inProcess(['train', '--train-size', '100', '--epochs', '1', '--no-out', '--save', fifo]);
      expect(r.code).toBe(1);
      expect(r.stderr.lines).toEqual([
        `zerodl: ${fifo}: expected a regular file to replace, found a FIFO (named pipe); nothing was written`,
      ]);
      expect(r.stdout.text).toBe(''); // no "training …" line: it never started
      expect((await lstat(fifo)).isFIFO()).toBe(true);
    },
  );

  // Fault 15: --threads 1000 passed the parser and failed in init() with exit 1.
  it.each([
    ['train', '--threads', '1000', '--no-out'],
    ['train', '--threads', '257', '--no-out'],
    ['experiment', 'optimizer-paths', '--threads', '1000', '--no-out'],
  ])('%s … --threads out of 1..256: a usage error, exit 2', async (...argv) => {
    const r = await inProcess(argv);
    expect(r.code).toBe(2);
    expect(r.stderr.text).toMatch(/^zerodl: --threads: expected an integer from 1 to 256, got '(1000|257)'\n/);
  });
});

// Issue 10, fault 2: a kernel thread that stops while holding a chunk (the worker returns mid-job: a test hook of
// ThreadPool, not exported from the package) must not hang the caller: the wait is bounded, the call throws a
// BackendError, the pool shuts down and later work runs on one thread with the right results. The scenario runs in
// a child process with a deadline, since a hang blocks the event loop that vitest's own timeout needs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { expect, it } from 'vitest';

it('a thread that dies holding a chunk: BackendError within the stall time, then one thread, then new threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerodl-thread-death-'));
  try {
    const script = join(dir, 'thread-death.mjs');
    buildSync({
      entryPoints: [fileURLToPath(new URL('./fixtures/thread-death.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: script,
      logLevel: 'error',
    });
    const build = fileURLToPath(new URL('../../build', import.meta.url));
    const r = spawnSync(process.execPath, [script, build], {
      timeout: 90_000,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    });
    expect(r.signal, `the scenario hung (killed after 90 s)\n${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);

    expect(out.pool.error.name).toBe('BackendError');
    expect(out.pool.error.message).toMatch(
      /gemm: 1 of \d+ chunks were taken by a kernel thread that made no progress for \d+ ms.*output of this call is incomplete.*one thread from now on/,
    );
    expect(out.pool.ms).toBeLessThan(30_000);
    expect(out.pool.active).toBe(false);
    expect(out.pool.gemmAfter).toBe(true);
    expect(out.pool.reluAfter).toBe(true);

    expect(out.train.error.name).toBe('BackendError');
    expect(out.train.unchanged).toBe(true);
    expect(out.train.threads).toBe(1);
    expect(Number.isFinite(out.train.lossAfter)).toBe(true);
    expect(out.train.threadsRestarted).toBe(2);
    expect(out.train.freshThreads).toBe(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

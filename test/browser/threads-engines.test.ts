// threads.test.ts's checks in Firefox and WebKit (engines.mjs). Firefox: a cross-origin-isolated page (COOP/COEP)
// trains on 2 threads bit-identical to 1. WebKit (WebKitGTK 2.50) has no SharedArrayBuffer even on an isolated page,
// so there the documented fallback is what is checked: init({ threads: 2 }) stays on one thread, still trains, and
// says why on the console. In both, a page without COOP/COEP stays on one thread and names the missing headers.
// Where the thread's script file dist/zerodl-thread.js is missing (a copy of dist/ without it), threads still start,
// from a Blob URL. (From a worker: engines.test.ts, which also repeats Firefox's threaded worker 30 times.)
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error — plain .mjs scripts without type declarations
import { engineMissing, launchEngine } from './engines.mjs';
// @ts-expect-error — plain .mjs scripts without type declarations
import { serveStatic } from '../../scripts/serve.mjs';
import { ROOT } from './browser.js';

interface Run {
  losses: number[];
  threads: number;
  backendThreads: number;
  variant: string;
  w: number[];
  isolated: boolean;
}
type Log = { errors: string[]; warnings: string[] };
type Page = { evaluate<T>(fn: (arg: never) => unknown, arg?: unknown): Promise<T>; log(): Promise<Log> };
type Engine = { open(url: string): Promise<Page>; close(): Promise<void> };
type TWindow = { zerodl: unknown; trainSteps(z: unknown, threads: number): Promise<Run> };

// Shared memory on isolated pages, and the binary init() picks (the README's support table).
const EXPECT: Record<string, { threads: boolean; variant: string }> = {
  firefox: { threads: true, variant: 'relaxed-simd' },
  webkit: { threads: false, variant: 'simd' },
};

type Server = { url: string; close(): Promise<void> };
let isolated: Server, plain: Server, noFile: Server;
// The threads fixture and dist/index.js with its binaries, but not dist/zerodl-thread.js.
const copy = mkdtempSync(join(tmpdir(), 'zerodl-no-thread-file-'));
beforeAll(async () => {
  for (const f of ['threads.html', 'threads-train.js']) {
    mkdirSync(join(copy, 'test/browser/fixtures'), { recursive: true });
    copyFileSync(join(ROOT, 'test/browser/fixtures', f), join(copy, 'test/browser/fixtures', f));
  }
  mkdirSync(join(copy, 'dist'));
  for (const f of [
    'index.js',
    'zerodl-threads.wasm',
    'zerodl-threads-relaxed.wasm',
    'zerodl.wasm',
    'zerodl-relaxed.wasm',
  ])
    copyFileSync(join(ROOT, 'dist', f), join(copy, 'dist', f));
  [isolated, plain, noFile] = await Promise.all([
    serveStatic({ root: ROOT, isolated: true }),
    serveStatic({ root: ROOT }),
    serveStatic({ root: copy, isolated: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([isolated?.close(), plain?.close(), noFile?.close()]);
  rmSync(copy, { recursive: true, force: true });
});

it('zerodl/inline never names zerodl-thread.js (its threads start from a Blob URL); dist/index.js does', () => {
  expect(readFileSync(join(ROOT, 'dist/inline.js'), 'utf8')).not.toContain('zerodl-thread.js');
  expect(readFileSync(join(ROOT, 'dist/index.js'), 'utf8')).toContain('new URL("./zerodl-thread.js",import.meta.url)');
});

describe.each(['firefox', 'webkit'])('threads in %s', (name) => {
  const missing = engineMissing(name) as string | undefined;
  let engine: Engine;
  beforeAll(async () => {
    if (!missing) engine = await launchEngine(name);
  }, 120_000);
  afterAll(() => engine?.close());

  async function open(server: Server): Promise<Page> {
    const page = await engine.open(`${server.url}test/browser/fixtures/threads.html`);
    const title = await page.evaluate<string>(
      () =>
        new Promise((done) => {
          const end = Date.now() + 10_000;
          const poll = () =>
            document.title === 'loaded' || Date.now() > end ? done(document.title) : setTimeout(poll, 50);
          poll();
        }),
    );
    expect(title, `threads.html loads (page log: ${JSON.stringify(await page.log())})`).toBe('loaded');
    return page;
  }

  it.skipIf(missing)(
    `${
      EXPECT[name].threads
        ? 'a cross-origin-isolated page trains on 2 threads, bit-identical to 1'
        : 'a cross-origin-isolated page has no SharedArrayBuffer: init({ threads: 2 }) stays on one thread, trains and says why'
    }${missing ? ` — skipped: ${missing}` : ''}`,
    // One retry, as in engines.test.ts: Firefox's threads still hang now and then (issue 12). Probed 2026-12-02 in
    // Firefox ESR 153, 1,000 fresh threaded workers each: 3 hangs with threads from a Blob URL, 1 from
    // dist/zerodl-thread.js, all inside the Worker's `new Worker(…)`; a module worker that only starts a nested
    // worker from a file, no zerodl at all, hung 11 and 20 times in 1,000. An engine bug, not the Blob URL.
    { retry: name === 'firefox' ? 1 : 0, timeout: 90_000 },
    async () => {
      const page = await open(isolated);
      const [one, two] = await page.evaluate<Run[]>(async () => {
        const w = window as unknown as TWindow;
        return [await w.trainSteps(w.zerodl, 1), await w.trainSteps(w.zerodl, 2)];
      });
      const sab = await page.evaluate<boolean>(() => typeof SharedArrayBuffer === 'function');
      const n = EXPECT[name].threads ? 2 : 1;
      expect([one.isolated, two.isolated, sab]).toEqual([true, true, EXPECT[name].threads]);
      expect([one.threads, one.backendThreads]).toEqual([1, 1]);
      expect([two.threads, two.backendThreads]).toEqual([n, n]);
      expect(two.variant).toBe(EXPECT[name].variant);
      expect(one.losses).toHaveLength(6);
      expect(one.losses.every(Number.isFinite)).toBe(true);
      expect(two.losses).toEqual(one.losses);
      expect(two.w).toEqual(one.w);
      const wasm = await page.evaluate<string[]>(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => e.name)
          .filter((u) => u.endsWith('.wasm')),
      );
      expect(wasm.some((u) => u.endsWith('/dist/zerodl-threads-relaxed.wasm'))).toBe(EXPECT[name].threads);
      // The kernel thread starts from the script file beside dist/index.js, not from a Blob URL (issue 12).
      const scripts = await page.evaluate<string[]>(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => e.name)
          .filter((u) => u.endsWith('.js')),
      );
      expect(scripts.some((u) => u.endsWith('/dist/zerodl-thread.js'))).toBe(EXPECT[name].threads);
      const log = await page.log();
      expect(log.errors).toEqual([]);
      expect(log.warnings).toEqual(
        EXPECT[name].threads
          ? []
          : ['zerodl: init({ threads: 2 }) runs on one thread: this engine has no SharedArrayBuffer.'],
      );
    },
  );

  it.skipIf(missing || !EXPECT[name].threads)(
    'without dist/zerodl-thread.js the kernel thread starts from a Blob URL: 2 threads, bit-identical to 1',
    { timeout: 90_000 },
    async () => {
      const page = await open(noFile);
      const [one, two] = await page.evaluate<Run[]>(async () => {
        const w = window as unknown as TWindow;
        return [await w.trainSteps(w.zerodl, 1), await w.trainSteps(w.zerodl, 2)];
      });
      expect([two.threads, two.backendThreads]).toEqual([2, 2]);
      expect(one.losses.every(Number.isFinite)).toBe(true);
      expect(two.losses).toEqual(one.losses);
      expect(two.w).toEqual(one.w);
      expect((await page.log()).errors).toEqual([]);
    },
  );

  it.skipIf(missing)(
    'a page without COOP/COEP stays on one thread and tells the console which headers are missing',
    async () => {
      const page = await open(plain);
      const run = await page.evaluate<Run>(async () => {
        const w = window as unknown as TWindow;
        return w.trainSteps(w.zerodl, 2);
      });
      expect(run.isolated).toBe(false);
      expect([run.threads, run.backendThreads]).toEqual([1, 1]);
      expect(run.losses.every(Number.isFinite)).toBe(true);
      const log = await page.log();
      expect(log.warnings).toHaveLength(1);
      expect(log.warnings[0]).toMatch(
        /^zerodl: init\(\{ threads: 2 \}\) runs on one thread: this page is not cross-origin isolated/,
      );
      expect(log.warnings[0]).toMatch(
        /Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/,
      );
      const wasm = await page.evaluate<string[]>(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => e.name)
          .filter((u) => u.endsWith('.wasm')),
      );
      expect(wasm.some((u) => u.includes('-threads'))).toBe(false);
      expect(log.errors).toEqual([]);
    },
  );
});

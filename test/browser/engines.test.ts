// The package in every browser engine a user has: Chromium (playwright-core), Firefox (puppeteer-core over WebDriver
// BiDi) and WebKit (WebKitWebDriver + MiniBrowser through webdriverio), from Debian's packages. Per engine: the
// browser build loads with the binary the engine can run, and its gemm calibration tells an x86 host by the sign of
// a NaN in that engine's wasm; 300 seeded losses on the plain binary are bit-identical to
// this Node's; threads run (bit-identical to one thread) where the engine gives cross-origin-isolated pages shared
// memory; a wrong wasmUrl is a typed error and zerodl/inline loads; a model round-trips through bytes; engines
// without WebAssembly or SIMD get a clear BackendError; the demo throttles its chart redraws (its speed beside a standalone worker is printed).
// Across engines: the relaxed binary gives the same bits in V8 and SpiderMonkey and stays within float32 tolerance
// of plain. Firefox: the threaded-worker path 30 times, each with a deadline. Page-hosted threads (hostThreads() on
// the page, init({ threadHost }) in the worker; issue 12): bit-identical to one thread where there is shared memory,
// ended by the page once the worker is gone, one thread and a note without it; a page whose CSP forbids their
// workers gets a BackendError at once; and in Firefox that path 30 times with a deadline each, without a retry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as zerodl from '../../src/index.js';
// @ts-expect-error — plain .mjs scripts without type declarations
import { ENGINES, engineMissing, launchEngine } from './engines.mjs';
// @ts-expect-error — plain .mjs scripts without type declarations
import { seededLosses } from '../runtimes/seeded.mjs';
// @ts-expect-error — plain .mjs scripts without type declarations
import { serveStatic } from '../../scripts/serve.mjs';
import { ROOT } from './browser.js';

type Page = { evaluate<T>(fn: (arg: never) => unknown, arg?: unknown): Promise<T>; close(): Promise<void> };
type Engine = { name: string; open(url: string): Promise<Page>; close(): Promise<void> };
interface Seeded {
  losses: number[];
  variant: string;
}
interface Run {
  losses: number[];
  threads: number;
  backendThreads: number;
  variant: string;
  w: number[];
  isolated: boolean;
}

// What each engine has (the facts the README's support table states): relaxed SIMD, shared memory on isolated pages.
const EXPECT: Record<string, { relaxed: boolean; threads: boolean }> = {
  chromium: { relaxed: true, threads: true },
  firefox: { relaxed: true, threads: true },
  webkit: { relaxed: false, threads: false }, // WebKitGTK 2.50: no relaxed SIMD; no SharedArrayBuffer even with COOP/COEP
};
const relaxedLosses: Record<string, number[]> = {};
let server: { url: string; close(): Promise<void> };
let nodePlain: Seeded;

beforeAll(async () => {
  server = await serveStatic({ root: ROOT, isolated: true });
  nodePlain = await seededLosses(zerodl, 'simd'); // test/setup-simd.ts has loaded the plain binary here
  expect(nodePlain.variant).toBe('simd');
});
afterAll(() => server?.close());

/** Opens fixtures/engine.html and waits until the package has loaded (or failed to). */
async function openPage(engine: Engine): Promise<Page> {
  const page = await engine.open(`${server.url}test/browser/fixtures/engine.html`);
  const state = await page.evaluate<{ title: string; errors: string[] }>(
    () =>
      new Promise((done) => {
        const end = Date.now() + 30_000;
        const poll = () =>
          document.title === 'loaded' || document.title === 'failed' || Date.now() > end
            ? done({ title: document.title, errors: (window as unknown as { __errors: string[] }).__errors })
            : setTimeout(poll, 50);
        poll();
      }),
  );
  expect(state, 'engine.html loads the package').toEqual({ title: 'loaded', errors: [] });
  return page;
}

const seededInPage = (page: Page, simd: string) =>
  page.evaluate<Seeded>(
    // The same source text as in Node: seeded.mjs's function, given the page's zerodl module.
    new Function('simd', `return (${seededLosses.toString()})(window.zerodl, simd);`) as (arg: never) => unknown,
    simd,
  );

describe.each(ENGINES as string[])('%s', (name) => {
  const missing = engineMissing(name) as string | undefined;
  let engine: Engine;
  beforeAll(async () => {
    if (!missing) engine = await launchEngine(name);
  }, 120_000);
  afterAll(() => engine?.close());

  it.skipIf(missing)(
    `loads the browser build; init() picks the binary the engine has; a model round-trips through bytes${missing ? ` — skipped: ${missing}` : ''}`,
    async () => {
      const page = await openPage(engine);
      const r = await page.evaluate<{
        variant: string;
        relaxed: boolean;
        errors: string[];
        sameAfterBytes: boolean;
        bytes: number;
        x86: boolean | null;
        candidates: string[] | null;
      }>(async () => {
        const z = (window as unknown as { zerodl: typeof zerodl }).zerodl;
        await z.init();
        // A model through bytes (what browsers have instead of files): the same predictions, bit for bit.
        const net = new z.MultiLayerNet({
          inputSize: 12,
          hiddenSizes: [8],
          outputSize: 3,
          useBatchNorm: true,
          seed: 4,
        });
        const x = new Float32Array(5 * 12).map((_, i) => Math.sin(i));
        net.gradient(x, [0, 1, 2, 0, 1]);
        const bytes = net.toBytes();
        const back = z.MultiLayerNet.fromBytes(bytes);
        const [a, b] = [net.predict(x), back.predict(x)];
        return {
          variant: z.simdVariant()!,
          relaxed: z.hasRelaxedSimd(),
          errors: (window as unknown as { __errors: string[] }).__errors,
          sameAfterBytes: a.length === 15 && a.every((v, i) => Object.is(v, b[i])),
          bytes: bytes.length,
          // the gemm calibration's host detection (the NaN sign of ∞ − ∞ in this engine's wasm)
          x86: z.gemmVariantState().calibration?.x86 ?? null,
          candidates: z.gemmVariantState().calibration?.candidates ?? null,
        };
      });
      expect(r.bytes).toBeGreaterThan(12 * 8 * 4);
      const x86 = process.arch === 'x64' || process.arch === 'ia32'; // the browser runs on this machine
      expect({ ...r, bytes: 0 }).toEqual({
        variant: EXPECT[name].relaxed ? 'relaxed-simd' : 'simd',
        relaxed: EXPECT[name].relaxed,
        errors: [],
        sameAfterBytes: true,
        bytes: 0,
        x86,
        candidates: x86 ? ['4x8', '3x12', '5x8'] : ['4x8', '6x8', '4x12', '3x12', '5x8'],
      });
    },
  );

  it.skipIf(missing)(
    'a wrong wasmUrl is a BackendError naming the URL and HTTP 404, init() then retries; zerodl/inline loads its embedded bytes',
    async () => {
      const page = await openPage(engine);
      const r = await page.evaluate<{ name: string; message: string; after: string; inline: string }>(async () => {
        const z = (window as unknown as { zerodl: typeof zerodl }).zerodl;
        let name = 'none',
          message = '';
        try {
          await z.init({ wasmUrl: '/no/such/zerodl.wasm' });
        } catch (e) {
          name = e instanceof z.BackendError ? (e as Error).name : `untyped ${(e as Error).name}`;
          message = (e as Error).message;
        }
        await z.init();
        // (a Function: vitest rewrites a literal import() in this file, and the page has no such helper)
        const load = new Function('url', 'return import(url)') as (url: string) => Promise<typeof zerodl>;
        const inline = await load(new URL('../../../dist/inline.js', location.href).href);
        await inline.init();
        return { name, message, after: z.simdVariant()!, inline: inline.simdVariant() };
      });
      const variant = EXPECT[name].relaxed ? 'relaxed-simd' : 'simd';
      expect(r.name).toBe('BackendError');
      expect(r.message).toMatch(
        /cannot fetch the kernels' wasm from http:\/\/127\.0\.0\.1:\d+\/no\/such\/zerodl\.wasm: HTTP 404/,
      );
      expect([r.after, r.inline]).toEqual([variant, variant]);
    },
  );

  it.skipIf(missing)('300 seeded losses on the plain SIMD binary: bit-identical to Node', async () => {
    const r = await seededInPage(await openPage(engine), 'simd');
    expect(r.variant).toBe('simd');
    expect(r.losses).toHaveLength(300);
    const at = r.losses.findIndex((v, i) => !Object.is(v, nodePlain.losses[i]));
    expect(at, `first differing step ${at}: ${r.losses[at]} vs Node's ${nodePlain.losses[at]}`).toBe(-1);
  });

  it.skipIf(missing)(
    EXPECT[name].relaxed
      ? '300 seeded losses on the relaxed binary (compared across engines below)'
      : "init({ simd: 'relaxed-simd' }) is a BackendError: this engine has no relaxed SIMD",
    async () => {
      const page = await openPage(engine);
      if (EXPECT[name].relaxed) {
        const r = await seededInPage(page, 'relaxed-simd');
        expect(r.variant).toBe('relaxed-simd');
        relaxedLosses[name] = r.losses;
      } else {
        const err = await page.evaluate<{ name: string; message: string }>(async () => {
          try {
            await (window as unknown as { zerodl: typeof zerodl }).zerodl.init({ simd: 'relaxed-simd' });
            return { name: 'none', message: '' };
          } catch (e) {
            return { name: (e as Error).name, message: (e as Error).message };
          }
        });
        expect(err.name).toBe('BackendError');
        expect(err.message).toMatch(/does not support relaxed SIMD/);
      }
    },
  );

  it.skipIf(missing)(
    EXPECT[name].threads
      ? 'an isolated page: init({ threads: 2 }) in a worker trains bit-identical to one thread'
      : 'an isolated page has no SharedArrayBuffer: init({ threads: 2 }) stays on one thread and still trains',
    // One retry, with a deadline: Firefox's threaded worker still hangs now and then (seen once in this test on
    // 2026-12-02, not caught by the pool's bounded waits; issue 12 stays open for it). The 30-run test below counts
    // every hang as a failure.
    { retry: 1, timeout: 90_000 },
    async () => {
      const page = await openPage(engine);
      const r = await page.evaluate<{ isolated: boolean; sab: boolean; results?: Run[]; error?: string; onPage?: Run }>(
        async () => {
          const base = new URL('threads-worker.js', location.href);
          const inWorker: { results?: Run[]; error?: string } = await new Promise((resolve) => {
            const worker = new Worker(base, { type: 'module' });
            worker.onmessage = (e) => {
              resolve(e.data);
              worker.terminate();
            };
            worker.onerror = (e) => resolve({ error: e.message });
            worker.postMessage({ threads: [1, 2] });
          });
          return { isolated: crossOriginIsolated, sab: typeof SharedArrayBuffer === 'function', ...inWorker };
        },
      );
      expect(r.error).toBeUndefined();
      expect(r.isolated).toBe(true);
      expect(r.sab).toBe(EXPECT[name].threads);
      const [one, two] = r.results!;
      expect([one.threads, two.threads]).toEqual([1, EXPECT[name].threads ? 2 : 1]);
      expect(two.backendThreads).toBe(EXPECT[name].threads ? 2 : 1);
      expect(one.losses.every(Number.isFinite)).toBe(true);
      expect(two.losses).toEqual(one.losses);
      expect(two.w).toEqual(one.w);
    },
  );

  // Once in ~43 runs a threaded worker never finished in Firefox (issue 12); a hang must show as a failure here,
  // never as a stuck CI. Each run is a fresh worker doing init({ threads: 2 }) and 6 training steps. Probed on
  // 2026-12-02 (scripts/probes/firefox-nested-worker/): every hang is inside Firefox's own `new Worker(…)` called from
  // a Worker — it never returns and the Worker answers no message after it, so no deadline in zerodl can bound it.
  // It is Firefox's: 3 hangs in 1,000 runs with kernel threads from a Blob URL, 1 in 1,000 from dist/zerodl-thread.js,
  // and 11 in 1,000 for a bare Worker that only starts a nested Worker from a file, no zerodl, no shared memory.
  // At ~0.1–0.5% a run, 30 runs see a hang up to ~14% of the time: one retry (two hung attempts fail).
  // Still open in issue 12 (the way out: the page starts the kernel threads, not the Worker).
  it.runIf(name === 'firefox' && !missing)(
    'Firefox: the threaded-worker path 30 times, each finishing within 60 s',
    { retry: 1, timeout: 30 * 65_000 },
    async () => {
      const page = await openPage(engine);
      const runs = await page.evaluate<{ ok: boolean; ms: number; error?: string; threads?: number }[]>(async () => {
        const out = [];
        for (let k = 0; k < 30; k++) {
          const t0 = performance.now();
          const worker = new Worker(new URL('threads-worker.js', location.href), { type: 'module' });
          const r: { results?: Run[]; error?: string } = await new Promise((resolve) => {
            const timer = setTimeout(() => resolve({ error: 'no result after 60 s' }), 60_000);
            worker.onmessage = (e) => {
              clearTimeout(timer);
              resolve(e.data);
            };
            worker.onerror = (e) => {
              clearTimeout(timer);
              resolve({ error: e.message });
            };
            worker.postMessage({ threads: [2] });
          });
          worker.terminate();
          out.push({
            ok: !r.error && r.results![0].threads === 2 && r.results![0].losses.every(Number.isFinite),
            ms: Math.round(performance.now() - t0),
            error: r.error,
            threads: r.results?.[0].threads,
          });
        }
        return out;
      });
      const bad = runs.map((r, k) => ({ k, ...r })).filter((r) => !r.ok);
      expect(bad, `runs that failed or hung: ${JSON.stringify(bad)}`).toEqual([]);
      expect(runs).toHaveLength(30);
    },
  );

  it.skipIf(missing)(
    EXPECT[name].threads
      ? 'page-hosted threads: a worker given hostThreads().port trains bit-identical to one thread; the page ends its threads once the worker is gone'
      : 'page-hosted threads without SharedArrayBuffer: the worker stays on one thread, says so on the console, and trains',
    { timeout: 90_000 },
    async () => {
      const page = await openPage(engine);
      const r = await page.evaluate<{
        results?: Run[];
        error?: string;
        notes?: string[];
        running: number;
        after: number;
        errors: string[];
      }>(async () => {
        const z = (window as unknown as { zerodl: typeof zerodl }).zerodl;
        const host = z.hostThreads();
        const worker = new Worker(new URL('hosted-worker.js', location.href), { type: 'module' });
        const out: { results?: Run[]; error?: string; notes?: string[] } = await new Promise((resolve) => {
          const timer = setTimeout(() => resolve({ error: 'no result after 60 s' }), 60_000);
          worker.onmessage = (e) => {
            clearTimeout(timer);
            resolve(e.data);
          };
          worker.onerror = (e) => {
            clearTimeout(timer);
            resolve({ error: e.message });
          };
          worker.postMessage({ threads: [1, 2], port: host.port }, [host.port]);
        });
        const running = host.threads;
        // The worker goes without closing its pool: its Web Lock is released, and the host ends the threads.
        worker.terminate();
        for (let i = 0; i < 500 && host.threads > 0; i++) await new Promise((done) => setTimeout(done, 20));
        const after = host.threads;
        host.close();
        return { ...out, running, after, errors: (window as unknown as { __errors: string[] }).__errors };
      });
      expect(r.error).toBeUndefined();
      expect(r.errors).toEqual([]);
      const [one, two] = r.results!;
      expect(one.losses.every(Number.isFinite)).toBe(true);
      expect(two.losses).toEqual(one.losses);
      expect(two.w).toEqual(one.w);
      if (EXPECT[name].threads) {
        expect([two.threads, two.backendThreads]).toEqual([2, 2]);
        expect(r.notes).toEqual([]);
        expect(r.running, 'the page ran the pool’s one kernel thread').toBe(1);
        expect(r.after, 'the page ended it once the worker was terminated (Web Lock released)').toBe(0);
      } else {
        expect([two.threads, two.backendThreads]).toEqual([1, 1]);
        expect(r.notes!.length).toBeGreaterThan(0);
        for (const note of r.notes!)
          expect(note).toMatch(/init\(\{ threads: 2 \}\) runs on one thread: .*(SharedArrayBuffer|isolated)/);
        expect(r.running).toBe(0);
      }
    },
  );

  it.runIf((name === 'chromium' || name === 'firefox') && !missing)(
    "a page whose Content-Security-Policy forbids the kernel threads' workers: init({ threadHost }) rejects at once with a BackendError naming worker-src",
    { timeout: 60_000 },
    async () => {
      const page = await openPage(engine);
      const r = await page.evaluate<{ error?: string; name?: string; message?: string; threads: number }>(async () => {
        // worker-src allows the training worker (the fixtures' folder) and dist/index.js: not dist/zerodl-thread.js,
        // not blob:
        const worker = new URL('hosted-worker.js', location.href).href;
        const meta = document.createElement('meta');
        meta.httpEquiv = 'Content-Security-Policy';
        // (the worker's own imports too: a module worker's whole graph is fetched as "worker")
        meta.content = `worker-src ${new URL('./', worker).href} ${new URL('../../../dist/index.js', worker).href}`;
        document.head.append(meta);
        const z = (window as unknown as { zerodl: typeof zerodl }).zerodl;
        const host = z.hostThreads();
        const w = new Worker(worker, { type: 'module' });
        // (well before init's 30 s start deadline: only a refusal answers in time)
        const out: { error?: string; name?: string; message?: string } = await new Promise((resolve) => {
          const timer = setTimeout(() => resolve({ error: 'no answer after 20 s' }), 20_000);
          w.onmessage = (e) => {
            clearTimeout(timer);
            resolve(e.data);
          };
          w.onerror = (e) => {
            clearTimeout(timer);
            resolve({ error: `onerror ${e.message}` });
          };
          w.postMessage({ threads: [2], port: host.port }, [host.port]);
        });
        w.terminate();
        const threads = host.threads;
        host.close();
        return { ...out, threads };
      });
      expect(r.error, 'the worker reported an error').toBeDefined();
      expect(r.name, JSON.stringify(r)).toBe('BackendError');
      expect(r.message).toMatch(
        /^init\(\{ threads: 2 \}\): the page's ThreadHost refused: the page could not start a kernel thread \(.*\)\. If the page has a Content-Security-Policy, its worker-src must allow the threads' script http:\/\/127\.0\.0\.1:\d+\/dist\/zerodl-thread\.js/,
      );
      expect(r.threads).toBe(0);
      console.log(`${name}, CSP forbidding the threads' workers: ${r.message}`);
    },
  );

  // The way out of the hang above (issue 12): the page starts the kernel threads, so the worker never calls
  // `new Worker`. Each run is a fresh worker and a fresh ThreadHost, init({ threads: 2, threadHost }) and 6 steps.
  // No retry: a hang here is a failure.
  it.runIf(name === 'firefox' && !missing)(
    'Firefox: the page-hosted threaded-worker path 30 times, each finishing within 60 s, without a retry',
    { timeout: 30 * 65_000 },
    async () => {
      const page = await openPage(engine);
      const runs = await page.evaluate<{ ok: boolean; ms: number; error?: string; threads?: number }[]>(async () => {
        const z = (window as unknown as { zerodl: typeof zerodl }).zerodl;
        const out = [];
        for (let k = 0; k < 30; k++) {
          const t0 = performance.now();
          const host = z.hostThreads();
          const worker = new Worker(new URL('hosted-worker.js', location.href), { type: 'module' });
          const r: { results?: Run[]; error?: string } = await new Promise((resolve) => {
            const timer = setTimeout(() => resolve({ error: 'no result after 60 s' }), 60_000);
            worker.onmessage = (e) => {
              clearTimeout(timer);
              resolve(e.data);
            };
            worker.onerror = (e) => {
              clearTimeout(timer);
              resolve({ error: e.message });
            };
            worker.postMessage({ threads: [2], port: host.port }, [host.port]);
          });
          worker.terminate();
          host.close();
          out.push({
            ok: !r.error && r.results![0].threads === 2 && r.results![0].losses.every(Number.isFinite),
            ms: Math.round(performance.now() - t0),
            error: r.error,
            threads: r.results?.[0].threads,
          });
        }
        return out;
      });
      const bad = runs.map((r, k) => ({ k, ...r })).filter((r) => !r.ok);
      expect(bad, `runs that failed or hung: ${JSON.stringify(bad)}`).toEqual([]);
      expect(runs).toHaveLength(30);
    },
  );
});

describe('across engines', () => {
  // float32 rounding is 2^-24 ≈ 6e-8 relative per operation; fused vs unfused multiply-adds over 300 steps moved the
  // losses by ≤ 3e-7 here. 1e-5 is far below a real change (another seed or formula moves them by > 1e-3).
  const F32_TOL = 1e-5;
  const have = ['chromium', 'firefox'].filter((e) => !engineMissing(e));
  it.skipIf(have.length < 2)(
    'relaxed SIMD: the same bits in V8 (Chromium) and SpiderMonkey (Firefox), within float32 tolerance of plain',
    () => {
      const [v8, sm] = [relaxedLosses.chromium, relaxedLosses.firefox];
      expect(v8, 'Chromium relaxed losses').toHaveLength(300);
      expect(sm, 'Firefox relaxed losses').toHaveLength(300);
      const at = v8.findIndex((v, i) => !Object.is(v, sm[i]));
      expect(at, `first differing step ${at}: V8 ${v8[at]} vs SpiderMonkey ${sm[at]}`).toBe(-1);
      const rel = Math.max(...v8.map((v, i) => Math.abs(v - nodePlain.losses[i]) / Math.abs(nodePlain.losses[i])));
      expect(rel).toBeLessThanOrEqual(F32_TOL);
      expect(rel).toBeGreaterThan(0); // FMA really was used: relaxed is not plain under another name
    },
  );
});

// Engines that lack what the kernels need: init() must say what is missing and name the way out (backend 'js'),
// instead of a raw "ReferenceError: WebAssembly is not defined" or "does not compile … byte 5". The js backend
// then trains there.
describe.each([
  [
    'chromium',
    'with --js-flags=--jitless (no WebAssembly)',
    { chromiumArgs: ['--js-flags=--jitless'] },
    /this engine has no WebAssembly/,
  ],
  [
    'firefox',
    'with javascript.options.wasm=false (no WebAssembly)',
    { firefoxPrefs: { 'javascript.options.wasm': false } },
    /this engine has no WebAssembly/,
  ],
  [
    'webkit',
    'with JSC_useWasmSIMD=false (WebAssembly without SIMD)',
    { webkitEnv: { JSC_useWasmSIMD: 'false' } },
    /runs WebAssembly but not its SIMD instructions.*Safari 16\.4\+/,
  ],
  [
    'firefox',
    'with javascript.options.wasm_relaxed_simd=false (plain SIMD only)',
    { firefoxPrefs: { 'javascript.options.wasm_relaxed_simd': false } },
    null,
  ],
] as const)('%s %s', (name, _what, options, error) => {
  const missing = engineMissing(name) as string | undefined;
  it.skipIf(missing)(
    error
      ? "init() rejects with a BackendError naming the cause and backend 'js'; the js backend trains"
      : 'init() picks the plain SIMD binary and trains',
    async () => {
      const engine: Engine = await launchEngine(name, options);
      try {
        const page = await openPage(engine);
        const r = await page.evaluate<{ name?: string; message?: string; variant?: string; loss: number }>(
          async (wasm: boolean) => {
            const z = (window as unknown as { zerodl: typeof zerodl }).zerodl;
            let failure: { name?: string; message?: string } = {};
            try {
              await z.init();
            } catch (e) {
              failure = { name: (e as Error).name, message: (e as Error).message };
            }
            const net = new z.MultiLayerNet({
              inputSize: 8,
              hiddenSizes: [6],
              outputSize: 3,
              seed: 1,
              backend: wasm ? 'wasm' : 'js',
            });
            const x = new Float32Array(4 * 8).map((_, i) => (i % 7) / 7);
            return { ...failure, variant: z.simdVariant(), loss: net.loss(x, [0, 1, 2, 0]) };
          },
          !error,
        );
        expect(Number.isFinite(r.loss)).toBe(true);
        if (error) {
          expect(r.name).toBe('BackendError');
          expect(r.message).toMatch(error);
          expect(r.message).toMatch(/backend: 'js'/);
          expect(r.variant ?? undefined).toBeUndefined(); // (WebDriver sends undefined as null)
        } else {
          expect(r.name ?? undefined).toBeUndefined();
          expect(r.variant).toBe('simd');
        }
      } finally {
        await engine.close();
      }
    },
  );
});

// The demo's own work on the main thread (chart redraws, histograms) must not starve its training worker: on 2 cores
// a redraw competes with the worker for the CPU. What is asserted is the mechanism: while training, chart redraws
// start at least a second apart (unthrottled, they came every few hundred ms and the demo kept 0.65–0.77 of the
// worker's speed). The speed itself is measured, not asserted (speed is a benchmark's business, and this machine is
// shared): the training alone in a worker of dist-demo/worker.js against the demo trained from its form, alternated
// three times, the ratio of the best of each printed (after throttling: 0.88–1.33 in the three engines here).
describe.each(ENGINES as string[])('the demo in %s', (name) => {
  const missing = engineMissing(name) as string | undefined;
  it.skipIf(missing)(
    'trains with chart redraws at least 1 s apart; its speed against the same training alone in a worker',
    async () => {
      const engine: Engine = await launchEngine(name);
      try {
        const page = await engine.open(`${server.url}dist-demo/index.html`);
        const config = {
          hiddenSizes: [100, 100],
          activation: 'relu',
          weightInit: 'he',
          useBatchNorm: false,
          useDropout: false,
          dropoutRatio: 0.5,
          weightDecayLambda: 0,
          optimizer: 'adam',
          lr: 0.001,
          batchSize: 100,
          epochs: 20,
          seed: 1,
        };
        const r = await page.evaluate<{ standalone: number[]; demo: number[]; acc: number[]; gaps: number[] }>(
          async (cfg: typeof config) => {
            type DemoState = {
              ready: boolean;
              training: boolean;
              finalTestAccuracy?: number;
              samplesPerSecond?: number;
              trainingChartDraws: number[];
            };
            const until = (ok: () => boolean, what: string, ms = 300_000) =>
              new Promise<void>((done, fail) => {
                const end = Date.now() + ms;
                const poll = () =>
                  ok() ? done() : Date.now() > end ? fail(new Error(`timed out: ${what}`)) : setTimeout(poll, 50);
                poll();
              });
            await until(() => !!(window as unknown as { zerodlDemo?: unknown }).zerodlDemo, 'the demo script');
            const demo = (window as unknown as { zerodlDemo: { state: DemoState } }).zerodlDemo;
            await until(() => demo.state.ready, 'the demo worker ready');
            const alone = () =>
              new Promise<number>((resolve, reject) => {
                const w = new Worker(new URL('worker.js', location.href), { type: 'module' });
                w.onmessage = (e) => {
                  const m = e.data;
                  if (m.type === 'ready') w.postMessage({ type: 'start', config: cfg });
                  if (m.type === 'done') {
                    w.terminate();
                    resolve(m.samplesPerSecond);
                  }
                  if (m.type === 'error') {
                    w.terminate();
                    reject(new Error(m.message));
                  }
                };
                w.onerror = (e) => reject(new Error(e.message));
              });
            const viaForm = async () => {
              const form = document.getElementById('controls') as HTMLFormElement;
              const set = (n: string, v: string | boolean) => {
                const el = form.elements.namedItem(n) as HTMLInputElement;
                if (typeof v === 'boolean') el.checked = v;
                else el.value = v;
                el.dispatchEvent(new Event('change'));
              };
              set('hidden', cfg.hiddenSizes.join(', '));
              set('activation', cfg.activation);
              set('init', cfg.weightInit);
              set('batchnorm', cfg.useBatchNorm);
              set('dropout', cfg.useDropout);
              set('weightDecay', String(cfg.weightDecayLambda));
              set('optimizer', cfg.optimizer);
              set('lr', String(cfg.lr));
              set('batchSize', String(cfg.batchSize));
              set('epochs', String(cfg.epochs));
              set('seed', String(cfg.seed));
              (document.getElementById('start') as HTMLButtonElement).click();
              await until(() => demo.state.training, 'training to start', 10_000);
              await until(
                () => !demo.state.training && demo.state.samplesPerSecond !== undefined,
                'the demo to finish',
              );
              const t = demo.state.trainingChartDraws;
              return {
                speed: demo.state.samplesPerSecond!,
                acc: demo.state.finalTestAccuracy!,
                gaps: t.slice(1).map((x, i) => x - t[i]),
              };
            };
            const standalone: number[] = [],
              viaDemo: number[] = [],
              acc: number[] = [],
              gaps: number[] = [];
            for (let k = 0; k < 3; k++) {
              standalone.push(await alone());
              const d = await viaForm();
              viaDemo.push(d.speed);
              acc.push(d.acc);
              gaps.push(...d.gaps);
            }
            return { standalone, demo: viaDemo, acc, gaps };
          },
          config,
        );
        expect(
          r.acc.every((a) => a > 0.85),
          `the demo trained: ${r.acc}`,
        ).toBe(true);
        // The best of three runs each, alternated: another process taking the CPU for a while slows some runs, not all.
        const ratio = Math.max(...r.demo) / Math.max(...r.standalone);
        console.log(
          `${name}: demo ${r.demo.map(Math.round)} vs alone ${r.standalone.map(Math.round)} samples/s → ${ratio.toFixed(2)}`,
        );
        expect(r.gaps.length, 'the charts redrew while training (else the spacing below says nothing)').toBeGreaterThan(
          0,
        );
        // setTimeout may fire a little early; 1000 ms is the interval.
        expect(
          Math.min(...r.gaps),
          `ms between redraws while training: ${r.gaps.map(Math.round)}`,
        ).toBeGreaterThanOrEqual(990);
      } finally {
        await engine.close();
      }
    },
    900_000,
  );
});

// package-browser.test.ts's checks in Firefox (puppeteer-core over WebDriver BiDi) and WebKit (WebKitWebDriver +
// MiniBrowser), through engines.mjs: the browser build from a plain <script type="module"> finds its wasm beside
// dist/index.js (the binary the engine can run), a wrong wasmUrl is a BackendError naming the URL and the HTTP status
// or the bytes found, the same first 20 losses as Node for the same seed, zerodl/inline fetches no .wasm. (The Vite
// build is engine-independent: package-browser.test.ts runs it in Chromium.) Requests are the page's resource
// timing entries — the one record every engine keeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as zerodl from '../../src/index.js';
// @ts-expect-error — plain .mjs scripts without type declarations
import { engineMissing, launchEngine } from './engines.mjs';
// @ts-expect-error — plain .mjs scripts without type declarations
import { serveStatic } from '../../scripts/serve.mjs';
import { buildDemo, ROOT } from './browser.js';
import { readSubset } from './data.js';
import { firstLosses, type SeededResult } from './seeded.js';

type Log = { errors: string[]; warnings: string[] };
type Page = {
  evaluate<T>(fn: (arg: never) => unknown, arg?: unknown): Promise<T>;
  log(): Promise<Log>;
  close(): Promise<void>;
};
type Engine = { name: string; open(url: string): Promise<Page>; close(): Promise<void> };
type ZWindow = { zerodl: typeof zerodl };

// The binary init() picks by itself (engines.test.ts checks the same fact on engine.html).
const VARIANT: Record<string, string> = { firefox: 'relaxed-simd', webkit: 'simd' };
const WASM: Record<string, string> = { firefox: 'zerodl-relaxed.wasm', webkit: 'zerodl.wasm' };

let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  buildDemo(); // the seeded check uses the demo's MNIST subset
  server = await serveStatic({ root: ROOT });
});
afterAll(() => server?.close());

const requested = (page: Page) =>
  page.evaluate<string[]>(() => performance.getEntriesByType('resource').map((e) => e.name));

describe.each(['firefox', 'webkit'])('zerodl in %s', (name) => {
  const missing = engineMissing(name) as string | undefined;
  let engine: Engine;
  beforeAll(async () => {
    if (!missing) engine = await launchEngine(name);
  }, 120_000);
  afterAll(() => engine?.close());

  async function plainPage(file = 'plain.html'): Promise<Page> {
    const page = await engine.open(`${server.url}test/browser/fixtures/${file}`);
    const title = await page.evaluate<string>(
      () =>
        new Promise((done) => {
          const end = Date.now() + 10_000;
          const poll = () =>
            document.title === 'loaded' || Date.now() > end ? done(document.title) : setTimeout(poll, 50);
          poll();
        }),
    );
    expect(title, `${file} loads (page log: ${JSON.stringify(await page.log())})`).toBe('loaded');
    return page;
  }

  it.skipIf(missing)(
    `loads from a plain script module and finds its wasm beside dist/index.js${missing ? ` — skipped: ${missing}` : ''}`,
    async () => {
      const page = await plainPage();
      const r = await page.evaluate<{ variant: string; n: number }>(async () => {
        const z = (window as unknown as ZWindow).zerodl;
        await z.init();
        const net = new z.MultiLayerNet({ inputSize: 4, hiddenSizes: [8], outputSize: 3, seed: 1 });
        return { variant: z.simdVariant()!, n: net.predict(new Float32Array(4)).length };
      });
      expect(r).toEqual({ variant: VARIANT[name], n: 3 });
      expect((await requested(page)).filter((u) => u.endsWith('.wasm'))).toEqual([`${server.url}dist/${WASM[name]}`]);
      expect(await page.log()).toEqual({ errors: [], warnings: [] });
    },
  );

  it.skipIf(missing)(
    'a wrong wasmUrl rejects with a BackendError naming the URL and the HTTP status or the bytes found',
    async () => {
      const page = await plainPage();
      const result = await page.evaluate<
        Record<string, { ok: boolean; name?: string; message?: string }> & { ready: boolean }
      >(async () => {
        const z = (window as unknown as ZWindow).zerodl;
        const attempt = async (wasmUrl: string) => {
          try {
            await z.init({ wasmUrl });
            return { ok: true };
          } catch (e) {
            const typed = e instanceof z.BackendError && e instanceof z.ZerodlError;
            return { ok: false, name: typed ? (e as Error).name : 'untyped', message: (e as Error).message };
          }
        };
        const missing = await attempt('/no/such/zerodl.wasm');
        const html = await attempt(location.href);
        const after = await attempt(new URL('/dist/zerodl.wasm', location.href).href);
        return { missing, html, after, ready: z.isReady() };
      });
      expect(result.missing).toMatchObject({ ok: false, name: 'BackendError' });
      expect(result.missing.message).toMatch(
        /cannot fetch the kernels' wasm from http:\/\/127\.0\.0\.1:\d+\/no\/such\/zerodl\.wasm: HTTP 404/,
      );
      expect(result.html).toMatchObject({ ok: false, name: 'BackendError' });
      expect(result.html.message).toMatch(
        /plain\.html is not a WebAssembly module: expected the bytes 00 61 73 6d, found 3c 21 64 6f 63 74 79 70 \(\d+ bytes\)/,
      );
      expect(result).toMatchObject({ after: { ok: true }, ready: true });
      expect((await page.log()).errors).toEqual([]);
    },
  );

  it.skipIf(missing)(
    'the same seed gives the same first 20 losses as Node, bit for bit (both on the plain SIMD binary)',
    async () => {
      const train = readSubset('train');
      const pixels = train.pixels.subarray(0, 500 * 784);
      const labels = train.labels.subarray(0, 500);
      const node = await firstLosses(zerodl, pixels, labels);
      const page = await plainPage();
      const browser = await page.evaluate<SeededResult>(
        new Function(
          'a',
          `const bytes = Uint8Array.from(atob(a[1]), (c) => c.charCodeAt(0));
           return (${firstLosses.toString()})(window.zerodl, bytes, Uint8Array.from(a[2]));`,
        ) as (arg: never) => unknown,
        [null, Buffer.from(pixels).toString('base64'), Array.from(labels)],
      );
      expect(node.variant).toBe('simd');
      expect(browser.variant).toBe('simd');
      expect(node.losses).toHaveLength(20);
      expect(node.losses.every(Number.isFinite)).toBe(true);
      expect(browser.losses).toEqual(node.losses);
      expect((await page.log()).errors).toEqual([]);
    },
  );

  it.skipIf(missing)('zerodl/inline initializes with no .wasm request', async () => {
    const page = await plainPage('inline.html');
    const variant = await page.evaluate<string>(async () => {
      const z = (window as unknown as ZWindow).zerodl;
      await z.init();
      return z.simdVariant()!;
    });
    expect(variant).toBe(VARIANT[name]);
    expect((await requested(page)).filter((u) => u.endsWith('.wasm'))).toEqual([]);
    expect(await page.log()).toEqual({ errors: [], warnings: [] });
  });
});

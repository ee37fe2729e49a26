// The package in Chromium, without the demo: the browser build from a plain <script type="module">, its typed
// errors for a bad wasmUrl, the same first 20 losses as Node for the same seed, the inline entry, and a Vite build.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as zerodl from '../../src/index.js';
import { buildDemo, ROOT, serve, skipReason, startSession, type Session } from './browser.js';
import { readSubset } from './data.js';
import { firstLosses, type SeededResult } from './seeded.js';

type Z = typeof zerodl;
// Inside page.evaluate only what the function's text holds exists: reach the page's module through window.
type ZWindow = { zerodl: Z };

describe.skipIf(skipReason)(`zerodl in Chromium${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let session: Session;

  beforeAll(async () => {
    buildDemo(); // the seeded check uses the demo's MNIST subset
    session = await startSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  async function plainPage(file = 'plain.html') {
    const opened = await session.open(`test/browser/fixtures/${file}`);
    await opened.page
      .waitForFunction(() => document.title === 'loaded', null, { timeout: 10_000 })
      .catch((e: Error) => {
        throw new Error(`${file} did not load: ${opened.errors.join('; ') || e.message}`);
      });
    return opened;
  }

  it('loads from a plain script module and finds its wasm beside dist/index.js', async () => {
    const { page, errors, requests } = await plainPage();
    const variant = await page.evaluate(async () => {
      const z = (window as unknown as ZWindow).zerodl;
      await z.init();
      const net = new z.MultiLayerNet({ inputSize: 4, hiddenSizes: [8], outputSize: 3, seed: 1 });
      return { variant: z.simdVariant(), n: net.predict(new Float32Array(4)).length };
    });
    // Chromium validates relaxed SIMD, so 'auto' picks that binary.
    expect(variant).toEqual({ variant: 'relaxed-simd', n: 3 });
    expect(requests.some((u) => u.endsWith('/dist/zerodl-relaxed.wasm'))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('a wrong wasmUrl rejects with a BackendError naming the URL and the HTTP status or the bytes found', async () => {
    const { page } = await plainPage();
    const result = await page.evaluate(async () => {
      const z = (window as unknown as ZWindow).zerodl;
      const attempt = async (wasmUrl: string) => {
        try {
          await z.init({ wasmUrl });
          return { ok: true };
        } catch (e) {
          return {
            ok: false,
            name: (e as Error).name,
            typed: e instanceof z.BackendError && e instanceof z.ZerodlError,
            message: (e as Error).message,
          };
        }
      };
      const missing = await attempt('/no/such/zerodl.wasm');
      const html = await attempt(location.href);
      const after = await attempt(new URL('/dist/zerodl.wasm', location.href).href); // a failed init can be retried
      return { missing, html, after, ready: z.isReady() };
    });
    expect(result.missing).toMatchObject({ ok: false, name: 'BackendError', typed: true });
    expect(result.missing.message).toMatch(
      /cannot fetch the kernels' wasm from http:\/\/127\.0\.0\.1:\d+\/no\/such\/zerodl\.wasm: HTTP 404/,
    );
    expect(result.html).toMatchObject({ ok: false, name: 'BackendError', typed: true });
    expect(result.html.message).toMatch(
      /plain\.html is not a WebAssembly module: expected the bytes 00 61 73 6d, found 3c 21 64 6f 63 74 79 70 \(\d+ bytes\)/,
    );
    expect(result).toMatchObject({ after: { ok: true }, ready: true });
  });

  it('the same seed gives the same first 20 losses as Node, bit for bit (both on the plain SIMD binary)', async () => {
    const train = readSubset('train');
    const pixels = train.pixels.subarray(0, 500 * 784);
    const labels = train.labels.subarray(0, 500);
    const node = await firstLosses(zerodl, pixels, labels);

    const { page, errors } = await plainPage();
    const browser = (await page.evaluate(
      async ([source, b64, lab]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const run = new Function(`return (${source})`)() as typeof firstLosses;
        return run((window as unknown as ZWindow).zerodl, bytes, Uint8Array.from(lab));
      },
      [firstLosses.toString(), Buffer.from(pixels).toString('base64'), Array.from(labels)] as const,
    )) as SeededResult;

    expect(node.variant).toBe('simd');
    expect(browser.variant).toBe('simd');
    expect(node.losses).toHaveLength(20);
    expect(node.losses.every(Number.isFinite)).toBe(true);
    expect(browser.losses).toEqual(node.losses);
    expect(errors).toEqual([]);
  });

  it('zerodl/inline initializes with no .wasm request', async () => {
    const { page, errors, requests } = await plainPage('inline.html');
    const variant = await page.evaluate(async () => {
      const z = (window as unknown as ZWindow).zerodl;
      await z.init();
      return z.simdVariant();
    });
    expect(variant).toBe('relaxed-simd');
    expect(requests.filter((u) => u.endsWith('.wasm'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a Vite 7 app that imports zerodl builds, emits the wasm and runs', async () => {
    // The fixture app in a temp folder, with node_modules/zerodl linked to this package, as npm would install it.
    const app = mkdtempSync(join(tmpdir(), 'zerodl-vite-'));
    let server: { url: string; close(): Promise<void> } | undefined;
    try {
      cpSync(join(ROOT, 'test/browser/fixtures/vite'), app, { recursive: true });
      mkdirSync(join(app, 'node_modules'));
      symlinkSync(ROOT, join(app, 'node_modules', 'zerodl'), 'dir');
      const { build } = await import('vite');
      await build({ root: app, configFile: join(app, 'vite.config.mjs'), logLevel: 'error' });
      const assets = readdirSync(join(app, 'dist', 'assets'));
      const wasm = assets.filter((f) => f.endsWith('.wasm'));
      expect(wasm).toHaveLength(4); // every binary: init() picks one at run time (threads: a shared-memory one)
      const plain = readFileSync(join(ROOT, 'dist', 'zerodl.wasm'));
      expect(wasm.filter((f) => readFileSync(join(app, 'dist', 'assets', f)).equals(plain))).toHaveLength(1);
      const js = assets
        .filter((f) => f.endsWith('.js'))
        .map((f) => readFileSync(join(app, 'dist', 'assets', f), 'utf8'))
        .join('\n');
      expect(js).not.toMatch(/node:|require\(/);

      server = await serve(join(app, 'dist'));
      const { page, errors } = await session.open('index.html', server.url);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, {
        timeout: 10_000,
      });
      const result = await page.evaluate(
        () => (window as unknown as { result: { variant: string; scores: number[] } }).result,
      );
      expect(result.variant).toBe('relaxed-simd');
      expect(result.scores).toHaveLength(3);
      expect(errors).toEqual([]);
    } finally {
      await server?.close();
      rmSync(app, { recursive: true, force: true });
    }
  });
});

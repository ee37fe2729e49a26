// The demo in Firefox and WebKit (engines.mjs; demo.test.ts covers Chromium in depth): dist-demo/ loads its kernels
// and data, a short training (2 epochs on the demo's defaults) runs in its worker to the end and reports a test
// accuracy far above chance, with no page errors. Only the demo's stable hooks are used: window.zerodlDemo.state,
// the #start button and the epochs field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error — plain .mjs scripts without type declarations
import { engineMissing, launchEngine } from './engines.mjs';
// @ts-expect-error — plain .mjs scripts without type declarations
import { serveStatic } from '../../scripts/serve.mjs';
import { buildDemo, ROOT } from './browser.js';

type Log = { errors: string[]; warnings: string[] };
type Page = { evaluate<T>(fn: (arg: never) => unknown, arg?: unknown): Promise<T>; log(): Promise<Log> };
type Engine = { open(url: string): Promise<Page>; close(): Promise<void> };
type DemoWindow = { zerodlDemo?: { state: { ready: boolean; training: boolean; finalTestAccuracy?: number } } };

let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  buildDemo();
  server = await serveStatic({ root: ROOT });
});
afterAll(() => server?.close());

describe.each(['firefox', 'webkit'])('the demo in %s', (name) => {
  const missing = engineMissing(name) as string | undefined;
  let engine: Engine;
  beforeAll(async () => {
    if (!missing) engine = await launchEngine(name);
  }, 120_000);
  afterAll(() => engine?.close());

  it.skipIf(missing)(
    `loads, trains 2 epochs in its worker to a test accuracy, with no page errors${missing ? ` — skipped: ${missing}` : ''}`,
    async () => {
      const page = await engine.open(`${server.url}dist-demo/index.html`);
      const ready = await page.evaluate<boolean>(
        () =>
          new Promise((done) => {
            const end = Date.now() + 30_000;
            const poll = () => {
              const ok = (window as unknown as DemoWindow).zerodlDemo?.state.ready === true;
              if (ok || Date.now() > end) done(ok);
              else setTimeout(poll, 50);
            };
            poll();
          }),
      );
      expect(ready, `the demo is ready (page log: ${JSON.stringify(await page.log())})`).toBe(true);
      const r = await page.evaluate<{ accuracy?: number; training: boolean; timedOut: boolean }>(
        () =>
          new Promise((done) => {
            const { state } = (window as unknown as DemoWindow).zerodlDemo!;
            (document.querySelector('input[name=epochs]') as HTMLInputElement).value = '2';
            (document.getElementById('start') as HTMLButtonElement).click();
            const end = Date.now() + 240_000;
            const poll = () => {
              const timedOut = Date.now() > end;
              if (state.finalTestAccuracy !== undefined || timedOut) {
                done({ accuracy: state.finalTestAccuracy, training: state.training, timedOut });
              } else setTimeout(poll, 100);
            };
            poll();
          }),
      );
      expect(r.timedOut, 'training finished within 240 s').toBe(false);
      expect(r.training).toBe(false);
      // Chance is 0.1; 2 epochs of the defaults on the 5,000-image subset reach ~0.9 in Chromium.
      expect(r.accuracy).toBeGreaterThan(0.8);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      expect((await page.log()).errors).toEqual([]);
    },
    300_000,
  );
});

// The chapter pages (dist-site/chapter/6-*.html) in Firefox and WebKit (test/browser/engines.mjs; pages.test.ts
// covers Chromium in depth): per section, the experiments' quick runs draw all their figures and every finding holds
// (✓) with no page error; a live knob change redraws, a select chooses the figures shown, a URL with knob values
// restores them; MNIST comes from the Cache API after a reload. One browser per engine, the pages opened one after
// the other in it.
// What the log sees: the page's console.error/warn and uncaught errors (engines.mjs's capture; in WebKit installed
// only after load). Workers' consoles are seen by neither driver; a Worker's failure still shows, as the panel's
// status 'error' and its message, which every run checks.
// Both engines run every experiment's quick mode (WebKit's MiniBrowser about twice Firefox's time here; RUNS is
// the place to give WebKit fewer if CI's time ever needs it).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error — plain .mjs scripts without type declarations
import { engineMissing, launchEngine } from '../browser/engines.mjs';
// @ts-expect-error — plain .mjs scripts without type declarations
import { serveStatic } from '../../scripts/serve.mjs';
import { ROOT } from '../browser/browser.js';

type Log = { errors: string[]; warnings: string[] };
type Page = { evaluate<T>(fn: (arg: never) => unknown, arg?: unknown): Promise<T>; log(): Promise<Log> };
type Engine = { open(url: string): Promise<Page>; close(): Promise<void> };
interface PanelState {
  running: boolean;
  status: string;
  error?: string;
  result?: { findings: { claim: string; holds: boolean }[] };
  draws: Record<string, number>;
  runs: number;
  mnist?: { fromCache: boolean; done: boolean; loadedBytes: number };
}
type SiteWindow = { zerodlSite?: { panels: Record<string, PanelState> } };

const histograms = ['sigmoid', 'tanh', 'relu'].flatMap((a) =>
  ['std1', 'std0.01', 'xavier', 'he'].map((w) => `init-histogram-${a}-${w}`),
);
/** Per page: the experiments run in each engine and the figures each must draw. */
const ALL: { page: string; experiments: Record<string, string[]> }[] = [
  { page: '6-1', experiments: { 'optimizer-paths': ['optimizer-paths'], 'optimizer-mnist': ['optimizer-mnist'] } },
  { page: '6-2', experiments: { 'init-histogram': histograms, 'init-mnist': ['init-mnist'] } },
  { page: '6-3', experiments: { batchnorm: ['batchnorm'] } },
  { page: '6-4', experiments: { 'weight-decay': ['weight-decay'], dropout: ['dropout'] } },
  {
    page: '6-5',
    experiments: { 'hyperparameter-search': ['hyperparameter-search-scatter', 'hyperparameter-search-best'] },
  },
];
const RUNS: Record<string, typeof ALL> = { firefox: ALL, webkit: ALL };

let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  execFileSync(process.execPath, ['site/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
  server = await serveStatic({ root: join(ROOT, 'dist-site') });
}, 120_000);
afterAll(() => server?.close());

/** Waits in the page until `zerodlSite` exists (the page's module ran). */
const mounted = (page: Page) =>
  page.evaluate<boolean>(
    () =>
      new Promise((done) => {
        const end = Date.now() + 30_000;
        const poll = () => {
          const ok = (window as unknown as SiteWindow).zerodlSite !== undefined;
          if (ok || Date.now() > end) done(ok);
          else setTimeout(poll, 50);
        };
        poll();
      }),
  );

/**
 * Clicks the panel's Run once it is idle and resolves when that run has ended (and the last coalesced redraw, ≤ 250
 * ms later, is drawn), with the panel's state and its findings' marks; `stopWhen: 'mnist'` clicks Stop once MNIST
 * has loaded.
 */
const runPanel = (page: Page, name: string, stopWhen?: 'mnist') =>
  page.evaluate<{ state: PanelState; marks: string[]; tables: number; timedOut: boolean }>(
    ([n, stop]: [string, string | undefined]) =>
      new Promise((done) => {
        const p = (window as unknown as SiteWindow).zerodlSite!.panels[n];
        const section = document.getElementById(n)!;
        const end = Date.now() + 400_000;
        const finish = (timedOut: boolean) =>
          done({
            state: JSON.parse(JSON.stringify(p)),
            marks: [...section.querySelectorAll('.findings .mark')].map((m) => m.textContent ?? ''),
            tables: section.querySelectorAll('.summary table').length,
            timedOut,
          });
        let before = 0;
        const wait = () => {
          if (Date.now() > end) return finish(true);
          if (stop === 'mnist' && p.mnist?.done && p.running)
            section.querySelector<HTMLButtonElement>('button.stop')!.click();
          if (p.runs > before && !p.running) setTimeout(() => finish(false), 600);
          else setTimeout(wait, 100);
        };
        const start = () => {
          if (Date.now() > end) return finish(true);
          if (p.running) return setTimeout(start, 100);
          before = p.runs;
          section.querySelector<HTMLButtonElement>('button.run')!.click();
          wait();
        };
        start();
      }),
    [name, stopWhen],
  );

describe.each(['firefox', 'webkit'])('the chapter pages in %s', (name) => {
  const missing = engineMissing(name) as string | undefined;
  let engine: Engine;
  beforeAll(async () => {
    if (!missing) engine = await launchEngine(name);
  }, 120_000);
  afterAll(() => engine?.close());
  const open = async (path: string): Promise<Page> => {
    const page = await engine.open(`${server.url}chapter/${path}`);
    expect(await mounted(page), `${path} mounts (page log: ${JSON.stringify(await page.log())})`).toBe(true);
    return page;
  };

  for (const { page: section, experiments } of RUNS[name]) {
    const list = Object.keys(experiments);
    it.skipIf(missing || list.length === 0)(
      `chapter/${section}.html: ${list.join(', ') || 'nothing here'} — the quick runs draw every figure, every finding ✓${missing ? ` — skipped: ${missing}` : ''}`,
      async () => {
        const page = await open(`${section}.html`);
        for (const [experiment, figures] of Object.entries(experiments)) {
          const t0 = Date.now();
          const { state, marks, tables, timedOut } = await runPanel(page, experiment);
          console.log(`${name} ${experiment}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          expect(timedOut, `${experiment} ends`).toBe(false);
          expect(state.error, experiment).toBeUndefined();
          expect(state.status, experiment).toBe('done');
          for (const f of figures) expect(state.draws[f], `${experiment}: ${f}`).toBeGreaterThan(0);
          expect(state.result!.findings.length).toBeGreaterThan(0);
          expect(state.result!.findings.filter((f) => !f.holds)).toEqual([]);
          expect(marks).toEqual(state.result!.findings.map(() => '✓'));
          expect(tables).toBe(1);
        }
        expect((await page.log()).errors).toEqual([]);
      },
      600_000,
    );
  }

  it.skipIf(missing)(
    'MNIST comes from the Cache API after a reload',
    async () => {
      // Loaded once by a fresh page (from the network, unless an earlier test of this file already cached it), then
      // again after a reload; each run is stopped once its MNIST is in. optimizer-mnist runs in one Worker, so the
      // panel's MNIST progress is that Worker's alone (batchnorm's split over several Workers interleaves theirs).
      for (const k of [0, 1]) {
        const page = await open('6-1.html');
        const { state, timedOut } = await runPanel(page, 'optimizer-mnist', 'mnist');
        expect(timedOut).toBe(false);
        expect(state.error).toBeUndefined();
        expect(state.mnist?.done, `load ${k + 1}`).toBe(true);
        expect(state.mnist!.loadedBytes).toBeGreaterThan(10_000_000); // the full MNIST, gzipped: 11.2 MB
        if (k === 1) expect(state.mnist!.fromCache).toBe(true);
        expect((await page.log()).errors).toEqual([]);
      }
    },
    300_000,
  );

  it.skipIf(missing)(
    '6.1: a URL restores the knobs; a learning rate typed in redraws the paths and goes into the URL',
    async () => {
      const page = await open('6-1.html?optimizer-paths.x=-6&optimizer-mnist.seed=7&optimizer-mnist.mode=full');
      const r = await page.evaluate<{
        x: string;
        seed: string;
        mode: string;
        before: number;
        after: number;
        url: string;
      }>(
        () =>
          new Promise((done) => {
            const p = (window as unknown as SiteWindow).zerodlSite!.panels['optimizer-paths'];
            const value = (id: string) => (document.getElementById(id) as HTMLInputElement).value;
            const got = {
              x: value('optimizer-paths-x'),
              seed: value('optimizer-mnist-seed'),
              mode: value('optimizer-mnist-mode'),
            };
            const end = Date.now() + 60_000;
            const drawn = (n: number, then: () => void) => {
              if ((p.draws['optimizer-paths'] ?? 0) > n && !p.running) setTimeout(then, 600);
              else if (Date.now() > end)
                done({ ...got, before: n, after: p.draws['optimizer-paths'] ?? 0, url: location.href });
              else setTimeout(() => drawn(n, then), 50);
            };
            drawn(0, () => {
              const before = p.draws['optimizer-paths'];
              const lr = document.getElementById('optimizer-paths-lr-SGD') as HTMLInputElement;
              lr.value = '0.5';
              lr.dispatchEvent(new Event('input', { bubbles: true }));
              drawn(before, () => done({ ...got, before, after: p.draws['optimizer-paths'], url: location.href }));
            });
          }),
      );
      expect([r.x, r.seed, r.mode]).toEqual(['-6', '7', 'full']);
      expect(r.before).toBeGreaterThan(0);
      expect(r.after).toBeGreaterThan(r.before);
      expect(new URL(r.url).searchParams.get('optimizer-paths.lr-SGD')).toBe('0.5');
      expect(new URL(r.url).searchParams.get('optimizer-paths.x')).toBe('-6');
      expect((await page.log()).errors).toEqual([]);
    },
    120_000,
  );

  it.skipIf(missing)(
    '6.2: the selects from the URL choose the histograms shown; another choice shows others',
    async () => {
      const page = await open('6-2.html?init-histogram.act=relu&init-histogram.init=he');
      const shown = await page.evaluate<{ first: string[]; all: string[]; act: string }>(() => {
        const figures = () =>
          [...document.querySelectorAll('#init-histogram figure:not([hidden]) .chart')].map(
            (c) => (c as HTMLElement).dataset.figure ?? '',
          );
        const act = document.getElementById('init-histogram-act') as HTMLSelectElement;
        const first = figures();
        const was = act.value;
        act.value = 'all';
        act.dispatchEvent(new Event('change', { bubbles: true }));
        return { first, all: figures(), act: was };
      });
      expect(shown.act).toBe('relu');
      expect(shown.first).toEqual(['init-histogram-relu-he']);
      expect(shown.all).toEqual(['init-histogram-sigmoid-he', 'init-histogram-tanh-he', 'init-histogram-relu-he']);
      expect((await page.log()).errors).toEqual([]);
    },
    60_000,
  );
});

// The chapter pages (dist-site/chapter/6-1.html … 6-5.html, built by site/build.mjs) in Chromium. For each
// section: every experiment's quick run draws all its figures and the book's findings all hold (✓), with no
// console or page error, its worker's included; a knob change redraws; a URL with knob values restores them.
// The experiments run in the page's Workers (site/run.ts): these are the same runs as `zerodl experiment --quick`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type Session, skipReason as browserSkip, startSession } from '../browser/browser.js';

interface SiteWindow {
  zerodlSite?: {
    panels: Record<
      string,
      {
        running: boolean;
        status: string;
        error?: string;
        result?: { findings: { claim: string; holds: boolean }[] };
        draws: Record<string, number>;
        specs: Record<string, string>;
        runs: number;
      }
    >;
  };
}

const skipReason =
  browserSkip ??
  (existsSync(join(ROOT, 'site/build.mjs')) && existsSync(join(ROOT, 'site/run.ts'))
    ? undefined
    : 'site/build.mjs and site/run.ts (the runner) are absent: dist-site cannot be built');

/** Per section: its experiments and the figures each must draw. */
const PAGES: { page: string; experiments: Record<string, string[]> }[] = [
  { page: '6-1', experiments: { 'optimizer-paths': ['optimizer-paths'], 'optimizer-mnist': ['optimizer-mnist'] } },
  {
    page: '6-2',
    experiments: {
      'init-histogram': ['sigmoid', 'tanh', 'relu'].flatMap((a) =>
        ['std1', 'std0.01', 'xavier', 'he'].map((w) => `init-histogram-${a}-${w}`),
      ),
      'init-mnist': ['init-mnist'],
    },
  },
  { page: '6-3', experiments: { batchnorm: ['batchnorm'] } },
  { page: '6-4', experiments: { 'weight-decay': ['weight-decay'], dropout: ['dropout'] } },
  {
    page: '6-5',
    experiments: { 'hyperparameter-search': ['hyperparameter-search-scatter', 'hyperparameter-search-best'] },
  },
];

const panel = (page: Page, name: string) =>
  page.evaluate((n) => (window as unknown as SiteWindow).zerodlSite!.panels[n], name);

async function runToEnd(page: Page, name: string, timeout = 240_000): Promise<void> {
  const before = (await panel(page, name)).runs;
  await page.click(`#${name} button.run`);
  await page.waitForFunction(
    ([n, r]) => {
      const p = (window as unknown as SiteWindow).zerodlSite!.panels[n as string];
      return p.runs > (r as number) && !p.running;
    },
    [name, before],
    { timeout, polling: 250 },
  );
}

/** Waits until the coalesced redraws have drawn the final figures (the last draw comes ≤ 250 ms after the run). */
const settle = (page: Page) => page.waitForTimeout(600);

describe.skipIf(skipReason)(`the chapter pages in Chromium${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let session: Session;

  beforeAll(async () => {
    execFileSync(process.execPath, ['site/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    session = await startSession(join(ROOT, 'dist-site'));
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  });

  for (const { page: name, experiments } of PAGES) {
    describe(`chapter/${name}.html`, () => {
      let page: Page;
      let errors: string[];
      beforeAll(async () => {
        ({ page, errors } = await session.open(`chapter/${name}.html`));
        await page.waitForFunction(() => (window as unknown as SiteWindow).zerodlSite !== undefined);
      });
      afterAll(async () => {
        await page?.close();
      });

      it('links to the demo and its neighbours', async () => {
        expect(await page.getAttribute('nav a[href="../index.html"]', 'href')).toBe('../index.html');
        const n = Number(name.slice(2));
        expect(await page.locator('nav a[rel=prev]').count()).toBe(n > 1 ? 1 : 0);
        expect(await page.locator('nav a[rel=next]').count()).toBe(n < 5 ? 1 : 0);
        // Every control has a visible label.
        const unlabelled = await page.evaluate(() =>
          [...document.querySelectorAll('input, select')]
            .filter((c) => !c.id || !document.querySelector(`label[for="${c.id}"]`))
            .map((c) => (c as HTMLInputElement).name),
        );
        expect(unlabelled).toEqual([]);
      });

      for (const [experiment, figures] of Object.entries(experiments)) {
        it(`${experiment}: the quick run draws every figure and every finding holds`, async () => {
          await runToEnd(page, experiment);
          await settle(page);
          const p = await panel(page, experiment);
          expect(p.error).toBeUndefined();
          expect(p.status).toBe('done');
          for (const f of figures) expect(p.draws[f], f).toBeGreaterThan(0);
          expect(p.result!.findings.length).toBeGreaterThan(0);
          expect(p.result!.findings.filter((f) => !f.holds)).toEqual([]);
          const marks = await page.locator(`#${experiment} .findings .mark`).allTextContents();
          expect(marks).toEqual(p.result!.findings.map(() => '✓'));
          expect(await page.locator(`#${experiment} .summary table`).count()).toBe(1);
          expect(errors).toEqual([]);
        }, 300_000);
      }

      it('restores knob values from the URL', async () => {
        const [experiment] = Object.keys(experiments);
        const url = new URL(page.url());
        url.searchParams.set(`${experiment}.seed`, '7');
        url.searchParams.set(`${experiment}.mode`, 'full');
        const other = await session.open(`chapter/${name}.html${url.search}`);
        await other.page.waitForFunction(() => (window as unknown as SiteWindow).zerodlSite !== undefined);
        if (experiment !== 'optimizer-paths' && experiment !== 'init-histogram')
          expect(await other.page.inputValue(`#${experiment}-seed`)).toBe('7');
        expect(await other.page.inputValue(`#${experiment}-mode`)).toBe('full');
        await other.page.close();
      });
    });
  }

  it('6.1: a learning rate typed in redraws the paths at once; a click on the plot moves the start point', async () => {
    const { page, errors } = await session.open(
      'chapter/6-1.html?optimizer-paths.x=-6&optimizer-paths.y=1.5&optimizer-paths.lr-Adam=0.7' +
        '&optimizer-mnist.optimizers=Adam,SGD&optimizer-mnist.iterations=20&optimizer-mnist.seed=3',
    );
    await page.waitForFunction(() => (window as unknown as SiteWindow).zerodlSite !== undefined);
    expect(await page.inputValue('#optimizer-paths-x')).toBe('-6');
    expect(await page.inputValue('#optimizer-paths-lr-Adam')).toBe('0.7');
    await page.waitForFunction(
      () => ((window as unknown as SiteWindow).zerodlSite!.panels['optimizer-paths'].draws['optimizer-paths'] ?? 0) > 0,
      null,
      { timeout: 60_000 },
    );
    const done = () =>
      page.waitForFunction(
        () => {
          const p = (window as unknown as SiteWindow).zerodlSite!.panels['optimizer-paths'];
          return !p.running && p.status === 'done';
        },
        null,
        { timeout: 60_000 },
      );
    await done();
    await settle(page);
    const before = await panel(page, 'optimizer-paths');
    // The live run used the URL's start and rate: the results, the figure's title and the paths say so.
    type Paths = { start: number[]; paths: Record<string, { lr: number; points: number[][] }> };
    const used = (p: typeof before) => (p.result as unknown as { results: Paths }).results;
    expect(used(before).start).toEqual([-6, 1.5]);
    expect(used(before).paths.Adam.lr).toBe(0.7);
    expect(used(before).paths.SGD.points[0]).toEqual([-6, 1.5]);
    expect(JSON.parse(before.specs['optimizer-paths']).title).toMatch(/from \(−6, 1\.5\)/);
    expect(await page.locator('#optimizer-paths p.note').count()).toBe(0);
    await page.fill('#optimizer-paths-lr-SGD', '0.5');
    await page.waitForFunction(
      (d) => (window as unknown as SiteWindow).zerodlSite!.panels['optimizer-paths'].draws['optimizer-paths'] > d,
      before.draws['optimizer-paths'],
      { timeout: 60_000 },
    );
    expect(new URL(page.url()).searchParams.get('optimizer-paths.lr-SGD')).toBe('0.5');
    // A click near the right edge of a cell (an optimizer's plot) moves the start to positive x.
    // (after the redraw settles: vega-embed replaces the svg asynchronously, and a box read mid-redraw was null once)
    await settle(page);
    const cell = page.locator('[data-figure="optimizer-paths"] .role-scope path.background').first();
    await cell.waitFor({ state: 'visible', timeout: 30_000 });
    let box = await cell.boundingBox();
    for (let k = 0; !box && k < 50; k++) {
      await page.waitForTimeout(100);
      box = await cell.boundingBox();
    }
    if (!box) throw new Error('the optimizer-paths figure has no plot cell to click');
    await done();
    const runs = (await panel(page, 'optimizer-paths')).runs;
    expect(used(await panel(page, 'optimizer-paths')).paths.SGD.lr).toBe(0.5);
    await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.5);
    const x = Number(await page.inputValue('#optimizer-paths-x'));
    expect(x).toBeGreaterThan(0);
    await page.waitForFunction(
      ([r]) => {
        const p = (window as unknown as SiteWindow).zerodlSite!.panels['optimizer-paths'];
        return p.runs > r && !p.running && p.status === 'done';
      },
      [runs],
      { timeout: 60_000 },
    );
    expect(used(await panel(page, 'optimizer-paths')).start[0]).toBe(x);
    // optimizer-mnist: the URL's optimizers, iterations and seed are in the inputs, and the run uses them.
    expect(await page.isChecked('#optimizer-mnist-optimizers-Adam')).toBe(true);
    expect(await page.isChecked('#optimizer-mnist-optimizers-SGD')).toBe(true);
    expect(await page.isChecked('#optimizer-mnist-optimizers-Momentum')).toBe(false);
    expect(await page.inputValue('#optimizer-mnist-iterations')).toBe('20');
    await runToEnd(page, 'optimizer-mnist');
    const mnist = await panel(page, 'optimizer-mnist');
    expect(mnist.error).toBeUndefined();
    const r = mnist.result as unknown as { seed: number; results: { loss: Record<string, number[]> } };
    expect(r.seed).toBe(3);
    expect(Object.keys(r.results.loss).sort()).toEqual(['Adam', 'SGD']);
    for (const l of Object.values(r.results.loss)) expect(l).toHaveLength(20);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('6.2: the activation and weight selects choose the histograms shown; binning redraws them', async () => {
    const { page, errors } = await session.open(
      'chapter/6-2.html?init-histogram.act=relu&init-histogram.init=he&init-histogram.layers=3&init-histogram.units=40' +
        '&init-mnist.inits=he&init-mnist.iterations=10',
    );
    await page.waitForFunction(() => (window as unknown as SiteWindow).zerodlSite !== undefined);
    const shown = () =>
      page.$$eval('#init-histogram figure:not([hidden]) .chart', (cs) =>
        cs.map((c) => (c as HTMLElement).dataset.figure),
      );
    expect(await shown()).toEqual(['init-histogram-relu-he']);
    await page.selectOption('#init-histogram-act', 'all');
    expect((await shown()).length).toBe(3);
    expect(await page.inputValue('#init-histogram-layers')).toBe('3');
    expect(await page.inputValue('#init-histogram-units')).toBe('40');
    type Hist = { results: { layers: number; nodes: number; std?: number; settings: Record<string, unknown> } };
    const hist = async () => (await panel(page, 'init-histogram')).result as unknown as Hist;
    await runToEnd(page, 'init-histogram');
    await settle(page);
    // The URL's 3 layers of 40 units, for the selected weight scale (He) under every activation (now 'all').
    expect((await hist()).results.layers).toBe(3);
    expect((await hist()).results.nodes).toBe(40);
    expect(Object.keys((await hist()).results.settings)).toEqual(['sigmoid-he', 'relu-he', 'tanh-he']);
    const book = (await panel(page, 'init-histogram')).specs['init-histogram-relu-he'];
    const panels = JSON.parse(book).data.values.map((b: { p: string }) => b.p);
    expect([...new Set(panels)]).toEqual(['1-layer', '2-layer', '3-layer']);
    await page.selectOption('#init-histogram-binning', 'range');
    await runToEnd(page, 'init-histogram');
    await settle(page);
    expect((await panel(page, 'init-histogram')).specs['init-histogram-relu-he']).not.toBe(book);
    // The std slider with the 'custom' scale: its histogram is drawn from that std, and the URL keeps it.
    await page.selectOption('#init-histogram-act', 'relu');
    await page.selectOption('#init-histogram-init', 'custom');
    await page.locator('#init-histogram-std').evaluate((el) => {
      (el as HTMLInputElement).value = '1.25';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(new URL(page.url()).searchParams.get('init-histogram.std')).toBe('1.25');
    await runToEnd(page, 'init-histogram');
    await settle(page);
    expect((await hist()).results.std).toBe(1.25);
    expect(Object.keys((await hist()).results.settings)).toEqual(['relu-custom']);
    expect(await shown()).toEqual(['init-histogram-relu-custom']);
    expect(JSON.parse((await panel(page, 'init-histogram')).specs['init-histogram-relu-custom']).title).toMatch(
      /ReLU, std 1\.25/,
    );
    // init-mnist: the URL's scales and iterations in the inputs, and the run uses them.
    expect(await page.isChecked('#init-mnist-inits-he')).toBe(true);
    expect(await page.isChecked('#init-mnist-inits-xavier')).toBe(false);
    expect(await page.inputValue('#init-mnist-iterations')).toBe('10');
    await runToEnd(page, 'init-mnist');
    const im = await panel(page, 'init-mnist');
    expect(im.error).toBeUndefined();
    const loss = (im.result as unknown as { results: { loss: Record<string, number[]> } }).results.loss;
    expect(Object.keys(loss)).toEqual(['He']);
    expect(loss.He).toHaveLength(10);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('6.3: other weight scales, epochs and training images redraw the panels; Stop ends a run', async () => {
    const { page, errors } = await session.open(
      'chapter/6-3.html?batchnorm.scales=6&batchnorm.epochs=3&batchnorm.trainSize=200',
    );
    await page.waitForFunction(() => (window as unknown as SiteWindow).zerodlSite !== undefined);
    expect(await page.isChecked('#batchnorm-scales-6')).toBe(true);
    expect(await page.isChecked('#batchnorm-scales-3')).toBe(false);
    expect(await page.inputValue('#batchnorm-epochs')).toBe('3');
    expect(await page.inputValue('#batchnorm-trainSize')).toBe('200');
    await runToEnd(page, 'batchnorm');
    await settle(page);
    const used = async () => {
      const r = (await panel(page, 'batchnorm')).result as unknown as {
        results: { epochs: number; trainSize: number; runs: { batchNorm: number[] }[] };
      };
      return [r.results.epochs, r.results.trainSize, r.results.runs[0].batchNorm.length];
    };
    expect(await used()).toEqual([3, 200, 3]);
    const one = (await panel(page, 'batchnorm')).specs.batchnorm;
    await page.check('#batchnorm-scales-9');
    await page.fill('#batchnorm-epochs', '4');
    expect(new URLSearchParams(await page.evaluate(() => location.search)).get('batchnorm.epochs')).toBe('4');
    await runToEnd(page, 'batchnorm');
    await settle(page);
    expect(await used()).toEqual([4, 200, 4]);
    expect((await panel(page, 'batchnorm')).specs.batchnorm).not.toBe(one);
    await page.selectOption('#batchnorm-mode', 'full');
    await page.fill('#batchnorm-epochs', '');
    await page.click('#batchnorm button.run');
    // Clicked from the page once enabled: while the full run's partial figures redraw, the page's height (and the
    // button's place in the viewport) may keep changing, and Playwright's click waits for a button that stays put.
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('#batchnorm button.stop')!.disabled);
    await page.evaluate(() => document.querySelector<HTMLButtonElement>('#batchnorm button.stop')!.click());
    await page.waitForFunction(
      () => (window as unknown as SiteWindow).zerodlSite!.panels.batchnorm.status === 'stopped',
      null,
      { timeout: 30_000 },
    );
    expect(await page.textContent('#batchnorm .status')).toBe('stopped.');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('6.4: the λ list, dropout ratios, epochs and training images redraw the curves; dropout draws as it trains', async () => {
    const { page, errors } = await session.open(
      'chapter/6-4.html?dropout.ratios=0&weight-decay.lambdas=0,0.3&weight-decay.epochs=3&weight-decay.trainSize=200',
    );
    await page.waitForFunction(() => (window as unknown as SiteWindow).zerodlSite !== undefined);
    expect(await page.isChecked('#dropout-ratios-0')).toBe(true);
    expect(await page.isChecked('#dropout-ratios-0\\.2')).toBe(false);
    expect(await page.isChecked('#weight-decay-lambdas-0\\.3')).toBe(true);
    expect(await page.isChecked('#weight-decay-lambdas-0\\.1')).toBe(false);
    expect(await page.inputValue('#weight-decay-epochs')).toBe('3');
    expect(await page.inputValue('#weight-decay-trainSize')).toBe('200');
    const results = async (name: string) =>
      ((await panel(page, name)).result as unknown as { results: Record<string, unknown> }).results;
    await runToEnd(page, 'weight-decay');
    await settle(page);
    let wd = await results('weight-decay');
    expect([wd.lambdas, wd.epochs, wd.trainSize]).toEqual([[0, 0.3], 3, 200]);
    const before = (await panel(page, 'weight-decay')).specs['weight-decay'];
    await page.check('#weight-decay-lambdas-1');
    await runToEnd(page, 'weight-decay');
    await settle(page);
    wd = await results('weight-decay');
    expect(wd.lambdas).toEqual([0, 0.3, 1]);
    expect((await panel(page, 'weight-decay')).specs['weight-decay']).not.toBe(before);

    await runToEnd(page, 'dropout');
    await settle(page);
    const off = (await panel(page, 'dropout')).specs.dropout;
    await page.check('#dropout-ratios-0\\.5');
    await page.uncheck('#dropout-ratios-0');
    expect(new URLSearchParams(await page.evaluate(() => location.search)).get('dropout.ratios')).toBe('0.5');
    const drawsBefore = (await panel(page, 'dropout')).draws.dropout;
    await runToEnd(page, 'dropout');
    await settle(page);
    const p = await panel(page, 'dropout');
    expect(Object.keys((await results('dropout')).runs as object)).toEqual(['0.5']);
    expect(p.specs.dropout).not.toBe(off);
    // partial figures while it trained (61 epochs), then the final one: more than one draw for the run
    expect(p.draws.dropout - drawsBefore).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('6.5: a small search (4 trials × 3 epochs) in narrower ranges redraws the scatter; the pooled scatter fills in', async () => {
    const { page, errors } = await session.open(
      'chapter/6-5.html?hyperparameter-search.trials=4&hyperparameter-search.epochs=3' +
        '&hyperparameter-search.lrFrom=-3&hyperparameter-search.decayTo=-5',
    );
    await page.waitForFunction(() => (window as unknown as SiteWindow).zerodlSite !== undefined);
    expect(await page.inputValue('#hyperparameter-search-trials')).toBe('4');
    expect(await page.inputValue('#hyperparameter-search-lrFrom')).toBe('-3');
    expect(await page.inputValue('#hyperparameter-search-decayTo')).toBe('-5');
    const results = async () =>
      (
        (await panel(page, 'hyperparameter-search')).result as unknown as {
          results: { lrRange: number[]; decayRange: number[]; runs: { lr: number; weightDecay: number }[] };
        }
      ).results;
    await runToEnd(page, 'hyperparameter-search');
    await settle(page);
    let r = await results();
    expect([r.lrRange, r.decayRange]).toEqual([
      [-3, -2],
      [-8, -5],
    ]);
    for (const t of r.runs) {
      expect(t.lr).toBeGreaterThanOrEqual(1e-3 * (1 - 1e-12));
      expect(t.weightDecay).toBeLessThanOrEqual(1e-5 * (1 + 1e-12));
    }
    const four = (await panel(page, 'hyperparameter-search')).specs['hyperparameter-search-scatter'];
    await page.fill('#hyperparameter-search-trials', '6');
    await page.fill('#hyperparameter-search-epochs', '25');
    await page.fill('#hyperparameter-search-lrTo', '-2.5');
    const drawsBefore = (await panel(page, 'hyperparameter-search')).draws['hyperparameter-search-scatter'];
    await runToEnd(page, 'hyperparameter-search');
    await settle(page);
    r = await results();
    expect(r.lrRange).toEqual([-3, -2.5]);
    const p = await panel(page, 'hyperparameter-search');
    expect(p.specs['hyperparameter-search-scatter']).not.toBe(four);
    // the shards' trials drawn as they finished, before the final scatter
    expect(p.draws['hyperparameter-search-scatter'] - drawsBefore).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});

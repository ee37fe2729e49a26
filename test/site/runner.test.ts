// The chapter site's runner in Chromium (site/test-harness/ over dist-site/): experiments run in Web Workers through
// runInWorker with the CLI's code — partial figures stream in, the final figure is the very spec Node's
// runExperiment makes for the same options, the book's findings hold, Stop aborts with an AbortError, and the full
// MNIST comes from the Cache API the second time.
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiments/index.js';
import type { ExperimentResult } from '../../src/experiments/types.js';
import type { VegaLiteSpec } from '../../src/plot/specs.js';
import { ROOT, type Session, skipReason, startSession } from '../browser/browser.js';

/** The binary this vitest project loaded in Node (test/setup-simd.ts): the Workers load the same one. */
const SIMD = process.env.ZERODL_TEST_SIMD ?? 'simd';

interface Run {
  figures: { name: string; spec: VegaLiteSpec; final: boolean }[];
  logs: string[];
  mnist: { loadedBytes: number; totalBytes: number; fromCache: boolean; done: boolean }[];
  result?: ExperimentResult;
  error?: { name: string; message: string };
  seconds?: number;
}

/** The final figures Node's runExperiment hands to onFigure, by name. */
async function nodeFigures(
  experiment: string,
  options: Record<string, unknown>,
): Promise<Record<string, VegaLiteSpec>> {
  const figures: Record<string, VegaLiteSpec> = {};
  await runExperiment(experiment, {
    ...options,
    onFigure: (name, spec, final) => {
      if (final) figures[name] = spec;
    },
  });
  return figures;
}

const finals = (run: Run) => Object.fromEntries(run.figures.filter((f) => f.final).map((f) => [f.name, f.spec]));

describe.skipIf(skipReason)(`the site runner in Chromium${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let session: Session;
  let page: Page;
  let errors: string[];
  const run = (experiment: string, options: Record<string, unknown>, poolSize = 1, stopAfterLogs = 0) =>
    page.evaluate(
      ([e, o, n, s]) =>
        (window as unknown as { siteRunner: { run(...a: unknown[]): Promise<Run> } }).siteRunner.run(e, o, n, s),
      [experiment, { simd: SIMD, ...options }, poolSize, stopAfterLogs] as const,
    ) as Promise<Run>;

  beforeAll(async () => {
    execFileSync(process.execPath, ['demo/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    execFileSync(process.execPath, ['site/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    session = await startSession(`${ROOT}/dist-site`);
    ({ page, errors } = await session.open('test-harness/index.html'));
    await page.waitForFunction(() => 'siteRunner' in window, null, { timeout: 20_000 });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  });

  it('runs optimizer-paths in a Worker: partial and final figures, the findings hold, the final figure is Node’s', async () => {
    const got = await run('optimizer-paths', { quick: true });
    expect(got.error).toBeUndefined();
    expect(got.result?.findings.length).toBeGreaterThan(0);
    for (const f of got.result?.findings ?? []) expect(f.holds, f.claim).toBe(true);
    expect(got.figures.some((f) => !f.final)).toBe(true);
    expect(finals(got)).toEqual(await nodeFigures('optimizer-paths', { quick: true }));
    expect(got.mnist).toEqual([]); // optimizer-paths needs no MNIST
    expect(errors).toEqual([]);
  }, 120_000);

  it('options reach the Worker: its final figures equal Node’s with the same non-default options', async () => {
    for (const [experiment, options] of [
      ['optimizer-paths', { start: [2.5, -3], lr: { Adam: 0.7, SGD: 0.2 } }],
      ['init-histogram', { activations: ['relu'], inits: ['xavier', 'custom'], std: 0.7, layers: 3, units: 30 }],
      ['optimizer-mnist', { quick: true, optimizers: ['Adam', 'SGD'], iterations: 15, seed: 2 }],
      ['init-mnist', { quick: true, inits: ['he'], iterations: 12 }],
    ] as [string, Record<string, unknown>][]) {
      const got = await run(experiment, options);
      expect(got.error, experiment).toBeUndefined();
      const node = await nodeFigures(experiment, options);
      expect(Object.keys(node).length, experiment).toBeGreaterThan(0);
      expect(finals(got), experiment).toEqual(node);
    }
    expect(errors).toEqual([]);
  }, 300_000);

  it('runs batchnorm over 2 Workers: panels stream in, the findings hold, the merged figure is Node’s single run', async () => {
    const got = await run('batchnorm', { quick: true }, 2);
    expect(got.error).toBeUndefined();
    for (const f of got.result?.findings ?? []) expect(f.holds, f.claim).toBe(true);
    expect(got.result?.findings.length).toBe(3);
    expect(got.figures.some((f) => !f.final)).toBe(true);
    expect(finals(got)).toEqual(await nodeFigures('batchnorm', { quick: true }));
    const done = got.mnist.filter((m) => m.done);
    expect(done.length).toBeGreaterThan(0);
    expect(done[0].loadedBytes).toBeGreaterThan(10_000_000); // the full MNIST, gzipped: 11.2 MB
    expect(errors).toEqual([]);
  }, 300_000);

  it('runs a small search over 2 Workers: shards merged by search merge’s code give the unsharded run’s report', async () => {
    const options = { quick: true, trials: 4, epochs: 2 };
    const got = await run('hyperparameter-search', options, 2);
    expect(got.error).toBeUndefined();
    const figures: Record<string, VegaLiteSpec> = {};
    const node = await runExperiment('hyperparameter-search', {
      ...options,
      onFigure: (name, spec, final) => {
        if (final) figures[name] = spec;
      },
    });
    expect(Object.keys(figures).sort()).toEqual(['hyperparameter-search-best', 'hyperparameter-search-scatter']);
    expect(finals(got)).toEqual(figures);
    expect(got.result?.findings).toEqual(node.findings);
    expect(got.result?.summary).toEqual(node.summary);
    expect(errors).toEqual([]);
  }, 300_000);

  it('runs the 6.3–6.5 experiments with non-default knobs: the final figures are Node’s for the same options', async () => {
    const cases: [string, Record<string, unknown>, number][] = [
      ['batchnorm', { quick: true, scales: [6, 9], epochs: 3, trainSize: 200 }, 2],
      ['weight-decay', { quick: true, lambdas: [0.3, 0], epochs: 4, trainSize: 200 }, 1],
      ['dropout', { quick: true, ratios: [0.5], epochs: 4, trainSize: 200 }, 1],
      ['hyperparameter-search', { quick: true, trials: 4, epochs: 2, lrRange: [-4, -2], decayRange: [-7, -5] }, 2],
    ];
    for (const [experiment, options, size] of cases) {
      const got = await run(experiment, options, size);
      expect(got.error, experiment).toBeUndefined();
      expect(finals(got), experiment).toEqual(await nodeFigures(experiment, options));
      expect(
        got.figures.some((f) => !f.final),
        experiment,
      ).toBe(true);
    }
    expect(errors).toEqual([]);
  }, 300_000);

  it('a search over 2 Workers streams the merged scatter as trials finish, before the final one', async () => {
    const got = await run('hyperparameter-search', { quick: true, trials: 4, epochs: 2, seed: 3 }, 2);
    expect(got.error).toBeUndefined();
    const scatters = got.figures.filter((f) => f.name === 'hyperparameter-search-scatter');
    const partial = scatters.filter((f) => !f.final);
    // one partial per finished trial (each merging every shard's trials so far), then the final scatter
    expect(partial.length).toBe(4);
    const counts = partial.map((f) => (f.spec.usermeta as { trials: unknown[] }).trials.length);
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(scatters.at(-1)?.final).toBe(true);
    expect(scatters.findIndex((f) => f.final)).toBe(scatters.length - 1);
    // the last partial holds the same points as the final figure
    expect(partial[3].spec.data).toEqual(scatters.at(-1)?.spec.data);
  }, 300_000);

  it('loads MNIST from the Cache API the second time (a fresh Worker)', async () => {
    const got = await run('batchnorm', { quick: true, scales: [9] }, 3);
    expect(got.error).toBeUndefined();
    const done = got.mnist.filter((m) => m.done);
    expect(done.length).toBeGreaterThan(0);
    expect(done.every((m) => m.fromCache)).toBe(true);
  }, 300_000);

  it('stops a run: the promise rejects with an AbortError', async () => {
    const got = await run('optimizer-mnist', { quick: true }, 1, 2);
    expect(got.error?.name).toBe('AbortError');
    expect(got.result).toBeUndefined();
  }, 300_000);

  it('rejects an unknown experiment with a NameError (the class name survives minifying)', async () => {
    const got = await run('no-such-experiment', {});
    expect(got.error?.name).toBe('NameError');
    expect(got.error?.message).toMatch(/unknown experiment 'no-such-experiment'/);
  }, 60_000);
});

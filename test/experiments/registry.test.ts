// The registry (names, listing, unknown names) and the abort contract, on small synthetic data.
import { describe, expect, it } from 'vitest';
import type { MnistData } from '../../src/data/mnist.node.js';
import { NameError } from '../../src/errors.js';
import { experiments, listExperiments, runExperiment } from '../../src/experiments/index.js';
import { drawTrials } from '../../src/experiments/hyperparameter-search.js';
import { Rng } from '../../src/rng.js';

const NAMES = [
  'optimizer-paths',
  'optimizer-mnist',
  'init-histogram',
  'init-mnist',
  'batchnorm',
  'batchnorm-gradient-check',
  'weight-decay',
  'dropout',
  'hyperparameter-search',
];

/** A stand-in for MNIST: random images and labels, small enough to make nets train quickly. */
function fakeMnist(trainSize: number, testSize: number): MnistData<Uint8Array> {
  const rng = new Rng(7);
  const images = (n: number) => Float32Array.from({ length: n * 784 }, () => rng.uniform());
  const labels = (n: number) => Uint8Array.from({ length: n }, () => rng.int(10));
  return {
    xTrain: images(trainSize),
    tTrain: labels(trainSize),
    xTest: images(testSize),
    tTest: labels(testSize),
    trainSize,
    testSize,
    rows: 28,
    cols: 28,
    imageShape: [784],
  };
}

describe('experiments registry', () => {
  it('holds the nine chapter-6 experiments in the book order, each named by its key', () => {
    expect(Object.keys(experiments)).toEqual(NAMES);
    for (const [key, e] of Object.entries(experiments)) {
      expect(e.name).toBe(key);
      expect(e.title.length).toBeGreaterThan(10);
      expect(typeof e.run).toBe('function');
    }
    expect(listExperiments().map((e) => e.name)).toEqual(NAMES);
  });

  it('rejects an unknown name with a NameError that lists the known ones', async () => {
    await expect(runExperiment('optimiser-paths')).rejects.toThrow(NameError);
    await expect(runExperiment('optimiser-paths')).rejects.toThrow(
      /unknown experiment 'optimiser-paths'.*optimizer-paths.*hyperparameter-search/,
    );
    await expect(runExperiment('toString')).rejects.toThrow(NameError);
  });

  it('runs an experiment by name', async () => {
    const r = await runExperiment('optimizer-paths', { quick: true });
    expect(r.name).toBe('optimizer-paths');
  });
});

describe('abort', () => {
  it('an already aborted signal rejects with an AbortError before any work', async () => {
    const c = new AbortController();
    c.abort();
    for (const name of ['optimizer-paths', 'init-histogram', 'init-mnist', 'hyperparameter-search']) {
      await expect(experiments[name].run({ signal: c.signal, mnist: fakeMnist(200, 50) })).rejects.toMatchObject({
        name: 'AbortError',
      });
    }
  });

  it('aborting mid-run stops an own training loop and a Trainer-driven one within a few steps', async () => {
    const mnist = fakeMnist(1000, 200);
    for (const name of ['init-mnist', 'dropout']) {
      const c = new AbortController();
      const t0 = performance.now();
      setTimeout(() => c.abort(), 150);
      await expect(experiments[name].run({ signal: c.signal, mnist })).rejects.toMatchObject({ name: 'AbortError' });
      expect(performance.now() - t0, name).toBeLessThan(1500);
    }
  });

  it('a custom abort reason is what the run rejects with', async () => {
    const c = new AbortController();
    const reason = new Error('stop here');
    c.abort(reason);
    await expect(experiments['optimizer-paths'].run({ signal: c.signal })).rejects.toBe(reason);
  });
});

describe('hyperparameter-search draws', () => {
  it('independent draws stay in the book ranges', () => {
    for (const { lr, weightDecay } of drawTrials(200, false, new Rng(1))) {
      expect(lr).toBeGreaterThanOrEqual(1e-6);
      expect(lr).toBeLessThan(1e-2);
      expect(weightDecay).toBeGreaterThanOrEqual(1e-8);
      expect(weightDecay).toBeLessThan(1e-4);
    }
  });

  it('stratified draws put exactly one trial in each 1/n of both log-ranges', () => {
    const n = 20;
    const d = drawTrials(n, true, new Rng(3));
    const strata = (v: number[], lo: number) =>
      v.map((x) => Math.floor(((Math.log10(x) - lo) / 4) * n)).sort((a, b) => a - b);
    const all = Array.from({ length: n }, (_, i) => i);
    expect(
      strata(
        d.map((t) => t.lr),
        -6,
      ),
    ).toEqual(all);
    expect(
      strata(
        d.map((t) => t.weightDecay),
        -8,
      ),
    ).toEqual(all);
  });
});

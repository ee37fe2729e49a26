// batchnorm, weight-decay and dropout in quick mode, on real MNIST.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';
import { ValueError } from '../../src/errors.js';
import { experiment as bn } from '../../src/experiments/batchnorm.js';
import { experiment as dr } from '../../src/experiments/dropout.js';
import { experiments, type ExperimentResult } from '../../src/experiments/index.js';
import { experiment as wd } from '../../src/experiments/weight-decay.js';
import { expectFindingsHold, expectShape, expectWrittenFiles } from './files.js';

let mnist: MnistData;
let out: string;
beforeAll(async () => {
  mnist = await loadMnist();
  out = await mkdtemp(join(tmpdir(), 'zerodl-exp-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

type Curves = { trainAcc: number[]; testAcc: number[] };

describe('batchnorm (quick)', () => {
  let r: ExperimentResult;
  beforeAll(async () => {
    r = await experiments.batchnorm.run({ quick: true, mnist, out: join(out, 'bn') });
  });

  it('holds the book findings and writes the facet grid', () => {
    expectShape(r, 'batchnorm', true);
    expectFindingsHold(r);
    expectWrittenFiles(r, join(out, 'bn'), 1);
  });

  it('has one accuracy point per epoch for each net at each scale, from logspace(0, −4, 16)', () => {
    const res = r.results as {
      epochs: number;
      runs: { index: number; scale: number; batchNorm: number[]; plain: number[] }[];
    };
    expect(res.runs.length).toBe(4);
    for (const run of res.runs) {
      expect(run.scale).toBeCloseTo(10 ** ((-4 * run.index) / 15), 12);
      expect(run.batchNorm).toHaveLength(res.epochs);
      expect(run.plain).toHaveLength(res.epochs);
      expect(run.batchNorm[res.epochs - 1]).toBeGreaterThan(0.45);
    }
  });
});

describe('weight-decay (quick)', () => {
  let r: ExperimentResult;
  beforeAll(async () => {
    r = await experiments['weight-decay'].run({ quick: true, mnist });
  });

  it('holds the book findings', () => {
    expectShape(r, 'weight-decay', true);
    expectFindingsHold(r);
  });

  it('without decay the 300 images are learnt by heart; with λ = 0.1 train accuracy stays lower', () => {
    const runs = r.results.runs as Record<string, Curves>;
    const last = (a: number[]) => a[a.length - 1];
    expect(last(runs['0'].trainAcc)).toBeGreaterThanOrEqual(0.99);
    expect(last(runs['0.1'].trainAcc)).toBeLessThan(last(runs['0'].trainAcc));
    expect(last(runs['0'].testAcc)).toBeGreaterThan(0.6);
    expect(runs['0'].trainAcc).toHaveLength(r.results.epochs as number);
  });
});

describe('dropout (quick)', () => {
  let r: ExperimentResult;
  beforeAll(async () => {
    r = await experiments.dropout.run({ quick: true, mnist, out: join(out, 'dropout') });
  });

  it('holds the book findings and writes the accuracy figure', () => {
    expectShape(r, 'dropout', true);
    expectFindingsHold(r);
    expectWrittenFiles(r, join(out, 'dropout'), 1);
  });

  it('dropout slows learning: lower train accuracy than without', () => {
    const runs = r.results.runs as Record<string, Curves>;
    const last = (a: number[]) => a[a.length - 1];
    expect(runs['0.2'].trainAcc).toHaveLength(r.results.epochs as number);
    expect(last(runs['0.2'].trainAcc)).toBeLessThan(last(runs['0'].trainAcc));
    expect(last(runs['0.2'].trainAcc)).toBeGreaterThan(0.2); // but it does learn
  });
});

// The chapter site's knobs: each option changes the run as it says, and bad values are refused before any work
// (no MNIST is handed to those runs: a check after loading would have to load it first).
describe('batchnorm options (epochs, trainSize)', () => {
  it('epochs gives that many points per net; trainSize is the rows used and changes the curves', async () => {
    const a = await bn.run({ quick: true, mnist, scales: [6], epochs: 3, trainSize: 200 });
    const b = await bn.run({ quick: true, mnist, scales: [6], epochs: 3, trainSize: 300 });
    type Res = { trainSize: number; epochs: number; runs: { batchNorm: number[]; plain: number[] }[] };
    const ra = a.results as Res,
      rb = b.results as Res;
    expect([ra.trainSize, ra.epochs, rb.trainSize]).toEqual([200, 3, 300]);
    expect(ra.runs[0].batchNorm).toHaveLength(3);
    expect(ra.runs[0].plain).toHaveLength(3);
    // accuracy on 200 rows is k/200: a run on 300 rows would give k/300
    for (const acc of ra.runs[0].batchNorm) expect(Math.round(acc * 200)).toBeCloseTo(acc * 200, 3);
    expect(rb.runs[0].batchNorm).not.toEqual(ra.runs[0].batchNorm);
  });

  it('refuses bad epochs and trainSize with a ValueError', async () => {
    for (const bad of [{ epochs: 0 }, { epochs: 1.5 }, { epochs: 5000 }, { trainSize: 0 }, { trainSize: 70_000 }])
      await expect(bn.run({ quick: true, ...bad }), JSON.stringify(bad)).rejects.toThrow(ValueError);
    await expect(bn.run({ quick: true, epochs: 0 })).rejects.toThrow(/epochs must be/);
  });
});

describe('weight-decay options (lambdas, trainSize, epochs)', () => {
  let def: ExperimentResult;
  beforeAll(async () => {
    def = await wd.run({ quick: true, mnist });
  });

  it('one train/test curve pair per λ; λ = 0 is the default run’s curve bit for bit', async () => {
    const spec: { final: boolean; text: string }[] = [];
    const r = await wd.run({
      quick: true,
      mnist,
      lambdas: [0.3, 0],
      epochs: 5,
      onFigure: (_n, s, final) => spec.push({ final, text: JSON.stringify(s) }),
    });
    const runs = r.results.runs as Record<string, Curves>;
    expect(Object.keys(runs).sort()).toEqual(['0', '0.3']);
    expect(r.results.lambdas).toEqual([0.3, 0]); // the runs' order (an object's keys put '0' first)
    expect(runs['0'].trainAcc).toHaveLength(5);
    expect(runs['0'].trainAcc).toEqual((def.results.runs as Record<string, Curves>)['0'].trainAcc.slice(0, 5));
    expect(runs['0'].testAcc).toEqual((def.results.runs as Record<string, Curves>)['0'].testAcc.slice(0, 5));
    expect(runs['0.3'].trainAcc).not.toEqual(runs['0'].trainAcc);
    expect(spec.at(-1)?.final).toBe(true);
    for (const name of ['train, λ=0.3', 'test, λ=0.3', 'train, λ=0', 'test, λ=0'])
      expect(spec.at(-1)?.text).toContain(`"${name}"`);
    expect(spec[0].final).toBe(false);
    // Without λ = 0.1 the book's second claim is not judged (no ✓ for a run that was not made).
    expect(r.findings.map((f) => f.claim).some((c) => c.includes('λ = 0.1'))).toBe(false);
    const none = await wd.run({ quick: true, mnist, lambdas: [0.3], epochs: 2 });
    expect(none.findings).toEqual([]);
  });

  it('trainSize is the rows used', async () => {
    const r = await wd.run({
      quick: true,
      mnist,
      lambdas: [0],
      epochs: 3,
      trainSize: 200,
    });
    expect(r.results.trainSize).toBe(200);
    const acc = (r.results.runs as Record<string, Curves>)['0'].trainAcc;
    for (const a of acc) expect(Math.round(a * 200)).toBeCloseTo(a * 200, 3);
  });

  it('refuses bad lambdas, trainSize and epochs with a ValueError', async () => {
    for (const bad of [
      { lambdas: [] },
      { lambdas: [-0.1] },
      { lambdas: [Number.NaN] },
      { lambdas: [0, 0] },
      { lambdas: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
      { lambdas: 0.1 },
      { trainSize: 0 },
      { epochs: 10_000 },
    ])
      await expect(wd.run({ quick: true, ...bad }), JSON.stringify(bad)).rejects.toThrow(ValueError);
  });
});

describe('dropout options (ratios, trainSize, epochs) and its partial figures', () => {
  it('a ratio of 0.5 runs, epochs gives that many points, partial figures come before the final one', async () => {
    const figs: boolean[] = [];
    const r = await dr.run({
      quick: true,
      mnist,
      ratios: [0.5],
      epochs: 4,
      trainSize: 200,
      onFigure: (_n, _s, final) => figs.push(final),
    });
    const runs = r.results.runs as Record<string, Curves>;
    expect(Object.keys(runs)).toEqual(['0.5']);
    expect(runs['0.5'].trainAcc).toHaveLength(4);
    expect(r.results.trainSize).toBe(200);
    for (const a of runs['0.5'].trainAcc) expect(Math.round(a * 200)).toBeCloseTo(a * 200, 3);
    expect(r.findings).toEqual([]); // the book's claims speak of ratios 0 and 0.2
    expect(figs.length).toBeGreaterThan(1);
    expect(figs[0]).toBe(false);
    expect(figs.at(-1)).toBe(true);
  });

  it('refuses bad ratios, trainSize and epochs with a ValueError', async () => {
    for (const bad of [
      { ratios: [1] },
      { ratios: [-0.1] },
      { ratios: [0.2, 0.2] },
      { ratios: [] },
      { trainSize: 1.5 },
      { epochs: -1 },
    ])
      await expect(dr.run({ quick: true, ...bad }), JSON.stringify(bad)).rejects.toThrow(ValueError);
  });
});

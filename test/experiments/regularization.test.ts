// batchnorm, weight-decay and dropout in quick mode, on real MNIST.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';
import { experiments, type ExperimentResult } from '../../src/experiments/index.js';
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

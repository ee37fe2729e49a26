// batchnorm-gradient-check (the book's batch_norm_gradient_check.py) in quick mode, on real MNIST: the findings,
// the file it writes, and the batch-1 degeneracy the book shows (beta2), checked on its own terms.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';
import { GRADIENT_TOLERANCE } from '../../src/experiments/batchnorm-gradient-check.js';
import { experiments, type ExperimentResult } from '../../src/experiments/index.js';
import { expectFindingsHold, expectShape, expectWrittenFiles } from './files.js';

type Comparison = { batchSize: number; params: { name: string; meanDiff: number; maxDiff: number; maxGrad: number }[] };

let mnist: MnistData;
let out: string;
let r: ExperimentResult;
beforeAll(async () => {
  mnist = await loadMnist();
  out = await mkdtemp(join(tmpdir(), 'zerodl-exp-'));
  r = await experiments['batchnorm-gradient-check'].run({ quick: true, mnist, out: join(out, 'bngc') });
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('batchnorm-gradient-check (quick)', () => {
  it("holds its findings and writes results.json (no figure: the book's script prints)", () => {
    expectShape(r, 'batchnorm-gradient-check', true);
    expectFindingsHold(r);
    expectWrittenFiles(r, join(out, 'bngc'), 0);
  });

  it("compares every parameter of the BatchNorm net, in the book's order, on batches of 1 and 10", () => {
    const cs = r.results.comparisons as Comparison[];
    expect(cs.map((c) => c.batchSize)).toEqual([1, 10]);
    for (const c of cs) {
      expect(c.params.map((p) => p.name)).toEqual([
        'W1',
        'b1',
        'gamma1',
        'beta1',
        'W2',
        'b2',
        'gamma2',
        'beta2',
        'W3',
        'b3',
      ]);
    }
  });

  it('batch 1 is degenerate as in the book: only b3 gets a gradient, beta2 is off by far more than the tolerance', () => {
    const [one] = r.results.comparisons as Comparison[];
    const by = Object.fromEntries(one.params.map((p) => [p.name, p]));
    // BatchNorm of one row outputs β (= 0), so nothing before it reaches the loss and W3 sees ReLU(0) = 0 rows
    for (const name of ['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'W3']) {
      expect(by[name].maxGrad, `${name} backprop`).toBe(0);
      expect(by[name].maxDiff, `${name} |diff|`).toBe(0);
    }
    expect(by.beta2.maxGrad).toBe(0); // backprop: ReLU passes nothing at exactly 0
    expect(by.beta2.meanDiff).toBeGreaterThan(20 * GRADIENT_TOLERANCE); // central differences: half the right slope
    expect(by.b3.maxGrad).toBeGreaterThan(0.01); // softmax − one-hot
    expect(by.b3.meanDiff).toBeLessThanOrEqual(GRADIENT_TOLERANCE);
  });

  it('batch 10: every gradient is nonzero somewhere and agrees within the tolerance', () => {
    const [, ten] = r.results.comparisons as Comparison[];
    for (const p of ten.params) {
      if (!p.name.startsWith('b') || p.name.startsWith('beta')) expect(p.maxGrad, p.name).toBeGreaterThan(1e-3);
      expect(p.meanDiff, p.name).toBeLessThanOrEqual(GRADIENT_TOLERANCE);
    }
  });

  it('a different seed changes the numbers, not the findings', async () => {
    const other = await experiments['batchnorm-gradient-check'].run({ quick: true, mnist, seed: 3 });
    expectFindingsHold(other);
    expect(other.results).not.toEqual(r.results);
  });
});

// hyperparameter-search in quick mode (20 stratified trials × 15 epochs), on real MNIST.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.node.js';
import { experiments, type ExperimentResult } from '../../src/experiments/index.js';
import { expectFindingsHold, expectShape, expectWrittenFiles } from './files.js';

let out: string;
let r: ExperimentResult;
beforeAll(async () => {
  const mnist = await loadMnist();
  out = await mkdtemp(join(tmpdir(), 'zerodl-exp-'));
  r = await experiments['hyperparameter-search'].run({ quick: true, mnist, out });
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('hyperparameter-search (quick)', () => {
  it('holds the book finding and writes the best-20 grid and the scatter plot', () => {
    expectShape(r, 'hyperparameter-search', true);
    expectFindingsHold(r);
    expectWrittenFiles(r, out, 2);
  });

  it('splits 500 images 400/100 and ranks the trials by final validation accuracy', () => {
    const res = r.results as {
      trainSize: number;
      validationSize: number;
      trials: number;
      epochs: number;
      ranking: number[];
      runs: { trial: number; lr: number; finalVal: number; valAcc: number[]; trainAcc: number[] }[];
    };
    expect([res.trainSize, res.validationSize]).toEqual([400, 100]);
    expect(res.runs).toHaveLength(res.trials);
    expect([...res.ranking].sort((a, b) => a - b)).toEqual(res.runs.map((t) => t.trial));
    const ranked = res.ranking.map((k) => res.runs[k]);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i].finalVal).toBeLessThanOrEqual(ranked[i - 1].finalVal);
    for (const t of res.runs) {
      expect(t.valAcc).toHaveLength(res.epochs);
      expect(t.finalVal).toBe(t.valAcc[res.epochs - 1]);
    }
    expect(ranked[0].finalVal).toBeGreaterThan(0.25); // the best trial learnt something in 60 steps
  });
});

// optimizer-mnist and init-mnist in quick mode (300 iterations of 784-100×4-10, batch 128), on real MNIST.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';
import { experiments, type ExperimentResult } from '../../src/experiments/index.js';
import { meanOfLast } from '../../src/experiments/context.js';
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

describe('optimizer-mnist (quick)', () => {
  let r: ExperimentResult;
  const lines: string[] = [];
  beforeAll(async () => {
    r = await experiments['optimizer-mnist'].run({
      quick: true,
      mnist,
      out: join(out, 'opt'),
      log: (l) => lines.push(l),
    });
  });

  it('holds the book finding and writes the loss figure', () => {
    expectShape(r, 'optimizer-mnist', true);
    expectFindingsHold(r);
    expectWrittenFiles(r, join(out, 'opt'), 1);
  });

  it('records 300 losses per optimizer and logs them every 100 iterations like the book', () => {
    const loss = r.results.loss as Record<string, number[]>;
    expect(Object.keys(loss)).toEqual(['SGD', 'Momentum', 'AdaGrad', 'Adam']);
    for (const l of Object.values(loss)) {
      expect(l).toHaveLength(300);
      expect(l.every(Number.isFinite)).toBe(true);
      expect(l[0]).toBeGreaterThan(1.5); // starts near ln 10
    }
    expect(meanOfLast(loss.SGD, 50)).toBeGreaterThan(0.35);
    for (const k of ['AdaGrad', 'Adam']) expect(meanOfLast(loss[k], 50), k).toBeLessThan(0.3);
    expect(lines.filter((l) => /^===========iteration:\d+===========$/.test(l))).toHaveLength(3);
    for (const k of Object.keys(loss))
      expect(
        lines.filter((l) => new RegExp(`^${k}:[0-9.]+$`).test(l)),
        k,
      ).toHaveLength(3);
  });
});

describe('init-mnist (quick)', () => {
  let r: ExperimentResult;
  beforeAll(async () => {
    r = await experiments['init-mnist'].run({ quick: true, mnist });
  });

  it('holds the book findings (and writes nothing without out)', () => {
    expectShape(r, 'init-mnist', true);
    expectFindingsHold(r);
    expect(r.figures).toEqual([]);
  });

  it('std 0.01 stays at ln 10 while He learns', () => {
    const loss = r.results.loss as Record<string, number[]>;
    expect(meanOfLast(loss['std=0.01'], 50)).toBeGreaterThan(2.2);
    expect(meanOfLast(loss.He, 50)).toBeLessThan(1.0);
    expect(meanOfLast(loss.Xavier, 50)).toBeLessThan(2.2);
  });
});

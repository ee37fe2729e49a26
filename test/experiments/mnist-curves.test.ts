// optimizer-mnist and init-mnist in quick mode (300 iterations of 784-100×4-10, batch 128), on real MNIST.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';
import { experiments, type ExperimentResult } from '../../src/experiments/index.js';
import { meanOfLast } from '../../src/experiments/context.js';
import { experiment as initMnist } from '../../src/experiments/init-mnist.js';
import { experiment as optimizerMnist } from '../../src/experiments/optimizer-mnist.js';
import { ValueError } from '../../src/errors.js';
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

describe('optimizer-mnist: the optimizers and iterations chosen', () => {
  it('a subset gives exactly those curves, in its order, each the full run’s (same weights, same batches)', async () => {
    const full = await optimizerMnist.run({ mnist, iterations: 30 });
    const sub = await optimizerMnist.run({ mnist, iterations: 30, optimizers: ['adam', 'SGD'] });
    const loss = (x: ExperimentResult) => x.results.loss as Record<string, number[]>;
    expect(Object.keys(loss(full))).toEqual(['SGD', 'Momentum', 'AdaGrad', 'Adam']);
    for (const l of Object.values(loss(full))) expect(l).toHaveLength(30);
    expect(Object.keys(loss(sub))).toEqual(['Adam', 'SGD']);
    expect(loss(sub).Adam).toEqual(loss(full).Adam);
    expect(loss(sub).SGD).toEqual(loss(full).SGD);
    expect(sub.findings).toHaveLength(1);
    expect(sub.findings[0].claim).toMatch(/^Adam ends far below SGD/);
    // Without SGD there is nothing to compare with: no finding (rather than a ✓ on missing data).
    const noSgd = await optimizerMnist.run({ mnist, iterations: 5, optimizers: ['RMSprop', 'Nesterov'] });
    expect(Object.keys(loss(noSgd))).toEqual(['RMSprop', 'Nesterov']);
    expect(noSgd.findings).toEqual([]);
    // With the book's draws too: the nets not run are drawn and dropped, so Adam's weights are the full run's.
    const numpy = { mnist, iterations: 5, draws: 'numpy' as const };
    const numpyFull = await optimizerMnist.run(numpy);
    const numpyAdam = await optimizerMnist.run({ ...numpy, optimizers: ['Adam'] });
    expect(loss(numpyAdam).Adam).toEqual(loss(numpyFull).Adam);
    expect(loss(numpyAdam).Adam).not.toEqual(loss(full).Adam.slice(0, 5)); // other draws than zerodl's
  }, 120_000);

  it('rejects bad optimizers or iterations with a ValueError before training', async () => {
    const lines: string[] = [];
    for (const [opts, msg] of [
      [{ optimizers: [] }, /optimizers must be a non-empty list/],
      [{ optimizers: ['SGD', 'sgd'] }, /'sgd' is listed twice/],
      [{ optimizers: ['Adamax'] }, /unknown 'Adamax'/],
      [{ optimizers: ['__proto__'] }, /unknown '__proto__'/],
      [{ optimizers: 'SGD' }, /non-empty list/],
      [{ iterations: 0 }, /iterations must be an integer from 1 to 20000, got 0/],
      [{ iterations: 2.5 }, /iterations must be an integer/],
      [{ iterations: 20_001 }, /iterations must be an integer/],
    ] as [object, RegExp][]) {
      const run = experiments['optimizer-mnist'].run as (o: object) => Promise<ExperimentResult>;
      await expect(run({ ...opts, mnist, log: (l: string) => lines.push(l) })).rejects.toThrow(ValueError);
      await expect(run({ ...opts, mnist })).rejects.toThrow(msg);
    }
    expect(lines).toEqual([]);
  });
});

describe('init-mnist: the inits and iterations chosen', () => {
  it('a subset gives exactly those curves, each the full run’s; findings only about scales run', async () => {
    const full = await initMnist.run({ mnist, iterations: 20 });
    const sub = await initMnist.run({ mnist, iterations: 20, inits: ['he', 'std0.01'] });
    const loss = (x: ExperimentResult) => x.results.loss as Record<string, number[]>;
    expect(Object.keys(loss(full))).toEqual(['std=0.01', 'Xavier', 'He']);
    expect(loss(full).He).toHaveLength(20);
    expect(Object.keys(loss(sub))).toEqual(['He', 'std=0.01']);
    expect(loss(sub).He).toEqual(loss(full).He);
    expect(loss(sub)['std=0.01']).toEqual(loss(full)['std=0.01']);
    expect(sub.findings.map((f) => f.claim.slice(0, 20))).toEqual(['with std 0.01 the ne', 'He learns: the mean ']);
    const numpy = await initMnist.run({ mnist, iterations: 5, draws: 'numpy', inits: ['Xavier'] });
    const numpyFull = await initMnist.run({ mnist, iterations: 5, draws: 'numpy' });
    expect(loss(numpy).Xavier).toEqual(loss(numpyFull).Xavier); // the skipped net's draws kept the stream in step
  }, 120_000);

  it('rejects bad inits or iterations with a ValueError', async () => {
    const run = experiments['init-mnist'].run as (o: object) => Promise<ExperimentResult>;
    await expect(run({ mnist, inits: ['std1'] })).rejects.toThrow(/init-mnist: inits: unknown 'std1'/);
    await expect(run({ mnist, inits: ['he', 'He'] })).rejects.toThrow(ValueError);
    await expect(run({ mnist, iterations: -3 })).rejects.toThrow(/iterations must be an integer/);
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

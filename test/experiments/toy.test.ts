// The two experiments without MNIST: optimizer paths on x²/20 + y², and the activation histograms.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experiments, type ExperimentOptions, type ExperimentResult } from '../../src/experiments/index.js';
import { experiment as initHistogram } from '../../src/experiments/init-histogram.js';
import { optimizerPath, ySignChanges } from '../../src/experiments/optimizer-paths.js';
import { ValueError } from '../../src/errors.js';
import { expectFindingsHold, expectShape, expectWrittenFiles } from './files.js';

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'zerodl-exp-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('optimizer-paths', () => {
  let r: ExperimentResult;
  beforeAll(async () => {
    r = await experiments['optimizer-paths'].run({ quick: true, out: join(out, 'paths') });
  });

  it('holds the book findings and writes results.json and the 2×2 figure', () => {
    expectShape(r, 'optimizer-paths', true);
    expectFindingsHold(r);
    expectWrittenFiles(r, join(out, 'paths'), 1);
  });

  it('SGD with lr 0.95 follows the closed form: y ← −0.9·y, x ← 0.905·x; 30 points, as the book plots', () => {
    const path = optimizerPath('sgd', 0.95);
    expect(path).toHaveLength(30); // the positions before each of the 30 updates (the book's x_history)
    expect(ySignChanges(path)).toBe(29);
    expect(path[29][0]).toBeCloseTo(-7 * 0.905 ** 29, 4);
    expect(path[29][1]).toBeCloseTo(2 * (-0.9) ** 29, 4);
  });

  it('AdaGrad never crosses y = 0, and every path starts at (−7, 2)', () => {
    expect(ySignChanges(optimizerPath('adagrad', 1.5))).toBe(0);
    const paths = r.results.paths as Record<string, { points: [number, number][] }>;
    expect(Object.keys(paths)).toEqual(['SGD', 'Momentum', 'AdaGrad', 'Adam']);
    for (const p of Object.values(paths)) expect(p.points[0]).toEqual([-7, 2]);
  });

  it('start and lr: every path begins at the start given, each rate gives optimizerPath(key, lr) from it', async () => {
    const start: [number, number] = [3.5, -4];
    const lr = { SGD: 0.3, Adam: 0.05 };
    const run = experiments['optimizer-paths'].run as (o: object) => Promise<ExperimentResult>;
    const got = await run({ start, lr });
    expect(got.results.start).toEqual(start);
    const paths = got.results.paths as Record<string, { lr: number; points: [number, number][] }>;
    const want = { SGD: ['sgd', 0.3], Momentum: ['momentum', 0.1], AdaGrad: ['adagrad', 1.5], Adam: ['adam', 0.05] };
    for (const [name, [key, rate]] of Object.entries(want) as [string, [string, number]][]) {
      expect(paths[name].lr, name).toBe(rate);
      expect(paths[name].points[0], name).toEqual(start);
      const direct = optimizerPath(key, rate, 30, start);
      expect(paths[name].points, name).toEqual(
        direct.map(([x, y]) => [Number(x.toPrecision(6)), Number(y.toPrecision(6))]),
      );
    }
    // A changed rate changes the path (the oracle above would also pass if lr were ignored only by coincidence).
    expect(paths.SGD.points).not.toEqual((r.results.paths as typeof paths).SGD.points);
    expect(got.summary.rows.map((row) => row[1])).toEqual([0.3, 0.1, 1.5, 0.05]);
    expect(got.findings.every((f) => f.claim.includes('checked here on this run’s paths'))).toBe(true);
    // SGD at lr 0.3 from y = −4: y ← 0.4·y never changes sign, so the zig-zag finding is honestly ✗.
    expect(got.findings[1].holds).toBe(false);
  });

  it('rejects a bad start or lr with a ValueError naming it, before any work', async () => {
    const run = experiments['optimizer-paths'].run as (o: object) => Promise<ExperimentResult>;
    let figures = 0;
    const onFigure = () => figures++;
    for (const [opts, msg] of [
      [{ start: [11, 0] }, /start must be \[x, y\].*got \[11,0\]/],
      [{ start: [0, Number.NaN] }, /start must be/],
      [{ start: [1] }, /start must be/],
      [{ start: '1,2' }, /start must be/],
      [{ lr: { SGD: 0 } }, /lr\.SGD must be a number in \(0, 10\], got 0/],
      [{ lr: { Adam: -1 } }, /lr\.Adam must be/],
      [{ lr: { Adam: Number.POSITIVE_INFINITY } }, /lr\.Adam must be/],
      [{ lr: { Nesterov: 0.1 } }, /unknown optimizer 'Nesterov'/],
      [{ lr: JSON.parse('{"__proto__": 0.1}') }, /unknown optimizer '__proto__'/],
      [{ lr: { constructor: 0.1 } }, /unknown optimizer 'constructor'/],
      [{ lr: [0.1] }, /lr must be an object/],
    ] as [object, RegExp][]) {
      await expect(run({ ...opts, onFigure }), JSON.stringify(opts)).rejects.toThrow(ValueError);
      await expect(run({ ...opts, onFigure }), JSON.stringify(opts)).rejects.toThrow(msg);
    }
    expect(figures).toBe(0);
  });

  it('is the same for the same seed', async () => {
    const again = await experiments['optimizer-paths'].run({ quick: true });
    expect(again.results).toEqual(r.results);
    expect(again.figures).toEqual([]);
  });
});

describe('init-histogram', () => {
  let r: ExperimentResult;
  beforeAll(async () => {
    r = await experiments['init-histogram'].run({ quick: true, out: join(out, 'hist') });
  });

  it("holds the book findings and writes one histogram grid per setting: all 12 of the script's combinations", () => {
    expectShape(r, 'init-histogram', true);
    expectFindingsHold(r);
    expectWrittenFiles(r, join(out, 'hist'), 12);
    const keys = ['sigmoid', 'relu', 'tanh'].flatMap((a) =>
      ['std1', 'std0.01', 'xavier', 'he'].map((w) => `${a}-${w}`),
    );
    expect(Object.keys(r.results.settings as object)).toEqual(keys);
    expect(r.results.binning).toBe('book');
  });

  type Bin = { p: string; x0: number; x1: number; n: number };
  const binsOf = (dir: string, key: string): Bin[] =>
    (JSON.parse(readFileSync(join(dir, `init-histogram-${key}.vl.json`), 'utf8')) as { data: { values: Bin[] } }).data
      .values;
  type Stats = { zeroShare: number; inUnitShare: number };

  it("the book's binning: 30 bins on [0, 1] holding every value there, ReLU's zeros included (in the first bin)", () => {
    const s = r.results.settings as Record<string, { layers: Stats[] }>;
    for (const key of ['relu-he', 'tanh-xavier', 'sigmoid-std1']) {
      const bins = binsOf(join(out, 'hist'), key);
      for (let l = 1; l <= 5; l++) {
        const layer = bins.filter((b) => b.p === `${l}-layer`);
        expect(layer).toHaveLength(30);
        expect(layer[0].x0).toBe(0);
        expect(layer[29].x1).toBe(1);
        const total = layer.reduce((a, b) => a + b.n, 0);
        // 1000 inputs × 100 units per layer; stats count the same values (sig6-rounded shares)
        expect(total / 100_000).toBeCloseTo(s[key].layers[l - 1].inUnitShare, 5);
        expect(layer[0].n).toBeGreaterThanOrEqual(Math.round(s[key].layers[l - 1].zeroShare * 100_000));
      }
    }
    expect(s['relu-he'].layers[0].zeroShare).toBeGreaterThan(0.4); // so the check above has zeros to count
    expect(s['tanh-xavier'].layers[0].inUnitShare).toBeLessThan(0.6); // tanh's negative half is not drawn
  });

  it("binning 'range': per-activation ranges, ReLU's zeros left out; a bad binning is a ValueError", async () => {
    const dir = join(out, 'hist-range');
    const ranged = await experiments['init-histogram'].run({
      quick: true,
      out: dir,
      binning: 'range',
    } as ExperimentOptions);
    expect(ranged.results.binning).toBe('range');
    expect(ranged.results.settings).toEqual(r.results.settings);
    const relu = binsOf(dir, 'relu-he').filter((b) => b.p === '1-layer');
    const s = r.results.settings as Record<string, { layers: (Stats & { max: number })[] }>;
    expect(relu[29].x1).toBeCloseTo(Math.max(...s['relu-he'].layers.map((l) => l.max)), 3); // [0, the largest of any layer]
    expect(relu.reduce((a, b) => a + b.n, 0) / 100_000).toBeCloseTo(1 - s['relu-he'].layers[0].zeroShare, 5);
    const tanh = binsOf(dir, 'tanh-xavier').filter((b) => b.p === '1-layer');
    expect([tanh[0].x0, tanh[29].x1]).toEqual([-1, 1]);
    await expect(
      experiments['init-histogram'].run({ quick: true, binning: 'log' } as ExperimentOptions),
    ).rejects.toThrow(/binning must be 'book' or 'range', got log/);
  });

  it("layer statistics match the theory: He keeps ReLU outputs' second moment ≈ 1 per layer", () => {
    type Stats = { mean: number; std: number };
    const s = r.results.settings as Record<string, { layers: Stats[] }>;
    // With W ~ N(0, 2/n) and ReLU, E[z²] stays at E[x²]/1 = 1 in expectation: mean² + std² ≈ 1 at every layer.
    for (const l of s['relu-he'].layers) expect(l.mean ** 2 + l.std ** 2).toBeGreaterThan(0.5);
    for (const l of s['relu-he'].layers) expect(l.mean ** 2 + l.std ** 2).toBeLessThan(2);
    // sigmoid(0) = 0.5: tiny weights leave every activation near it.
    for (const l of s['sigmoid-std0.01'].layers) expect(l.mean).toBeCloseTo(0.5, 1);
  });

  it('activations × inits choose the settings; std adds a custom scale equal to the named one of that std', async () => {
    const got = await initHistogram.run({ activations: ['relu'], inits: ['he', 'custom'], std: 1 });
    const s = got.results.settings as Record<string, { std: string; layers: { std: number }[] }>;
    expect(Object.keys(s)).toEqual(['relu-he', 'relu-custom']);
    expect(s['relu-he']).toEqual((r.results.settings as typeof s)['relu-he']); // its own stream: unchanged
    expect(s['relu-custom'].std).toBe('1');
    // A custom std of 1 is the 'std1' scale drawn from another stream: the same statistics up to sampling.
    const big = (r.results.settings as typeof s)['relu-std1'].layers;
    s['relu-custom'].layers.forEach((l, i) => expect(l.std / big[i].std).toBeGreaterThan(0.5));
    s['relu-custom'].layers.forEach((l, i) => expect(l.std / big[i].std).toBeLessThan(2));
    expect(got.findings.map((f) => f.claim.slice(0, 9))).toEqual(['ReLU, He:']);
    const figures: string[] = [];
    await initHistogram.run({ inits: ['xavier'], onFigure: (n) => figures.push(n) });
    expect(figures).toEqual([
      'init-histogram-sigmoid-xavier',
      'init-histogram-relu-xavier',
      'init-histogram-tanh-xavier',
    ]);
  });

  it('layers and units change the stack: that many panels per figure, that many values per layer', async () => {
    let spec: { data: { values: { p: string; n: number }[] } } | undefined;
    const got = await initHistogram.run({
      activations: ['tanh'],
      inits: ['xavier'],
      layers: 3,
      units: 20,
      onFigure: (_n, sp) => {
        spec = sp as typeof spec;
      },
    });
    expect(got.results.layers).toBe(3);
    expect(got.results.nodes).toBe(20);
    const panels = [...new Set(spec!.data.values.map((b) => b.p))];
    expect(panels).toEqual(['1-layer', '2-layer', '3-layer']);
    const s = got.results.settings as Record<string, { layers: { inUnitShare: number }[] }>;
    expect(s['tanh-xavier'].layers).toHaveLength(3);
    const drawn = spec!.data.values.filter((b) => b.p === '3-layer').reduce((a, b) => a + b.n, 0);
    expect(drawn / (1000 * 20)).toBeCloseTo(s['tanh-xavier'].layers[2].inUnitShare, 5); // 1000 inputs × 20 units
    expect(got.findings).toHaveLength(1);
    expect(got.findings[0].claim).toMatch(/layer-3 mean.*checked here on 3 layers of 20$/);
  });

  it('rejects bad activations, inits, std, layers or units with a ValueError, before any figure', async () => {
    const run = initHistogram.run as (o: object) => Promise<ExperimentResult>;
    let figures = 0;
    for (const [opts, msg] of [
      [{ activations: ['softplus'] }, /activations: unknown 'softplus'/],
      [{ activations: [] }, /activations must be a non-empty list/],
      [{ inits: ['he', 'he'] }, /'he' is listed twice/],
      [{ inits: ['custom'] }, /inits 'custom' needs std/],
      [{ std: 0 }, /std must be a number in \(0, 100\], got 0/],
      [{ std: Number.NaN }, /std must be a number/],
      [{ layers: 0 }, /layers must be an integer from 1 to 20, got 0/],
      [{ layers: 21 }, /layers must be an integer/],
      [{ units: 1001 }, /units must be an integer from 1 to 1000/],
      [{ units: 1.5 }, /units must be an integer/],
    ] as [object, RegExp][]) {
      await expect(run({ ...opts, onFigure: () => figures++ }), JSON.stringify(opts)).rejects.toThrow(ValueError);
      await expect(run(opts), JSON.stringify(opts)).rejects.toThrow(msg);
    }
    expect(figures).toBe(0);
  });

  it('a different seed changes the numbers, not the findings', async () => {
    const other = await experiments['init-histogram'].run({ quick: true, seed: 5 });
    expectFindingsHold(other);
    expect(other.results).not.toEqual(r.results);
  });
});

// The experiments' book-fidelity switches: `draws: 'numpy'` (the book script's own random draws), `--seeds`
// spreads and the panel/run pickers they use, and the book's evaluation schedule in the Trainer-driven ones.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';
import { ValueError } from '../../src/errors.js';
import { experiments } from '../../src/experiments/index.js';
import { parseSeeds, spreadOf } from '../../src/experiments/spread.js';
import { drawInitialParams, init, MultiLayerNet, RandomState, SGD } from '../../src/index.js';
import { sink } from '../cli/helpers.js';

let mnist: MnistData;
let dir: string;
beforeAll(async () => {
  await init();
  mnist = await loadMnist();
  dir = await mkdtemp(join(tmpdir(), 'zerodl-fidelity-'));
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("draws: 'numpy'", () => {
  it('weight-decay replays the book script: RandomState(seed) weights, then np.random.choice(300, 100) per update', async () => {
    const r = await experiments['weight-decay'].run({ quick: true, mnist, draws: 'numpy', seed: 3 });
    const got = (r.results.runs as Record<string, { trainAcc: number[] }>)['0'].trainAcc.slice(0, 8);
    // The same loop written out here: the book's order of draws, evaluated after updates 0, 3, 6, …
    const rs = new RandomState(3);
    const net = new MultiLayerNet({
      inputSize: 784,
      hiddenSizes: [100, 100, 100, 100, 100, 100],
      outputSize: 10,
      maxBatchSize: 100,
    });
    net.setParams(drawInitialParams(rs, net));
    const x = mnist.xTrain.subarray(0, 300 * 784),
      t = (mnist.tTrain as Uint8Array).subarray(0, 300);
    const idx = new Int32Array(100),
      xb = new Float32Array(100 * 784),
      tb = new Uint8Array(100),
      sgd = new SGD({ lr: 0.01 });
    const want: number[] = [];
    for (let i = 0; want.length < 8; i++) {
      rs.choiceInto(idx, 300);
      idx.forEach((row, k) => {
        xb.set(x.subarray(row * 784, (row + 1) * 784), k * 784);
        tb[k] = t[row];
      });
      sgd.update(net.params, net.gradient(xb, tb));
      if (i % 3 === 0) want.push(Number(net.accuracy(x, t).toPrecision(6)));
    }
    expect(got).toEqual(want);
  }, 120_000);

  it('batchnorm --scales keeps the book stream in step: panel 1 alone = panel 1 after panel 0', async () => {
    const bn = experiments.batchnorm as typeof experiments.batchnorm & {
      run(o: object): ReturnType<typeof experiments.batchnorm.run>;
    };
    const both = await bn.run({ quick: true, mnist, draws: 'numpy', scales: [0, 1] });
    const one = await bn.run({ quick: true, mnist, draws: 'numpy', scales: [1] });
    const runs = (r: typeof one) => r.results.runs as { index: number; batchNorm: number[]; plain: number[] }[];
    expect(runs(one)).toHaveLength(1);
    expect(runs(one)[0]).toEqual(runs(both)[1]);
    const zerodl = await bn.run({ quick: true, mnist, scales: [1] });
    expect(runs(zerodl)[0].batchNorm).not.toEqual(runs(one)[0].batchNorm);
  }, 120_000);

  it("is refused where the script draws more than weights and batches, and for seeds outside numpy's range", async () => {
    await expect(experiments.dropout.run({ quick: true, mnist, draws: 'numpy' })).rejects.toThrow(
      /offered by optimizer-mnist/,
    );
    await expect(experiments['weight-decay'].run({ quick: true, mnist, draws: 'numpy', seed: -1 })).rejects.toThrow(
      ValueError,
    );
    const stderr = sink();
    expect(await main(['experiment', 'hyperparameter-search', '--draws', 'numpy'], { stdout: sink(), stderr })).toBe(2);
    expect(stderr.text).toMatch(/--draws numpy applies to optimizer-mnist, init-mnist, batchnorm, weight-decay only/);
  });
});

describe('--seeds', () => {
  it('parses a..b and lists; spreadOf is mean, sample sd, min, max', () => {
    expect(parseSeeds('0..3')).toEqual([0, 1, 2, 3]);
    expect(parseSeeds('4,1,9')).toEqual([4, 1, 9]);
    for (const bad of ['3..1', '1,1', 'a', '1..x']) expect(() => parseSeeds(bad), bad).toThrow(ValueError);
    const s = spreadOf([1, 2, 3, 6]);
    expect([s.mean, s.min, s.max]).toEqual([3, 1, 6]);
    expect(s.sd).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(spreadOf([5]).sd).toBe(0);
    expect(spreadOf(Array(40).fill(0.097)).sd).toBe(0); // not 1.4e-17 from the mean's rounding
  });

  it("runs the experiment once per seed, prints the spread and writes it with every seed's value", async () => {
    const out = join(dir, 'bn');
    const stdout = sink(),
      stderr = sink();
    const code = await main(
      ['experiment', 'batchnorm', '--quick', '--scales', '0', '--seeds', '0..2', '--out', out, '-q'],
      { stdout, stderr },
    );
    expect(code, stderr.text).toBe(0);
    const spread = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(spread.seeds).toEqual([0, 1, 2]);
    const key = 'BatchNorm, W 1.0';
    const values: number[] = [];
    for (const seed of [0, 1, 2]) {
      const one = JSON.parse(await readFile(join(out, `seed-${seed}`, 'results.json'), 'utf8'));
      expect(one.seed).toBe(seed);
      values.push(one.results.runs[0].batchNorm.at(-1));
    }
    expect(spread.spread[key].values).toEqual(values);
    expect(spread.spread[key].mean).toBeCloseTo(values.reduce((a, b) => a + b) / 3, 12);
    expect(stdout.text).toMatch(/^seed 2: BatchNorm, W 1\.0 0\.\d+/m);
    expect(stdout.text).toMatch(/^BatchNorm, W 1\.0 +0\.\d+ +0\.\d+/m);
    expect(new Set(values).size).toBeGreaterThan(1);
  }, 120_000);

  it('refuses what it cannot spread', async () => {
    const cases: [string[], RegExp][] = [
      [['experiment', 'optimizer-paths', '--seeds', '0..1'], /optimizer-paths has no headline numbers/],
      [['experiment', 'batchnorm', '--seed', '1', '--seeds', '0..1'], /--seed and --seeds contradict/],
      [['experiment', 'dropout', '--scales', '0'], /--scales applies to batchnorm only/],
      [['experiment', 'batchnorm', '--seeds', '2..1'], /empty/],
    ];
    for (const [argv, message] of cases) {
      const stderr = sink();
      expect(await main(argv, { stdout: sink(), stderr }), argv.join(' ')).toBe(2);
      expect(stderr.text).toMatch(message);
    }
  });
});

// RandomState against numpy's own legacy RandomState, draw for draw (test/fixtures/numpy-random.json, written by
// scripts/oracles/numpy_random.py with numpy alone). Integers and uniform doubles must be identical; Gaussians
// within 2 ulp (≤ 4.5e-16 relative): the polar method's log and sqrt are libm's in numpy and V8's here, which may
// round the last bit differently — the stream itself (which pairs are rejected) cannot differ.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { MultiLayerNet } from '../../src/net/MultiLayerNet.js';
import { drawInitialParams, RandomState } from '../../src/numpy-random.js';

interface SeedDraws {
  seed: number;
  uint32: number[];
  random_sample: number[];
  randn_3x3: number[];
  uniform: number[];
  randn_4: number[];
  choice_60000_128: number[];
  choice_300_100: number[];
  randint_5_17: number[];
  permutation_500: number[];
  shuffle_10: number[];
  rand_2x3: number[];
  randn_1: number[];
  reseed_randn_2: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/numpy-random.json', import.meta.url), 'utf8')) as {
  seeds: SeedDraws[];
  book_seed0: { W1_first_10: number[]; W1_last_10: number[]; W1_sum: number };
};

function expectGauss(actual: ArrayLike<number>, expected: number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 4.5e-16 * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol))
      throw new Error(`${label}[${i}]: ${actual[i]} vs numpy ${expected[i]}`);
  }
}

describe.each(fixture.seeds.map((d) => [d.seed, d] as const))('RandomState(%d) vs numpy', (seed, d) => {
  it("gives numpy's draws, in numpy's order", () => {
    const rs = new RandomState(seed);
    expect(Array.from({ length: d.uint32.length }, () => rs.randomUint32())).toEqual(d.uint32);
    expect(Array.from({ length: 5 }, () => rs.randomSample())).toEqual(d.random_sample);
    const g = new Float64Array(9);
    rs.randnInto(g);
    expectGauss(g, d.randn_3x3, 'randn(3, 3)');
    expect([rs.uniform(-8, -4), rs.uniform(-6, -2)]).toEqual(d.uniform);
    const g4 = new Float64Array(4);
    rs.randnInto(g4);
    expectGauss(g4, d.randn_4, 'randn(4) (the first one kept from randn(3, 3))');
    const c = new Int32Array(128);
    rs.choiceInto(c, 60000);
    expect(Array.from(c)).toEqual(d.choice_60000_128);
    const c2 = new Int32Array(100);
    rs.choiceInto(c2, 300);
    expect(Array.from(c2)).toEqual(d.choice_300_100);
    expect(Array.from({ length: 20 }, () => rs.randint(5, 17))).toEqual(d.randint_5_17);
    expect(Array.from(rs.permutation(500))).toEqual(d.permutation_500);
    const a = Array.from({ length: 10 }, (_, i) => i);
    rs.shuffle(a);
    expect(a).toEqual(d.shuffle_10);
    const r = new Float64Array(6);
    rs.randInto(r);
    expect(Array.from(r)).toEqual(d.rand_2x3);
    expectGauss([rs.standardNormal()], d.randn_1, 'randn(1)');
    rs.seed(seed); // drops the kept Gaussian
    expectGauss([rs.standardNormal(), rs.standardNormal()], d.reseed_randn_2, 'randn(2) after seed()');
  });
});

describe('RandomState', () => {
  it("replays the book's first draw: np.random.seed(0); np.random.randn(784, 100)", () => {
    const w = new Float64Array(784 * 100);
    new RandomState(0).randnInto(w);
    const b = fixture.book_seed0;
    expectGauss(w.subarray(0, 10), b.W1_first_10, 'W1 first');
    expectGauss(w.subarray(w.length - 10), b.W1_last_10, 'W1 last');
    expect(w.reduce((s, v) => s + v, 0)).toBeCloseTo(b.W1_sum, 9);
    expect(w[0]).toBeCloseTo(1.764052345967664, 15);
  });

  it("drawInitialParams: the book's W1 = √(2/784)·randn(784, 100) first, then W2; b = 0, γ = 1, β = 0", () => {
    const net = new MultiLayerNet({
      inputSize: 784,
      hiddenSizes: [100],
      outputSize: 10,
      useBatchNorm: true,
      backend: 'js',
    });
    const p = drawInitialParams(new RandomState(0), net);
    expect(Object.keys(p).sort()).toEqual(['W1', 'W2', 'b1', 'b2', 'beta1', 'gamma1']);
    const scale = Math.sqrt(2 / 784);
    expect(Array.from(p.W1.subarray(0, 10))).toEqual(fixture.book_seed0.W1_first_10.map((z) => Math.fround(scale * z)));
    const w = new Float64Array(784 * 100 + 100 * 10),
      rs = new RandomState(0);
    rs.randnInto(w);
    expect(p.W2[999]).toBe(Math.fround(Math.sqrt(2 / 100) * w[w.length - 1]));
    expect(p.b1.every((v) => v === 0) && p.beta1.every((v) => v === 0) && p.gamma1.every((v) => v === 1)).toBe(true);
    net.setParams(p);
    expect(net.params.W1[0]).toBe(p.W1[0]);
  });

  it('rejects bad seeds and ranges with ValueErrors', () => {
    for (const s of [-1, 2 ** 32, 0.5, NaN]) expect(() => new RandomState(s)).toThrow(ValueError);
    const rs = new RandomState(0);
    expect(() => rs.randint(3, 3)).toThrow(/low < high/);
    expect(() => rs.choiceInto(new Int32Array(2), 0)).toThrow(/population/);
    expect(() => rs.interval(-1)).toThrow(ValueError);
  });
});

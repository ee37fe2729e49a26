// dropoutMaskSource: replaying externally drawn dropout masks (the book's np.random.rand(*x.shape) > ratio).
// Oracles: a forward pass computed here by hand in f64 from the masks, a net without dropout (all-ones masks),
// numerical gradients, and the book's own masks and numbers (test/book/book-vectors.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  init,
  MultiLayerNet,
  Rng,
  ShapeError,
  ValueError,
  type ZerodlError,
  type DropoutMaskSource,
} from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { randomBatch, snapshot } from './fixtures.js';

beforeAll(() => init());

/** Masks of 0/1 per layer, drawn here from a seed (keep where u > ratio, as the book). */
function drawMasks(seed: number, rows: number, units: number[], ratio: number): Float32Array[] {
  const rng = new Rng(seed);
  return units.map((D) => Float32Array.from({ length: rows * D }, () => (rng.uniform() > ratio ? 1 : 0)));
}

describe.each(['js', 'wasm'] as const)('dropoutMaskSource (%s)', (backend) => {
  const B = 6;
  const { x, t } = randomBatch(B, 5, 3, 11);

  it('training scores use the given masks, row-major rows × units (checked against a hand forward pass)', () => {
    const net = new MultiLayerNet({
      inputSize: 5,
      hiddenSizes: [7],
      outputSize: 3,
      useDropout: true,
      dropoutRatio: 0.4,
      seed: 3,
      backend,
    });
    const [mask] = drawMasks(5, B, [7], 0.4);
    const calls: number[][] = [];
    net.dropoutMaskSource = (layer, rows, units) => {
      calls.push([layer, rows, units]);
      return mask;
    };
    const scores = net.predict(x, { train: true });
    expect(calls).toEqual([[1, B, 7]]);
    const { W1, b1, W2, b2 } = net.params;
    const want: number[] = [];
    for (let r = 0; r < B; r++) {
      const h = Array.from({ length: 7 }, (_, j) => {
        let a = b1[j];
        for (let k = 0; k < 5; k++) a += x[r * 5 + k] * W1[k * 7 + j];
        return Math.max(0, a) * mask[r * 7 + j];
      });
      for (let c = 0; c < 3; c++) want.push(h.reduce((s, hj, j) => s + hj * W2[j * 3 + c], b2[c]));
    }
    expectClose(scores, want, 1e-5, 'scores with the given masks');
  });

  it('all-ones masks give the net without dropout: loss and gradients', () => {
    const spec = {
      inputSize: 5,
      hiddenSizes: [8, 6],
      outputSize: 3,
      useBatchNorm: true,
      weightDecayLambda: 0.1,
      seed: 4,
      backend,
    } as const;
    const plain = new MultiLayerNet(spec);
    const ones: DropoutMaskSource = (_, rows, units) => new Uint8Array(rows * units).fill(1);
    const net = new MultiLayerNet({ ...spec, useDropout: true, dropoutMaskSource: ones });
    net.setParams(plain.params);
    expectClose([net.loss(x, t, { train: true })], [plain.loss(x, t, { train: true })], 1e-6, 'loss');
    const g = snapshot(net.gradient(x, t)),
      gp = plain.gradient(x, t);
    for (const k of Object.keys(gp)) expectClose(g[k], gp[k], 1e-6, `grads.${k}`);
  });

  it('backprop agrees with numerical gradients under replayed masks', () => {
    const net = new MultiLayerNet({
      inputSize: 5,
      hiddenSizes: [8, 6],
      outputSize: 3,
      useDropout: true,
      dropoutRatio: 0.3,
      activation: 'sigmoid',
      seed: 6,
      backend,
    });
    const masks = drawMasks(9, B, [8, 6], 0.3);
    net.dropoutMaskSource = (layer) => masks[layer - 1];
    const numeric = net.numericalGradient(x, t, 1e-2);
    const g = net.gradient(x, t);
    for (const k of Object.keys(g)) expectClose(g[k], numeric[k], 2e-3, `grads.${k}`);
  });

  it("while set, the net's own stream is not drawn from; unset, it draws as before", () => {
    const spec = { inputSize: 5, hiddenSizes: [8], outputSize: 3, useDropout: true, seed: 7, backend } as const;
    const a = new MultiLayerNet(spec),
      b = new MultiLayerNet(spec);
    const state = a.dropoutState;
    a.dropoutMaskSource = (_, rows, units) => new Float32Array(rows * units).fill(1);
    a.gradient(x, t);
    a.predict(x, { train: true });
    expect(a.dropoutState).toBe(state);
    a.dropoutMaskSource = undefined;
    expect(Array.from(a.predict(x, { train: true }))).toEqual(Array.from(b.predict(x, { train: true })));
  });

  it('bad masks are typed errors naming the layer, and leave the net (params, running stats, stream) unchanged', () => {
    const net = new MultiLayerNet({
      inputSize: 5,
      hiddenSizes: [8, 6],
      outputSize: 3,
      useDropout: true,
      useBatchNorm: true,
      seed: 8,
      backend,
    });
    const good = drawMasks(1, B, [8, 6], 0.5);
    const cases: [DropoutMaskSource, typeof ZerodlError, RegExp][] = [
      [
        (layer) => (layer === 2 ? good[1].subarray(1) : good[0]),
        ShapeError,
        /dropoutMaskSource\(2, 6, 6\): expected 6 × 6 = 36 values, got 35/,
      ],
      [
        (layer) => (layer === 2 ? good[1].map((v, i) => (i === 13 ? 0.5 : v)) : good[0]),
        ValueError,
        /\(2, 6, 6\): value \[13\] \(row 2, unit 1\) is 0.5/,
      ],
      [
        (layer) => (layer === 1 ? Float32Array.from(good[0], (v) => 2 * v) : good[1]),
        ValueError,
        /\(1, 6, 8\).* is 2: masks must be 0 \(dropped\) or 1 \(kept\)/,
      ],
      [(() => null) as unknown as DropoutMaskSource, ValueError, /must return an array of 48 values, got null/],
    ];
    for (const [source, type, message] of cases) {
      const before = snapshot({ ...net.params, ...net.buffers });
      const state = net.dropoutState;
      net.dropoutMaskSource = source;
      let error: unknown;
      try {
        net.gradient(x, t);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      for (const [k, v] of Object.entries(before))
        expect(Array.from({ ...net.params, ...net.buffers }[k]), k).toEqual(Array.from(v));
      expect(net.dropoutState).toBe(state);
    }
  });

  it('the option must be a function; eval mode and nets without dropout never call it', () => {
    expect(
      () =>
        new MultiLayerNet({
          inputSize: 5,
          hiddenSizes: [4],
          outputSize: 3,
          dropoutMaskSource: 3 as unknown as DropoutMaskSource,
        }),
    ).toThrow(/dropoutMaskSource must be a function/);
    let calls = 0;
    const source: DropoutMaskSource = (_, rows, units) => {
      calls++;
      return new Float32Array(rows * units).fill(1);
    };
    const withDrop = new MultiLayerNet({
      inputSize: 5,
      hiddenSizes: [4],
      outputSize: 3,
      useDropout: true,
      dropoutMaskSource: source,
      backend,
    });
    const noDrop = new MultiLayerNet({
      inputSize: 5,
      hiddenSizes: [4],
      outputSize: 3,
      dropoutMaskSource: source,
      backend,
    });
    withDrop.predict(x);
    withDrop.accuracy(x, t);
    noDrop.gradient(x, t);
    expect(calls).toBe(0);
    expect(withDrop.config).not.toHaveProperty('dropoutMaskSource'); // a run-time hook: not part of the saved config
  });
});

// Issue 10, fault 16: bad input that used to be accepted silently is a typed error, and leaves the net or the
// params unchanged.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createOptimizer,
  init,
  MultiLayerNet,
  OPTIMIZER_NAMES,
  Trainer,
  ValueError,
  type BackendName,
} from '../../src/index.js';

beforeAll(() => init());

const snapshot = (rec: Record<string, Float32Array>) =>
  Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, Array.from(v)]));

for (const backend of ['wasm', 'js'] as BackendName[]) {
  describe(`bad input (${backend})`, () => {
    const make = () => new MultiLayerNet({ inputSize: 4, hiddenSizes: [5], outputSize: 3, seed: 1, backend });
    const x = new Float32Array([0.1, 0.2, 0.3, 0.4, -0.1, 0.5, 0.2, 0.0]);

    it('one-hot rows that are not distributions: ValueError naming the row (loss, gradient, accuracy, Trainer)', () => {
      const net = make();
      const before = snapshot(net.params);
      const bad = [
        new Float32Array([0, 5, 0, 1, 0, 0]), // sums to 5 (a loss of −761.58 in the probe)
        new Float32Array([1, 0, 0, -1, 2, 0]), // negative entry, sum 1
        new Float32Array([0, 0, 0, 0, 1, 0]), // an all-zero row
        new Float32Array([0.5, 0.4, 0, 0, 1, 0]), // sums to 0.9
      ];
      for (const t of bad) {
        expect(() => net.loss(x, t)).toThrow(ValueError);
        expect(() => net.gradient(x, t)).toThrow(ValueError);
        expect(() => net.accuracy(x, t)).toThrow(ValueError);
        expect(() => new Trainer(net, x, t, x, t)).toThrow(ValueError);
      }
      expect(() => net.loss(x, bad[0])).toThrow(
        /row 0 sums to 5: each target row must be a distribution .*within 0\.001/,
      );
      expect(() => net.loss(x, bad[1])).toThrow(/row 1 holds -1 at class 0: target rows must be non-negative/);
      expect(snapshot(net.params)).toEqual(before);
      // distributions are fine: one-hot, smoothed, and float32 rounding of thirds
      for (const t of [new Float32Array([0, 1, 0, 1, 0, 0]), new Float32Array([0.8, 0.1, 0.1, 1 / 3, 1 / 3, 1 / 3])]) {
        expect(Number.isFinite(net.loss(x, t))).toBe(true);
      }
    });

    it('numericalGradient with h = 0, NaN, ±∞, < 0: ValueError', () => {
      const net = make();
      for (const h of [0, NaN, Infinity, -Infinity, -1e-3]) {
        expect(() => net.numericalGradient(x, [0, 2], h), String(h)).toThrow(ValueError);
      }
      expect(() => net.numericalGradient(x, [0, 2], 0)).toThrow(/h must be a finite number > 0, got 0/);
    });

    it("weightInit: ['he'] (or any non-string, non-number): ValueError", () => {
      for (const weightInit of [['he'], { he: 1 }, true]) {
        expect(
          () =>
            new MultiLayerNet({
              inputSize: 4,
              hiddenSizes: [5],
              outputSize: 3,
              backend,
              weightInit: weightInit as unknown as 'he',
            }),
        ).toThrow(ValueError);
      }
    });

    it.each(OPTIMIZER_NAMES)('%s.update with NaN or ±∞ gradients: ValueError, params and state unchanged', (name) => {
      const net = make();
      const opt = createOptimizer(name);
      const grads = net.gradient(x, [0, 2]);
      opt.update(net.params, grads); // a good update first: the optimizer has state
      const params = snapshot(net.params);
      for (const v of [NaN, Infinity, -Infinity]) {
        net.gradient(x, [0, 2]);
        grads.b1[2] = v;
        expect(() => opt.update(net.params, grads), String(v)).toThrow(ValueError);
        expect(() => opt.update(net.params, grads)).toThrow(/grads 'b1' holds 1 NaN or infinite value/);
        expect(snapshot(net.params)).toEqual(params);
      }
      // the state did not move either: the next good update equals a fresh twin's second update
      const twin = createOptimizer(name),
        net2 = make();
      twin.update(net2.params, net2.gradient(x, [0, 2]));
      net.gradient(x, [0, 2]);
      opt.update(net.params, net.grads);
      twin.update(net2.params, net2.gradient(x, [0, 2]));
      expect(snapshot(net.params)).toEqual(snapshot(net2.params));
    });
  });
}

// Issue 10, fault 3: the Trainer's divergence guard. Params must be finite after every update and BatchNorm's
// running statistics after every forward pass, or training stops with a DivergenceError and the net rolled back to
// the last state whose loss (and statistics) were finite: on the first step, the net as training found it.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DivergenceError,
  init,
  MultiLayerNet,
  Trainer,
  type BackendName,
  type MultiLayerNetOptions,
} from '../../src/index.js';
import { Rng } from '../../src/rng.js';

beforeAll(() => init());

const snapshot = (rec: Record<string, Float32Array>) =>
  Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, Array.from(v)]));

function data(n: number, I: number, C: number, scale = 1): { x: Float32Array; t: Int32Array } {
  const rng = new Rng(5),
    x = new Float32Array(n * I),
    t = new Int32Array(n);
  for (let i = 0; i < x.length; i++) x[i] = scale * (rng.uniform() + 0.1);
  for (let i = 0; i < n; i++) t[i] = rng.int(C);
  return { x, t };
}

async function failure(net: MultiLayerNet, x: Float32Array, t: Int32Array, options: object): Promise<DivergenceError> {
  const error = await new Trainer(net, x, t, x, t, { epochs: 1, batchSize: 8, ...options }).train().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DivergenceError);
  return error as DivergenceError;
}

for (const backend of ['wasm', 'js'] as BackendName[]) {
  describe(`divergence guard (${backend})`, () => {
    const base: MultiLayerNetOptions = { inputSize: 6, hiddenSizes: [5], outputSize: 3, seed: 1, backend };

    it('a loss that is non-finite on the first step restores the initial params, not zeros', async () => {
      const net = new MultiLayerNet({ ...base, weightInit: 1e25 }); // scores overflow to ±∞: the loss is NaN
      const { x, t } = data(8, 6, 3);
      const before = snapshot(net.params);
      const e = await failure(net, x, t, { optimizer: 'sgd' });
      expect(e.message).toMatch(/loss became NaN/);
      expect((e.result as { iterations: number }).iterations).toBe(0);
      expect(snapshot(net.params)).toEqual(before);
      expect(net.params.W1.some((v) => v !== 0)).toBe(true);
    });

    it('BatchNorm runningVar overflowing to ∞ with a finite loss is divergence; the statistics are rolled back', async () => {
      const net = new MultiLayerNet({ ...base, weightInit: 1e20, useBatchNorm: true });
      const { x, t } = data(8, 6, 3);
      const params = snapshot(net.params),
        buffers = snapshot(net.buffers);
      const e = await failure(net, x, t, { optimizer: 'sgd' });
      expect(e.message).toMatch(/BatchNorm's runningVar1 became non-finite \(the loss was still \d/);
      expect(snapshot(net.params)).toEqual(params);
      expect(snapshot(net.buffers)).toEqual(buffers);
      expect(Object.values(net.buffers).every((b) => b.every(Number.isFinite))).toBe(true);
    });

    it('a NaN weight is divergence on every backend (js relu used to map NaN to 0 and train on)', async () => {
      const net = new MultiLayerNet(base);
      net.params.W1[0] = NaN;
      const { x, t } = data(8, 6, 3);
      expect(net.loss(x, t)).toBeNaN();
      const e = await failure(net, x, t, { optimizer: 'adam' });
      expect(e.message).toMatch(/loss became NaN/);
    });

    it('an update that makes a param non-finite stops training even on the last step, with the params before it', async () => {
      const net = new MultiLayerNet(base);
      const { x, t } = data(8, 6, 3, 1e3); // large inputs: |dW| ≫ 1, so lr·dW overflows float32
      const before = snapshot(net.params);
      // one step in all (8 rows, batch 8, 1 epoch): no later loss would see the damage
      const e = await failure(net, x, t, { optimizer: 'sgd', optimizerParams: { lr: 3e38 } });
      expect(e.message).toMatch(/the update made (W|b)\d non-finite/);
      expect(snapshot(net.params)).toEqual(before);
    });
  });
}

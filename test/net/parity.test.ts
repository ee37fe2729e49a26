// The same net on `js` and `wasm`: identical initial weights, and training that stays together for 50 steps.
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, init, MultiLayerNet, type MultiLayerNetOptions } from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { randomBatch, snapshot } from './fixtures.js';

beforeAll(() => init());

const spec: MultiLayerNetOptions = {
  inputSize: 17,
  hiddenSizes: [33, 5, 127],
  outputSize: 10,
  useBatchNorm: true,
  useDropout: true,
  dropoutRatio: 0.2,
  weightDecayLambda: 0.01,
  seed: 42,
};

function train(backend: 'js' | 'wasm', steps: number, options: Partial<MultiLayerNetOptions> = {}, optimizer = 'adam') {
  const net = new MultiLayerNet({ ...spec, ...options, backend });
  const opt = createOptimizer(optimizer, { lr: 0.01 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { x, t } = randomBatch(13, spec.inputSize, spec.outputSize, 100 + s);
    net.gradient(x, t);
    losses.push(net.lastLoss);
    opt.update(net.params, net.grads);
  }
  return { net, losses };
}

describe('js ↔ wasm parity', () => {
  it('a seed gives identical initial parameters on both backends', () => {
    const a = new MultiLayerNet({ ...spec, backend: 'js' });
    const b = new MultiLayerNet({ ...spec, backend: 'wasm' });
    for (const k of a.paramNames) expect(Array.from(b.params[k]), k).toEqual(Array.from(a.params[k]));
    expect(b.dropoutState).toBe(a.dropoutState);
  });

  it('predict agrees in test and training mode', () => {
    const a = new MultiLayerNet({ ...spec, backend: 'js' });
    const b = new MultiLayerNet({ ...spec, backend: 'wasm' });
    const { x } = randomBatch(300, spec.inputSize, spec.outputSize, 5); // 300 rows: two chunks of the 256-row capacity
    expectClose(b.predict(x, { train: true }), a.predict(x, { train: true }), 1e-4, 'train mode');
    // Running variances start at 0, so before some training-mode passes test mode divides by √1e-6 per layer and
    // amplifies rounding 1000-fold; warm the statistics up first.
    for (let i = 0; i < 30; i++) {
      a.predict(x, { train: true });
      b.predict(x, { train: true });
    }
    expectClose(b.predict(x), a.predict(x), 1e-4, 'test mode');
  });

  // Adam divides by √v, so it turns the float-noise gradient of a bias right before BatchNorm (exactly 0 in exact
  // arithmetic) into full steps of either sign: Momentum is used where every parameter is compared.
  it.each([
    ['Momentum, BatchNorm + Dropout + weight decay', {}, 'momentum'],
    ['Adam, Dropout + weight decay', { useBatchNorm: false }, 'adam'],
    ['Adam, sigmoid', { useBatchNorm: false, useDropout: false, activation: 'sigmoid' }, 'adam'],
  ] as const)('50 steps of %s stay within float32 tolerance', (_name, options, optimizer) => {
    const js = train('js', 50, options, optimizer),
      wasm = train('wasm', 50, options, optimizer);
    expectClose(wasm.losses, js.losses, 1e-4, 'loss per step');
    for (const k of js.net.paramNames) expectClose(wasm.net.params[k], js.net.params[k], 2e-3, k);
    for (const k of Object.keys(js.net.buffers)) expectClose(wasm.net.buffers[k], js.net.buffers[k], 2e-3, k);
    expect(wasm.net.dropoutState).toBe(js.net.dropoutState);
    expect(wasm.losses[49]).toBeLessThan(wasm.losses[0]);
  });

  it.each(['js', 'wasm'] as const)('the same run twice on %s is bit-identical', (backend) => {
    const a = train(backend, 20, { activation: 'sigmoid' }),
      b = train(backend, 20, { activation: 'sigmoid' });
    expect(b.losses).toEqual(a.losses);
    const pa = snapshot(a.net.params),
      pb = snapshot(b.net.params);
    for (const k of Object.keys(pa)) expect(Array.from(pb[k]), k).toEqual(Array.from(pa[k]));
  });

  it('different seeds give different weights and masks', () => {
    const a = new MultiLayerNet({ ...spec, seed: 1 }),
      b = new MultiLayerNet({ ...spec, seed: 2 });
    expect(Array.from(a.params.W1)).not.toEqual(Array.from(b.params.W1));
    expect(a.dropoutState).not.toBe(b.dropoutState);
  });
});

// Bad input gets a typed error naming the problem and leaves the net as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BackendError,
  createBackend,
  createOptimizer,
  init,
  MultiLayerNet,
  NameError,
  SGD,
  ShapeError,
  Trainer,
  ValueError,
  ZerodlError,
} from '../../src/index.js';
import { randomBatch, snapshot } from './fixtures.js';

beforeAll(() => init());

const spec = { inputSize: 4, hiddenSizes: [6], outputSize: 3, useBatchNorm: true, seed: 1 } as const;

describe.each(['js', 'wasm'] as const)('bad input (%s)', (backend) => {
  const make = () => new MultiLayerNet({ ...spec, backend });

  /** Runs `bad` and expects a ZerodlError subclass whose message matches; the net's params and stats are unchanged. */
  function expectRejected(net: MultiLayerNet, bad: () => unknown, type: typeof ZerodlError, message: RegExp) {
    const before = snapshot({ ...net.params, ...net.buffers });
    const rng = net.dropoutState;
    let error: unknown;
    try {
      bad();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(ZerodlError);
    expect((error as Error).message).toMatch(message);
    const after = snapshot({ ...net.params, ...net.buffers });
    for (const k of Object.keys(before)) expect(Array.from(after[k]), k).toEqual(Array.from(before[k]));
    expect(net.dropoutState).toBe(rng);
  }

  const { x, t } = randomBatch(5, 4, 3, 1);

  it('x of the wrong length', () => {
    const net = make();
    expectRejected(net, () => net.gradient(x.subarray(0, 7), t), ShapeError, /7 values.*inputSize 4/);
    expectRejected(net, () => net.predict(new Float32Array(0)), ShapeError, /0 values/);
    expectRejected(net, () => net.predict([1, 2, 3, 4] as unknown as Float32Array), ShapeError, /Float32Array/);
  });

  it('t of the wrong length or kind', () => {
    const net = make();
    expectRejected(net, () => net.gradient(x, t.subarray(0, 4)), ShapeError, /4 labels for 5 input rows/);
    expectRejected(net, () => net.loss(x, new Float32Array(5)), ShapeError, /one-hot.*B×C = 5×3 = 15.*got 5/);
    expectRejected(net, () => net.accuracy(x, 'abc' as unknown as Int32Array), ShapeError, /integer labels/);
  });

  it('labels out of range', () => {
    const net = make();
    expectRejected(
      net,
      () => net.gradient(x, Int32Array.of(0, 1, 2, 3, 0)),
      ValueError,
      /t\[3\] = 3 is not a class label in \[0, 3\)/,
    );
    expectRejected(net, () => net.gradient(x, Int32Array.of(0, 1, -1, 2, 0)), ValueError, /t\[2\] = -1/);
    expectRejected(net, () => net.loss(x, [0, 1, 2, 1.5, 0]), ValueError, /t\[3\] = 1.5/);
  });

  it('NaN or ∞ in x', () => {
    const net = make();
    const bad = x.slice();
    bad[6] = NaN;
    expectRejected(net, () => net.gradient(bad, t), ValueError, /NaN at index 6 \(row 1\)/);
    bad[6] = Infinity;
    expectRejected(net, () => net.predict(bad), ValueError, /Infinity at index 6/);
  });

  it('setParams with a wrong shape, unknown name, missing name or NaN', () => {
    const net = make();
    const good = snapshot(net.params);
    expectRejected(
      net,
      () => net.setParams({ ...good, W1: new Float32Array(23) }),
      ShapeError,
      /'W1' must hold 24 values \(shape \[4, 6\]\), got 23/,
    );
    expectRejected(net, () => net.setParams({ ...good, W9: new Float32Array(1) }), ShapeError, /no parameter 'W9'/);
    const { b2: _, ...missing } = good;
    expectRejected(net, () => net.setParams(missing), ShapeError, /'b2' is missing/);
    const nan = good.W2.slice();
    nan[3] = NaN;
    expectRejected(net, () => net.setParams({ ...good, W2: nan }), ValueError, /'W2'\[3\] is NaN/);
  });

  it('setParams copies values in', () => {
    const net = make();
    const other = new MultiLayerNet({ ...spec, seed: 9, backend });
    net.setParams(other.params);
    for (const k of net.paramNames) expect(Array.from(net.params[k])).toEqual(Array.from(other.params[k]));
    expect(net.params.W1).not.toBe(other.params.W1);
  });
});

describe('bad options', () => {
  const base = { inputSize: 4, hiddenSizes: [6], outputSize: 3 };
  it.each([
    [{ activation: 'tanh' }, NameError, /unknown activation 'tanh': expected one of relu, sigmoid/],
    [{ weightInit: 'glorot' }, NameError, /unknown weightInit 'glorot'/],
    [{ weightInit: -1 }, ValueError, /weightInit std must be a finite number > 0, got -1/],
    [{ dropoutRatio: 1 }, ValueError, /dropoutRatio must be in \[0, 1\), got 1/],
    [{ dropoutRatio: -0.1 }, ValueError, /dropoutRatio/],
    [{ weightDecayLambda: NaN }, ValueError, /weightDecayLambda/],
    [{ hiddenSizes: [10, 0] }, ValueError, /hiddenSizes\[1\] must be a positive integer, got 0/],
    [{ inputSize: 2.5 }, ValueError, /inputSize must be a positive integer/],
    [{ backend: 'gpu' }, NameError, /unknown backend 'gpu'/],
    [{ seed: 0.5 }, ValueError, /seed must be an integer/],
  ])('%o', (extra, type, message) => {
    expect(() => new MultiLayerNet({ ...base, ...extra } as never)).toThrow(type);
    expect(() => new MultiLayerNet({ ...base, ...extra } as never)).toThrow(message);
  });

  it.each([
    [
      'adamw',
      {},
      NameError,
      /unknown optimizer 'adamw': expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam/,
    ],
    ['sgd', { lr: 0 }, ValueError, /SGD lr must be a finite number > 0, got 0/],
    ['adam', { lr: -1 }, ValueError, /Adam lr must be/],
    ['momentum', { momentum: 1 }, ValueError, /Momentum momentum must be in \[0, 1\)/],
    ['rmsprop', { decayRate: 2 }, ValueError, /RMSprop decayRate/],
    ['adam', { beta2: 1 }, ValueError, /Adam beta2/],
  ])('createOptimizer(%s, %o)', (name, options, type, message) => {
    expect(() => createOptimizer(name, options)).toThrow(type);
    expect(() => createOptimizer(name, options)).toThrow(message);
  });

  it('an optimizer given mismatched grads changes nothing', () => {
    const net = new MultiLayerNet({ ...base, backend: 'wasm' });
    const before = snapshot(net.params);
    const opt = new SGD({ lr: 0.1 });
    expect(() => opt.update(net.params, { ...net.grads, b2: new Float32Array(2) })).toThrow(
      /grads 'b2' has 2 values, params 3/,
    );
    expect(() => opt.update(net.params, { W1: net.grads.W1 })).toThrow(/grads has no 'b1'/);
    for (const k of Object.keys(before)) expect(Array.from(net.params[k])).toEqual(Array.from(before[k]));
  });

  it('Trainer options and data are checked up front', () => {
    const net = new MultiLayerNet({ ...base, backend: 'js' });
    const { x, t } = randomBatch(10, 4, 3, 2);
    expect(() => new Trainer(net, x, t, x, t, { epochs: 0 })).toThrow(/epochs must be a positive integer, got 0/);
    expect(() => new Trainer(net, x, t, x, t, { optimizer: 'lbfgs' })).toThrow(NameError);
    expect(() => new Trainer(net, x, t.subarray(0, 9), x, t)).toThrow(/tTrain has 9 labels for 10 input rows/);
    const bad = x.slice();
    bad[0] = NaN;
    expect(() => new Trainer(net, x, t, bad, t)).toThrow(/xTest holds NaN at index 0/);
  });

  it('a wasm kernel refuses buffers it did not allocate', () => {
    const k = createBackend('wasm');
    const a = k.alloc(4);
    expect(() => k.relu_forward(a, new Float32Array(4), 4)).toThrow(BackendError);
    expect(() => k.relu_forward(a, new Float32Array(4), 4)).toThrow(/not allocated by this backend/);
  });
});

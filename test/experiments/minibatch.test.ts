// Minibatch (src/experiments/minibatch.ts) gathers each drawn row once, straight into a net's input. Oracle: the
// experiments' old path, kept here as a reference loop — copy the drawn rows into a batch array, then the public
// net.gradient / net.loss on it. A copy changes no value, so gradients, losses and parameters must be bit-identical.
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { Minibatch } from '../../src/experiments/minibatch.js';
import { init, MultiLayerNet } from '../../src/index.js';
import { SGD } from '../../src/optim/index.js';
import { Rng } from '../../src/rng.js';
import { drawRows } from '../../src/train/minibatch.js';

const I = 12,
  C = 4,
  N = 50,
  B = 8;

function dataset(): { x: Float32Array; t: Uint8Array } {
  const rng = new Rng(7);
  const x = new Float32Array(N * I).map(() => rng.normal());
  const t = new Uint8Array(N).map(() => rng.int(C));
  return { x, t };
}

function makeNet(backend: 'wasm' | 'js', opts: Record<string, unknown> = {}): MultiLayerNet {
  return new MultiLayerNet({
    inputSize: I,
    hiddenSizes: [10, 9],
    outputSize: C,
    seed: 3,
    backend,
    maxBatchSize: B,
    weightDecayLambda: 0.01,
    ...opts,
  });
}

beforeAll(async () => {
  await init();
});

describe.each(['wasm', 'js'] as const)('Minibatch on %s', (backend) => {
  it.each([
    ['plain', {}],
    ['BatchNorm + dropout', { useBatchNorm: true, useDropout: true, dropoutRatio: 0.3 }],
  ])('%s: gradients, losses and parameters equal the copy-then-net.gradient loop, bit for bit', (_, opts) => {
    const { x, t } = dataset();
    const fast = makeNet(backend, opts),
      ref = makeNet(backend, opts);
    const batch = new Minibatch(x, t, I, B, new Rng(11));
    const refRng = new Rng(11),
      idx = new Int32Array(B),
      xb = new Float32Array(B * I),
      tb = new Uint8Array(B);
    const optFast = new SGD({ lr: 0.1 }),
      optRef = new SGD({ lr: 0.1 });
    for (let step = 0; step < 20; step++) {
      batch.draw();
      drawRows(idx, N, refRng);
      expect(Array.from(batch.idx)).toEqual(Array.from(idx));
      for (let r = 0; r < B; r++) {
        xb.set(x.subarray(idx[r] * I, (idx[r] + 1) * I), r * I);
        tb[r] = t[idx[r]];
      }
      const g = batch.gradient(fast);
      const gRef = ref.gradient(xb, tb);
      expect(fast.lastLoss).toBe(ref.lastLoss);
      for (const k of Object.keys(gRef)) expect(Array.from(g[k]), `${k} step ${step}`).toEqual(Array.from(gRef[k]));
      optFast.update(fast.params, g);
      optRef.update(ref.params, gRef);
      expect(batch.loss(fast)).toBe(ref.loss(xb, tb));
    }
    for (const k of Object.keys(ref.params)) expect(Array.from(fast.params[k])).toEqual(Array.from(ref.params[k]));
  });
});

describe('Minibatch', () => {
  it('allocates no wasm memory step after step', () => {
    const { x, t } = dataset();
    const net = makeNet('wasm');
    const batch = new Minibatch(x, t, I, B, new Rng(1));
    const opt = new SGD({ lr: 0.1 });
    batch.draw();
    opt.update(net.params, batch.gradient(net)); // first step: row views of the dataset are made once
    const bytes = net.backend.memoryBytes(),
      generation = net.backend.generation;
    for (let i = 0; i < 200; i++) {
      batch.draw();
      opt.update(net.params, batch.gradient(net));
      batch.loss(net);
    }
    expect(net.backend.memoryBytes()).toBe(bytes);
    expect(net.backend.generation).toBe(generation);
  });

  it('refuses bad data, nets and row indices with a typed error before anything changes', () => {
    const { x, t } = dataset();
    expect(() => new Minibatch(x.subarray(1), t, I, B, new Rng(1))).toThrow(ShapeError);
    expect(() => new Minibatch(x, t.subarray(1), I, B, new Rng(1))).toThrow(ShapeError);
    const net = makeNet('wasm');
    const before = Array.from(net.grads.W1);
    const wrongInput = new MultiLayerNet({ inputSize: I + 1, hiddenSizes: [5], outputSize: C, backend: 'wasm' });
    const few = new MultiLayerNet({ inputSize: I, hiddenSizes: [5], outputSize: 2, backend: 'wasm' });
    const ok = new Minibatch(x, t, I, B, new Rng(1));
    ok.draw();
    expect(() => ok.gradient(wrongInput)).toThrow(ShapeError);
    expect(() => ok.gradient(few)).toThrow(/label 3 is not a class/);
    expect(() => ok.loss(net)).toThrow(/call gradient\(net\) on this draw first/);
    const bad = new Minibatch(x, t, I, B, { int: (n) => n }); // an index source past the last row
    bad.draw();
    expect(() => bad.gradient(net)).toThrow(ValueError);
    expect(() => bad.gradient(net)).toThrow(/index 50 at position 0 is outside the 50 rows/);
    expect(Array.from(net.grads.W1)).toEqual(before);
  });
});

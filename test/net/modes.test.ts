// Training vs inference mode through a whole net: BatchNorm's running statistics and Dropout's masks.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, MultiLayerNet } from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { randomBatch } from './fixtures.js';

beforeAll(() => init());

describe.each(['js', 'wasm'] as const)('modes (%s)', (backend) => {
  it('BatchNorm: running stats start at 0, move 10% toward the batch statistics, and inference uses them', () => {
    const net = new MultiLayerNet({
      inputSize: 6,
      hiddenSizes: [5],
      outputSize: 3,
      useBatchNorm: true,
      seed: 2,
      backend,
    });
    const { x } = randomBatch(40, 6, 3, 3);
    expect(Array.from(net.buffers.runningMean1)).toEqual([0, 0, 0, 0, 0]);
    // The batch statistics of the first Affine's output, computed here from W1 (b1 = 0).
    const W1 = net.params.W1,
      mean = new Float64Array(5),
      sq = new Float64Array(5);
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 5; j++) {
        let a = 0;
        for (let k = 0; k < 6; k++) a += x[i * 6 + k] * W1[k * 5 + j];
        mean[j] += a / 40;
        sq[j] += (a * a) / 40;
      }
    }
    const variance = Array.from(mean, (m, j) => sq[j] - m * m);
    net.predict(x, { train: true });
    expectClose(
      net.buffers.runningMean1,
      Array.from(mean, (m) => 0.1 * m),
      1e-5,
      'runningMean after 1 step',
    );
    expectClose(
      net.buffers.runningVar1,
      variance.map((v) => 0.1 * v),
      1e-5,
      'runningVar after 1 step',
    );
    // After many steps on the same batch the running stats equal the batch's, and both modes give the same output.
    for (let i = 0; i < 300; i++) net.predict(x, { train: true });
    expectClose(net.buffers.runningMean1, mean, 1e-5, 'runningMean converged');
    expectClose(net.predict(x), net.predict(x, { train: true }), 1e-4, 'inference = training output');
  });

  it('Dropout: masks differ between training calls, inference is deterministic and scaled by (1 − ratio)', () => {
    const spec = { inputSize: 6, hiddenSizes: [50], outputSize: 3, seed: 2, backend } as const;
    const withDrop = new MultiLayerNet({ ...spec, useDropout: true, dropoutRatio: 0.3 });
    const plain = new MultiLayerNet({ ...spec });
    const { x } = randomBatch(4, 6, 3, 4);
    const a = withDrop.predict(x, { train: true }),
      b = withDrop.predict(x, { train: true });
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(Array.from(withDrop.predict(x))).toEqual(Array.from(withDrop.predict(x)));
    // Test mode: hidden activations × 0.7, so the scores are 0.7·(h·W2) + b2 with b2 = 0 — i.e. 0.7 × the plain net's.
    expectClose(
      withDrop.predict(x),
      Array.from(plain.predict(x), (v) => 0.7 * v),
      1e-5,
      'scaled by 1 − ratio',
    );
    // hiddenActivations reads the activation's output, before Dropout: the same as the plain net's.
    expect(Array.from(withDrop.hiddenActivations(x)[0])).toEqual(Array.from(plain.hiddenActivations(x)[0]));
  });
});

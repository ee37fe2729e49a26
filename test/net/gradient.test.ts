// Backprop against central differences, for every parameter of whole nets, on both backends.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, MultiLayerNet, type MultiLayerNetOptions } from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { oneHot, randomBatch } from './fixtures.js';

beforeAll(() => init());

/** Elements where |backprop − numeric| > atol + rtol·|numeric|, with atol scaled to the parameter's gradient size. */
function mismatches(analytic: Float32Array, numeric: Float32Array): string[] {
  let scale = 0;
  for (const v of numeric) scale = Math.max(scale, Math.abs(v));
  const atol = 2e-3 * scale + 2e-4;
  const bad: string[] = [];
  for (let i = 0; i < numeric.length; i++) {
    const d = Math.abs(analytic[i] - numeric[i]);
    if (d > atol + 2e-2 * Math.abs(numeric[i])) bad.push(`[${i}] backprop ${analytic[i]} numeric ${numeric[i]}`);
  }
  return bad;
}

function check(net: MultiLayerNet, x: Float32Array, t: Int32Array | Float32Array): Record<string, string[]> {
  const numeric = net.numericalGradient(x, t);
  const grads = net.gradient(x, t);
  const report: Record<string, string[]> = {};
  for (const name of net.paramNames) {
    expect(grads[name].length, name).toBe(numeric[name].length);
    const bad = mismatches(grads[name], numeric[name]);
    if (bad.length) report[name] = bad.slice(0, 3);
  }
  return report;
}

const base = { inputSize: 6, hiddenSizes: [7, 5], outputSize: 4, seed: 3 };
const configs: [string, Partial<MultiLayerNetOptions>][] = [
  ['relu, He', { activation: 'relu', weightInit: 'he' }],
  ['sigmoid, Xavier', { activation: 'sigmoid', weightInit: 'xavier' }],
  ['relu + BatchNorm', { activation: 'relu', useBatchNorm: true }],
  ['sigmoid + BatchNorm', { activation: 'sigmoid', weightInit: 0.5, useBatchNorm: true }],
  ['relu + weight decay 0.1', { activation: 'relu', weightDecayLambda: 0.1 }],
  [
    'relu + BatchNorm + Dropout 0.3 + weight decay',
    { useBatchNorm: true, useDropout: true, dropoutRatio: 0.3, weightDecayLambda: 0.05 },
  ],
  ['sigmoid, three hidden layers, std 1', { activation: 'sigmoid', weightInit: 1, hiddenSizes: [5, 4, 6] }],
];

describe.each(['js', 'wasm'] as const)('gradient check (%s)', (backend) => {
  it.each(configs)('%s: backprop matches numerical gradients of every parameter', (_name, extra) => {
    const net = new MultiLayerNet({ ...base, ...extra, backend });
    // Seed 5 puts no ReLU pre-activation within h of its kink, where central differences are meaningless.
    const { x, t } = randomBatch(9, base.inputSize, base.outputSize, 5);
    expect(check(net, x, t)).toEqual({});
  });

  it('one-hot targets give the same gradients as labels', () => {
    const net = new MultiLayerNet({ ...base, useBatchNorm: true, backend });
    const { x, t } = randomBatch(9, base.inputSize, base.outputSize, 8);
    expect(check(net, x, oneHot(t, base.outputSize))).toEqual({});
    const g1 = structuredClone(net.gradient(x, t));
    const g2 = net.gradient(x, oneHot(t, base.outputSize));
    for (const k of net.paramNames) expectClose(g2[k], g1[k], 1e-6, k);
  });

  it('the check is tight enough to catch one wrong element, a sign flip or a factor of 2', () => {
    const net = new MultiLayerNet({ ...base, useBatchNorm: true, backend });
    const { x, t } = randomBatch(9, base.inputSize, base.outputSize, 9);
    const numeric = net.numericalGradient(x, t);
    const grads = net.gradient(x, t);
    for (const name of net.paramNames) {
      const g = grads[name].slice();
      let at = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[at])) at = i;
      if (Math.abs(g[at]) < 1e-3) continue; // b before BatchNorm: its gradient is exactly 0, nothing to mutate
      for (const wrong of [(v: number) => 2 * v, (v: number) => -v, (v: number) => 0.5 * v]) {
        const mutated = g.slice();
        mutated[at] = wrong(g[at]);
        expect(mismatches(mutated, numeric[name]).length, `${name}[${at}] mutated`).toBe(1);
      }
    }
  });
});

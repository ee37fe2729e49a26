// Issue 10, fault 6: names that users pass (parameters, optimizers, activations, inits, backends, experiments,
// commands, model-file tensors) are looked up as own keys only, so the names of Object.prototype's members
// ('constructor', 'toString', '__proto__', 'hasOwnProperty') are unknown names like any other: a typed error, with
// nothing changed.
import { describe, expect, it } from 'vitest';
import { createBackend, createOptimizer, MultiLayerNet, NameError, SGD, ShapeError } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { runExperiment } from '../../src/experiments/index.js';
import { sink } from '../cli/helpers.js';

const BUILT_INS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
const spec = { inputSize: 3, hiddenSizes: [4], outputSize: 2, useBatchNorm: true, seed: 1, backend: 'js' } as const;

/** Every param and running statistic, copied. */
const snapshot = (net: MultiLayerNet) =>
  Object.fromEntries(Object.entries({ ...net.params, ...net.buffers }).map(([k, v]) => [k, Array.from(v)]));

describe('names of Object.prototype members are unknown names', () => {
  it.each(BUILT_INS)('setParams({ ...params, %s: [1] }): ShapeError, nothing copied', (name) => {
    const net = new MultiLayerNet(spec);
    const before = snapshot(net);
    // New values for every real parameter, so a half-applied call would show.
    const record: Record<string, ArrayLike<number>> = {};
    for (const [k, v] of Object.entries({ ...net.params, ...net.buffers }))
      record[k] = new Float32Array(v.length).fill(0.5);
    Object.defineProperty(record, name, { value: [1], enumerable: true }); // an own key, even for '__proto__'
    expect(() => net.setParams(record)).toThrow(ShapeError);
    expect(() => net.setParams(record)).toThrow(new RegExp(`no parameter '${name}'`));
    expect(snapshot(net)).toEqual(before);
  });

  it('setParams: a record missing a parameter is refused even if a prototype supplies it', () => {
    const net = new MultiLayerNet(spec);
    const before = snapshot(net);
    const proto: Record<string, Float32Array> = { W1: new Float32Array(net.params.W1.length).fill(0.5) };
    const record = Object.create(proto) as Record<string, ArrayLike<number>>;
    for (const [k, v] of Object.entries(net.params)) if (k !== 'W1') record[k] = new Float32Array(v.length).fill(0.5);
    expect(() => net.setParams(record)).toThrow(/'W1' is missing/);
    expect(snapshot(net)).toEqual(before);
  });

  it.each(BUILT_INS)('createOptimizer(%j): NameError', (name) => {
    expect(() => createOptimizer(name)).toThrow(NameError);
    expect(() => createOptimizer(name)).toThrow(/unknown optimizer/);
  });

  it.each(BUILT_INS)('optimizer.update with grads lacking %j: ShapeError', (name) => {
    const params = Object.defineProperty({}, name, { value: new Float32Array(1), enumerable: true }) as Record<
      string,
      Float32Array
    >;
    expect(() => new SGD().update(params, {})).toThrow(ShapeError);
  });

  it.each(BUILT_INS)('activation, weightInit, backend %j: NameError', (name) => {
    for (const key of ['activation', 'weightInit', 'backend']) {
      let error: unknown;
      try {
        new MultiLayerNet({ ...spec, [key]: name });
      } catch (e) {
        error = e;
      }
      expect(error, key).toBeInstanceOf(NameError);
    }
    expect(() => createBackend(name as 'js')).toThrow(NameError);
  });

  it.each(BUILT_INS)('runExperiment(%j): NameError; the CLI: usage error, exit 2', async (name) => {
    await expect(runExperiment(name)).rejects.toThrow(NameError);
    for (const argv of [
      [name],
      ['experiment', name],
      ['search', name],
      ['train', `--${name}`],
      ['train', '--optimizer', name],
    ]) {
      const stdout = sink(),
        stderr = sink();
      expect(await main(argv, { stdout, stderr }), argv.join(' ')).toBe(2);
      expect(stderr.text, argv.join(' ')).toMatch(/^zerodl: /);
      expect(stderr.text).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

// src/net/layout.ts lists every buffer of a net: what a (single-thread) wasm backend actually hands out must be
// exactly that list — the bump pointer moves by the layout's aligned total when a net is made, when its activations
// grow, and the optimizer's first update fits the room reserved for it without growing memory.
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, createBackend, init, MultiLayerNet, type MultiLayerNetOptions } from '../../src/index.js';
import { resolveConfig } from '../../src/net/config.js';
import {
  activationLayout,
  allocatedFloats,
  checkLayerBuffers,
  elementCount,
  ownBuffers,
  parameterLayout,
  reservation,
} from '../../src/net/layout.js';
import { randomBatch } from './fixtures.js';

beforeAll(() => init());

const configs: MultiLayerNetOptions[] = [
  { inputSize: 3, hiddenSizes: [], outputSize: 2, maxBatchSize: 1 },
  { inputSize: 20, hiddenSizes: [7], outputSize: 5, maxBatchSize: 13 },
  { inputSize: 20, hiddenSizes: [32, 9], outputSize: 5, useBatchNorm: true, maxBatchSize: 50 },
  { inputSize: 11, hiddenSizes: [6, 6, 5], outputSize: 3, useBatchNorm: true, useDropout: true, activation: 'sigmoid' },
  { inputSize: 784, hiddenSizes: [100, 100], outputSize: 10, useDropout: true },
];

/** Bytes the bump pointer of a fresh single-thread wasm backend starts at (its heap base). */
function heapBase(): number {
  const k = createBackend('wasm');
  const base = k.mark();
  k.dispose();
  return base;
}

describe('the net layout', () => {
  it("names the book's parameters in the net's order, with their shapes", () => {
    for (const o of configs) {
      const net = new MultiLayerNet(o);
      const p = parameterLayout(net.config);
      expect(p.params.map((s) => s.name)).toEqual(net.paramNames);
      expect(p.stats.map((s) => s.name)).toEqual(Object.keys(net.buffers));
      for (const s of p.params) {
        expect(net.shapes[s.name]).toEqual(s.shape);
        expect(net.params[s.name].length).toBe(s.floats);
        expect(net.grads[s.name].length).toBe(s.floats);
      }
      net.dispose();
    }
  });

  it("a net takes from the wasm backend exactly the layout's buffers (aligned), for maxBatchSize rows", () => {
    const base = heapBase();
    for (const o of configs) {
      const net = new MultiLayerNet(o);
      const c = net.config;
      const expected = 4 * allocatedFloats([...ownBuffers(parameterLayout(c)), ...activationLayout(c, c.maxBatchSize)]);
      expect(net.backend.mark() - base, JSON.stringify(o)).toBe(expected);
      const r = reservation(c);
      expect(4 * (r.own + r.activations)).toBe(expected);
      net.dispose();
    }
  });

  it('growing the activations for a larger batch takes exactly their layout for the new row count', () => {
    const net = new MultiLayerNet({
      inputSize: 8,
      hiddenSizes: [16, 4],
      outputSize: 3,
      useBatchNorm: true,
      useDropout: true,
      maxBatchSize: 16,
    });
    const before = net.backend.mark();
    const { x, t } = randomBatch(40, 8, 3, 2);
    net.gradient(x, t);
    expect(net.maxBatchSize).toBe(40);
    expect(net.backend.mark() - before).toBe(4 * allocatedFloats(activationLayout(net.config, 40)));
  });

  it("Adam's state fits the room the net reserved for it: its first update does not grow memory", () => {
    for (const o of configs) {
      const net = new MultiLayerNet({ ...o, seed: 2 });
      const bytes = net.backend.memoryBytes(),
        generation = net.backend.generation;
      new Adam().update(
        net.params,
        net.gradient(...(Object.values(randomBatch(3, o.inputSize, o.outputSize, 1)) as [Float32Array, Int32Array])),
      );
      expect(net.backend.memoryBytes(), JSON.stringify(o)).toBe(bytes);
      expect(net.backend.generation).toBe(generation);
      expect(reservation(net.config).optimizer).toBeGreaterThanOrEqual(
        2 * elementCount(parameterLayout(net.config).params),
      );
      net.dispose();
    }
  });

  it('checkLayerBuffers refuses a buffer of another size than the layout lists', () => {
    const c = resolveConfig({ inputSize: 4, hiddenSizes: [3], outputSize: 2 });
    const specs = activationLayout(c, 5);
    const owners = new Map<string, object>(specs.map((s) => [s.owner, {}]));
    for (const s of specs)
      (owners.get(s.owner) as Record<string, unknown>)[s.field] = s.int32
        ? new Int32Array(s.floats)
        : new Float32Array(s.floats);
    expect(() => checkLayerBuffers(specs, owners)).not.toThrow();
    (owners.get('Affine2') as Record<string, unknown>).dx = new Float32Array(5 * 3 + 1);
    expect(() => checkLayerBuffers(specs, owners)).toThrow(
      /Affine2\.dx should be a Float32Array of 15 values .* got 16/,
    );
    (owners.get('SoftmaxWithLoss') as Record<string, unknown>).labels = new Float32Array(5);
    (owners.get('Affine2') as Record<string, unknown>).dx = new Float32Array(15);
    expect(() => checkLayerBuffers(specs, owners)).toThrow(/SoftmaxWithLoss\.labels should be an Int32Array/);
  });
});

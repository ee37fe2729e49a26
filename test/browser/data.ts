// The demo's MNIST subsets, read in Node from what demo/build.mjs wrote (dist-demo/data/*.bin, gzipped).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeSubset, type MnistSubset } from '../../demo/data.js';
import { ROOT } from './browser.js';

export function readSubset(split: 'train' | 'test'): MnistSubset {
  const path = join(ROOT, 'dist-demo', 'data', `${split}.bin`);
  return decodeSubset(new Uint8Array(gunzipSync(readFileSync(path))), path);
}

// installNode(): what only Node gives zerodl (src/host.ts), installed in one call. The Node entry (src/node.ts)
// calls it when it loads and exports it; the search's pool workers call it at start.
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { setNodeHost } from './host.js';
import { loadNet, saveNet } from './io/model.node.js';
import type { MultiLayerNet } from './net/MultiLayerNet.js';

/**
 * Makes init() read the kernels' wasm with node:fs, init({ threads }) start worker_threads, and net.save(path) /
 * MultiLayerNet.load(path) work. Calling it again changes nothing.
 */
export function installNode(): void {
  setNodeHost({
    readFile: async (url) => {
      const buf = await readFile(url);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
    Worker,
    modelFiles: { save: (net, path) => saveNet(net as MultiLayerNet, path), load: loadNet },
  });
}

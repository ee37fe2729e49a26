// Node's way of reading the kernels' wasm: file: URLs through fs.readFile. Imported for its effect by the Node
// entry (src/node.ts), so that load.ts, which browser bundles include, names no Node module.
import { readFile } from 'node:fs/promises';
import { setFileReader } from './load.js';

setFileReader(async (url) => {
  const buf = await readFile(url);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
});

// Node's way of reading the kernels' wasm (file: URLs through fs.readFile) and of starting kernel threads. Imported for its effect by the Node
// entry (src/node.ts), so that load.ts, which browser bundles include, names no Node module.
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { setFileReader } from './load.js';
import { setThreadFactory } from './threads.js';
import { threadScript } from './worker-source.js';

setFileReader(async (url) => {
  const buf = await readFile(url);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
});

// Kernel threads (init({ threads })) are worker_threads running the thread source as an eval'd script.
setThreadFactory(() => {
  const worker = new Worker(threadScript("require('node:worker_threads').parentPort"), { eval: true });
  worker.unref(); // kernel threads never keep the process alive
  return worker;
});

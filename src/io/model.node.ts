// Model files on disk. Node-only (through file.node.ts); the byte format is in model.ts, which stays browser-safe.
import { MultiLayerNet } from '../net/MultiLayerNet.js';
import { readFileBytes, writeFileAtomic } from './file.node.js';
import type { LoadNetOptions } from './model.js';

/**
 * Writes the net to `path` as safetensors, atomically: a failed save (bad directory, full disk, non-finite
 * parameters) leaves any existing file at `path` as it was.
 */
export async function saveNet(net: MultiLayerNet, path: string): Promise<void> {
  await writeFileAtomic(path, net.toBytes());
}

/** Reads a net saved by `saveNet`; every problem with the file is a FormatError naming it. */
export async function loadNet(path: string, options: LoadNetOptions = {}): Promise<MultiLayerNet> {
  return MultiLayerNet.fromBytes(await readFileBytes(path), { ...options, name: path });
}

// What only Node gives zerodl, in one place: reading file: URLs (the kernels' wasm), starting kernel threads
// (worker_threads) and model files by path (net.save, MultiLayerNet.load). The Node entry fills it in one call,
// installNode() (src/install.node.ts, exported by src/node.ts); browsers never do.
//
// This file reaches browser bundles, so it names no Node module. The neutral build (dist/index.js) run in Node
// finds files and threads without installNode() through `process.getBuiltinModule` (Node ≥ 20.16), a plain call
// that bundlers leave alone; model files by path stay with the Node entry.

/** worker_threads' Worker, as kernel threads use it: an eval'd script. */
export type NodeWorker = new (
  code: string,
  options: { eval: true },
) => {
  postMessage(message: unknown): void;
  terminate(): unknown;
  unref(): void;
};

/** Model files by path; `net` is a MultiLayerNet (typed there: this file imports nothing, so it closes no circle). */
export interface ModelFiles {
  save(net: unknown, path: string): Promise<void>;
  load(path: string, options?: unknown): Promise<unknown>;
}

export interface NodeHost {
  /** Reads a file: URL's bytes; throws with the system's message when the file cannot be read. */
  readFile(url: URL): Promise<Uint8Array>;
  Worker: NodeWorker;
  /** Absent in the neutral build run in Node. */
  modelFiles?: ModelFiles;
}

let installed: NodeHost | undefined;

/** Called by installNode() only. */
export function setNodeHost(host: NodeHost): void {
  installed = host;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** This process, when it is Node (or a runtime that says it is: Bun, Deno). */
export function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : undefined;
}

/**
 * What Node gives: the one installNode() set, or else (the neutral build in Node) files and threads through
 * `process.getBuiltinModule`; undefined in browsers and in a Node without getBuiltinModule.
 */
export function nodeHost(): Partial<NodeHost> | undefined {
  if (installed) return installed;
  const p = nodeProcess();
  if (!p?.getBuiltinModule) return undefined;
  const fs = p.getBuiltinModule('fs/promises') as { readFile(url: URL): Promise<Uint8Array> } | undefined;
  const wt = p.getBuiltinModule('worker_threads') as { Worker: NodeWorker } | undefined;
  return { readFile: fs && ((url) => fs.readFile(url)), Worker: wt?.Worker };
}

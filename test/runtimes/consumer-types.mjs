// The strict TypeScript consumers that check the public .d.ts, in one place for both of their runners:
// test/runtimes/consumer-types.test.ts (the built dist/ and the repository's @types/node 20, with tsc 5.9, in every
// `npm test`) and scripts/ci-runtimes.mjs (the packed package as npm installs it, with @types/node 22, on tsc 5.9, 6
// and 7). Each consumer is a set of global types a project may have: the DOM's and Node's together, the DOM's alone
// (a bundler's app), Node's alone (with either module resolution), with skipLibCheck off, so that the .d.ts must
// stand alone in each.
//
// The ports, which is where the sets differ. In a project with both, the global MessagePort type is the DOM's, and
// Node's worker_threads port does not fit it, though it works at run time: init({ threadHost }) takes it as a
// ThreadHostPort. hostThreads().port is the engine's MessagePort: the DOM's type, and Node's worker_threads one
// where Node's types are there, so that both a browser Worker and a worker_threads Worker take it in their
// transfer lists.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const common = `import { init, hostThreads, MultiLayerNet, BackendError, type InitOptions, type ThreadHost, type ThreadHostPort } from 'zerodl';
import * as inline from 'zerodl/inline';
await init({ simd: 'simd', wasm: new Uint8Array(8) });
await inline.init({ threads: 2 });
const net = new MultiLayerNet({ inputSize: 4, hiddenSizes: [3], outputSize: 2, useBatchNorm: true });
const scores: Float32Array = net.predict(new Float32Array(4));
const error: BackendError | undefined = undefined;
const host: ThreadHost = hostThreads({ maxThreads: 4 });
await init({ threads: 2, threadHost: host.port });
const options: InitOptions = { threads: 2, threadHost: host.port };
const hostPort: ThreadHostPort | undefined = undefined;
void [scores, error, options, hostPort, host.threads, host.closed, host.close];
// @ts-expect-error the port is a port, not any
host.port.noSuchMethod();
// @ts-expect-error a number is no port (with Node's types alone too, where the global MessagePort is empty)
await init({ threads: 2, threadHost: 42 });
// @ts-expect-error an object without the port's methods neither
await init({ threads: 2, threadHost: { postMessage() {} } });
`;
// Node's types: the Node entry's API, Node's worker_threads ports as init's threadHost, and hostThreads() serving
// a worker_thread (its port in the worker's transfer list).
const node = `import { loadMnist, renderSvg, lineChart, Trainer } from 'zerodl/node';
import { MessageChannel as NodeChannel, Worker as NodeWorker } from 'node:worker_threads';
const svg: () => Promise<string> = () => renderSvg(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', y: [1, 2] }] }));
void [svg, loadMnist, Trainer];
await init({ threads: 2, threadHost: new NodeChannel().port1 });
await init({ threads: 2, threadHost: new (await import('node:worker_threads')).MessageChannel().port2 });
const nodeWorker = new NodeWorker(new URL('./worker.js', import.meta.url));
nodeWorker.postMessage({ port: host.port }, [host.port]);
host.port.unref();
`;
// The DOM's types: a page hosting a browser Worker's threads, the DOM's ports as threadHost. (A value that is no port
// is refused in every set, in common above: with Node's types alone the global MessagePort is zerodl's empty
// placeholder, which init's threadHost type leaves out.)
const dom = `const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.postMessage({ port: host.port }, [host.port]);
worker.postMessage({ port: host.port }, { transfer: [host.port] });
const domPort: MessagePort = host.port;
void domPort;
await init({ threads: 2, threadHost: new MessageChannel().port1 });
`;
// The DOM's types alone: the port has no Node methods (Node's port type is not there to add them).
const domOnly = `// @ts-expect-error a browser's MessagePort has no unref()
host.port.unref();
`;

/** The consumers: the global types each has (lib, types), its module resolution and its source. */
export const CONSUMERS = [
  {
    name: 'DOM and Node types',
    lib: ['es2023', 'dom'],
    types: ['node'],
    resolution: 'nodenext',
    code: common + node + dom,
  },
  { name: 'DOM types only', lib: ['es2023', 'dom'], types: [], resolution: 'bundler', code: common + dom + domOnly },
  { name: 'Node types only', lib: ['es2023'], types: ['node'], resolution: 'nodenext', code: common + node },
  { name: 'Node types only', lib: ['es2023'], types: ['node'], resolution: 'bundler', code: common + node },
];

/**
 * Writes each consumer's source and tsconfig into `dir`, where `zerodl` and `@types/node` must resolve (its own or
 * a parent's node_modules); returns the consumers, each with `config`, its tsconfig's path.
 */
export function writeConsumers(dir) {
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return CONSUMERS.map((c) => {
    const base = `${c.name.replace(/\W+/g, '-')}-${c.resolution}`.toLowerCase();
    writeFileSync(join(dir, `${base}.ts`), c.code);
    const config = join(dir, `tsconfig.${base}.json`);
    const compilerOptions = {
      strict: true,
      lib: c.lib,
      types: c.types,
      skipLibCheck: false,
      noEmit: true,
      target: 'es2023',
      module: c.resolution === 'nodenext' ? 'nodenext' : 'esnext',
      moduleResolution: c.resolution,
    };
    writeFileSync(config, `${JSON.stringify({ compilerOptions, files: [`${base}.ts`] }, null, 2)}\n`);
    return { ...c, config };
  });
}

/** Runs tsc (the path of a TypeScript package's bin/tsc) on a consumer's tsconfig: '' if it passes, else its output. */
export function tscErrors(tsc, config) {
  const r = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' });
  if (r.status === 0) return '';
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || `exit ${r.status}${r.error ? ` (${r.error.message})` : ''}`;
}

// Compiling the kernels' wasm once per process (or page): bytes from the file system in Node (never `fetch` of a
// file: URL), `fetch` in browsers. Instances are then made synchronously from the module.
//
// This file reaches browser bundles, so it names no Node module: file: URLs are read by what Node gives
// (src/host.ts: installNode()'s node:fs, or else `process.getBuiltinModule('fs/promises')`).
//
// Two binaries come from one source: plain SIMD128 (build/zerodl.wasm) and relaxed SIMD (build/zerodl-relaxed.wasm,
// FMA in the gemm micro-kernel and the update loops). `simd: 'auto'` picks relaxed where the engine validates a
// relaxed instruction (Chrome/Edge 114+, Firefox 146+; Node 20 only with --experimental-wasm-relaxed-simd).
import { BackendError, ValueError } from '../../errors.js';
import { nodeHost, nodeProcess } from '../../host.js';
import { defaultWasmUrl, type SimdVariant } from '../../wasm-url.js';
import type { GemmVariant } from './gemm-variant.js';
import type { ThreadHostPort } from './thread-host.js';

export type { SimdVariant } from '../../wasm-url.js';

export interface InitOptions {
  /** Which binary: 'auto' (default) uses relaxed SIMD where the engine supports it; 'simd' or 'relaxed-simd' force one. */
  simd?: 'auto' | SimdVariant;
  /**
   * Where to fetch the .wasm from (browsers, bundlers); default: zerodl[-relaxed].wasm beside the package's JS.
   * A relative string is resolved against that default. A function gets the variant `simd` chose, so that one
   * setting serves both binaries: `init({ wasmUrl: (v) => v === 'simd' ? '/zerodl.wasm' : '/zerodl-relaxed.wasm' })`.
   */
  wasmUrl?: string | URL | ((variant: SimdVariant, threaded: boolean) => string | URL);
  /**
   * The .wasm bytes themselves, or a compiled module (skips loading; `simd` then only labels it). A plain value is
   * the single-thread build; threads then load theirs from `wasmUrl`. A function is asked for each build it needs:
   * `threaded` is true for the shared-memory build of `threads`.
   */
  wasm?: WasmSource | ((variant: SimdVariant, threaded: boolean) => WasmSource);
  /**
   * Threads for the kernels of the wasm backends made after this call (default 1; a later `init({ threads })`
   * changes it for backends made after that). Gemms and large elementwise kernels are split across Web Workers or
   * Node worker threads on one shared memory, with results bit-identical to one thread. Browsers allow shared
   * memory only on cross-origin-isolated pages (COOP/COEP headers); elsewhere zerodl stays on one thread and says
   * so on the console. `threadCount()` tells what is in use.
   */
  threads?: number;
  /**
   * In a Web Worker: have the page start the kernel threads of this call's `threads`, instead of this Worker
   * (Firefox ESR 153 now and then never returns from `new Worker` called inside a Worker, issue 12). The value is
   * the port of `hostThreads()` made on the page and transferred to this Worker; anything else is a ValueError.
   * A host that refuses (its page's Content-Security-Policy forbids workers, or it was closed) makes this init()
   * reject at once with a BackendError, one that never answers after 30 s; either way the threads in use before
   * stay as they were. If the page ends the threads later (`host.close()`), the kernels go on on one thread with
   * a console note, or the kernel call under way throws a BackendError. Only the calls given it use it: a later
   * `init({ threads })` with another count and no threadHost starts the threads from this Worker again.
   * In Node the port of a `worker_threads` MessageChannel is one too; the type takes it as a ThreadHostPort
   * where the DOM's MessagePort type would refuse it (a project with both the DOM's types and Node's).
   */
  threadHost?: GlobalMessagePort | ThreadHostPort;
  /**
   * The gemm micro-kernel ('4x8', '6x8', '4x12', '3x12', '5x8'; see assembly/gemm.ts): 'auto' (default) times them at init() and
   * takes the fastest, unless the environment variable ZERODL_GEMM names one. Results are bit-identical whichever
   * runs; `gemmVariant()` tells which does. A later `init({ gemmVariant })` changes it for backends made after it.
   */
  gemmVariant?: 'auto' | GemmVariant;
}

export type WasmSource = ArrayBuffer | ArrayBufferView | WebAssembly.Module;

// The public .d.ts name WebAssembly's Module and Memory, whose types come with TypeScript's DOM and WebWorker libs
// only: a Node or Deno project with `lib: ["es2023"]` has none. Empty interfaces merge with the DOM's where those
// are present and give the names alone where they are not (zerodl's API only passes these objects along).
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace WebAssembly {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Module {}
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Memory {}
  }
  // (the same for InitOptions.threadHost and ThreadHost.port: DOM's MessagePort, or Node's, or the name alone)
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface MessagePort {}
}

/**
 * The global MessagePort type where it has members (the DOM's or WebWorker's types); nothing where it is only the
 * empty placeholder above (Node's types alone), which any value would fit: there `threadHost` takes ThreadHostPort,
 * which Node's worker_threads port is.
 */
type GlobalMessagePort = keyof MessagePort extends never ? never : MessagePort;

export interface CompiledKernels {
  module: WebAssembly.Module;
  variant: SimdVariant;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

// (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))))
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 253, 133, 2, 11,
]);

// (module (func (result v128) (v128.const i32x4 0 0 0 0))): validates wherever fixed-width SIMD128 is on.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 11,
]);

const USE_JS = "use the pure-JS backend instead: new MultiLayerNet({ …, backend: 'js' }) (no init() needed; slower)";

/**
 * Throws a BackendError saying what the engine lacks, before anything is fetched or compiled: WebAssembly itself
 * (JIT-less modes — Chrome's --jitless, Edge's enhanced security, iOS Lockdown Mode — or a policy remove it), or
 * its SIMD instructions (a raw compile error would only say "does not compile … byte 5").
 */
function checkEngine(): void {
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (typeof wasm !== 'object' || wasm === null || typeof wasm.compile !== 'function') {
    throw new BackendError(
      'this engine has no WebAssembly (globalThis.WebAssembly is undefined: a JIT-less mode such ' +
        "as Chrome's --jitless, Edge's enhanced security or iOS Lockdown Mode, or a policy, turned it off), so zerodl's " +
        `wasm kernels cannot run; ${USE_JS}`,
    );
  }
  let simd = false;
  try {
    simd = wasm.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  if (!simd) {
    throw new BackendError(
      "this engine runs WebAssembly but not its SIMD instructions (SIMD128), which zerodl's " +
        'kernels are built with. SIMD is on by default in Chrome and Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+, ' +
        "Deno and Bun; here it is off or missing (an old engine, or a setting such as WebKit's JSC_useWasmSIMD=false); " +
        USE_JS,
    );
  }
}

/** Whether this engine runs relaxed-SIMD wasm. */
export function hasRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** What to do about a failed read of the package's own .wasm: a permission to grant, or a build to run. */
function readHint(e: unknown): string {
  const { name, code, message } = e as { name?: string; code?: string; message?: string };
  if (name === 'NotCapable' || name === 'PermissionDenied' || /Requires read access/.test(message ?? '')) {
    return ' (Deno: grant read access to the package, e.g. `deno run --allow-read …`)';
  }
  if (code === 'EACCES' || code === 'EPERM') return ' (the file is not readable by this process)';
  return code === 'ENOENT' ? ' (in a clone of zerodl, run `npm run build` first)' : '';
}

/** A file: URL as a path for messages (without the url module). */
const filePath = (url: URL): string => decodeURIComponent(url.pathname);

function checkMagic(bytes: Uint8Array, where: string): void {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new BackendError(
      `${where} is not a WebAssembly module: expected the bytes 00 61 73 6d, found ${head || 'nothing'}` +
        ` (${bytes.length} bytes)`,
    );
  }
}

function chooseVariant(simd: InitOptions['simd']): SimdVariant {
  if (simd === undefined || simd === 'auto') return hasRelaxedSimd() ? 'relaxed-simd' : 'simd';
  if (simd === 'simd') return 'simd';
  if (simd === 'relaxed-simd') {
    if (!hasRelaxedSimd()) {
      throw new BackendError(
        "init({ simd: 'relaxed-simd' }): this engine does not support relaxed SIMD" +
          ' (Node 20 needs --experimental-wasm-relaxed-simd)',
      );
    }
    return 'relaxed-simd';
  }
  throw new ValueError(`init: simd must be 'auto', 'simd' or 'relaxed-simd', got ${String(simd)}`);
}

async function compileBytes(bytes: Uint8Array, where: string): Promise<WebAssembly.Module> {
  checkMagic(bytes, where);
  // A pending timer keeps Node's event loop turning until the compile settles. Node resolves an async compile
  // through a V8 foreground task, and with nothing else keeping the loop alive it runs such tasks from the drain it
  // does between loop turns: init()'s caller would then go on inside that drain, and if its code returns there with
  // work left on the loop (a file save) while a concurrent optimizing compile waits for a GC, the main thread waits
  // for the compile job and the job for the main thread, and the process hangs (seen on Node 20 in ~5–20% of runs of
  // test/runtimes/smoke.mjs; nodejs/node#54918). Inside a loop turn the continuation runs as any callback does.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new BackendError(`${where} does not compile: ${(e as Error).message}`);
  } finally {
    clearInterval(keepAlive);
  }
}

/** Whether a module is a threaded build (it imports its memory instead of defining one). */
export function isThreadedModule(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/**
 * Compiles the kernels: the single-thread build of the variant `options.simd` picks, or with `threaded` the
 * shared-memory build of the given variant.
 */
export async function compileKernels(
  options: InitOptions = {},
  threaded = false,
  variant?: SimdVariant,
): Promise<CompiledKernels> {
  checkEngine();
  const compiled = await compileSource(options, threaded, variant ?? chooseVariant(options.simd));
  if (isThreadedModule(compiled.module) !== threaded) {
    throw new BackendError(
      threaded
        ? 'the wasm given for threads is a single-thread build: threads need zerodl-threads[-relaxed].wasm'
        : 'the wasm given to init() is a threaded build (zerodl-threads*.wasm): give the single-thread build, and ' +
            'the threaded one through a `wasm` or `wasmUrl` function',
    );
  }
  return compiled;
}

async function compileSource(options: InitOptions, threaded: boolean, variant: SimdVariant): Promise<CompiledKernels> {
  const wasm =
    typeof options.wasm === 'function' ? options.wasm(variant, threaded) : threaded ? undefined : options.wasm;
  if (wasm instanceof WebAssembly.Module) return { module: wasm, variant };
  if (wasm) {
    const bytes =
      wasm instanceof ArrayBuffer
        ? new Uint8Array(wasm)
        : new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength);
    return { module: await compileBytes(bytes, 'the wasm bytes given to init()'), variant };
  }
  const given =
    typeof options.wasmUrl === 'function' ? options.wasmUrl(variant, threaded) : threaded ? undefined : options.wasmUrl;
  const url = given ? new URL(given, defaultWasmUrl(variant, threaded)) : defaultWasmUrl(variant, threaded);
  if (url.protocol === 'file:' && nodeProcess()) {
    const read = nodeHost()?.readFile;
    const path = filePath(url);
    if (!read) {
      throw new BackendError(
        `cannot read the kernels' wasm at ${path}: this Node has no process.getBuiltinModule; ` +
          "import from 'zerodl/node', or pass init({ wasm: bytes })",
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await read(url);
    } catch (e) {
      throw new BackendError(`cannot read the kernels' wasm at ${path}: ${(e as Error).message}${readHint(e)}`);
    }
    return { module: await compileBytes(bytes, path), variant };
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new BackendError(`cannot fetch the kernels' wasm from ${url.href}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new BackendError(`cannot fetch the kernels' wasm from ${url.href}: HTTP ${response.status}`);
  return { module: await compileBytes(new Uint8Array(await response.arrayBuffer()), url.href), variant };
}

// Choosing a backend. `init()` compiles the wasm once; after it every constructor is synchronous.
import { BackendError, NameError, ValueError } from '../errors.js';
import { createJsBackend } from './js/index.js';
import type { Backend, BackendName } from './types.js';
import { compileKernels, type CompiledKernels, type InitOptions, type SimdVariant } from './wasm/load.js';
import { WasmBackend } from './wasm/backend.js';
import { SharedHeap } from './wasm/heap.js';
import { ThreadPool } from './wasm/pool.js';
import { threadsUnavailable } from './wasm/spawn.js';
import { hostedThreads, isMessagePort } from './wasm/thread-host.js';
import { ThreadedWasmBackend } from './wasm/threaded.js';
import {
  applyCalibration,
  calibrateGemm,
  envGemmVariant,
  gemmVariantState,
  parseGemmVariant,
  setGemmVariant,
  type GemmVariant,
  type GemmVariantSource,
} from './wasm/gemm-variant.js';

let compiled: CompiledKernels | undefined;
let pending: Promise<void> | undefined;
const shared = new Map<BackendName, Backend>();

/** The shared memory of the threaded build (made by the first init({ threads: n > 1 }), kept for the process). */
let heap: SharedHeap | undefined;
let pool: ThreadPool | undefined;
/** Threads the wasm backends made from now on use: 1, or pool.size. */
let threads = 1;
/** The threadHost port that started the pool's threads (undefined: this thread started them). */
let poolHost: InitOptions['threadHost'];
/** Tests only: how long a pool's threads may take to start (ThreadPool's START_MS when undefined). */
let startMs: number | undefined;
let threadsChange: Promise<void> = Promise.resolve();

/** Initial and maximum pages (64 KiB) of the threads' shared memory: 2 MiB growing to at most 1 GiB. */
const SHARED_PAGES = [32, 16384] as const;

/**
 * Loads and compiles the wasm kernels. The binary is chosen once: later calls return when the first has finished,
 * except that each `threads` given (re)configures the threads of backends made afterwards.
 */
export function init(options: InitOptions = {}): Promise<void> {
  const want = options.threads;
  if (want !== undefined && (!Number.isInteger(want) || want < 1 || want > 256)) {
    return Promise.reject(new ValueError(`init: threads must be an integer from 1 to 256, got ${String(want)}`));
  }
  if (options.threadHost !== undefined && !isMessagePort(options.threadHost)) {
    const got = options.threadHost as unknown;
    const what = typeof got === 'object' && got !== null ? (got.constructor?.name ?? 'an object') : typeof got;
    return Promise.reject(
      new ValueError(
        `init: threadHost must be a MessagePort (the port of hostThreads() made on the page, transferred to this ` +
          `Worker), got ${what}`,
      ),
    );
  }
  let gemm: GemmVariant | 'auto';
  let how: GemmVariantSource = 'option';
  try {
    gemm = options.gemmVariant === undefined ? 'auto' : parseGemmVariant(options.gemmVariant, 'init({ gemmVariant })');
    const env = envGemmVariant();
    if (gemm === 'auto' && env !== undefined) {
      gemm = parseGemmVariant(env, 'the environment variable ZERODL_GEMM');
      how = 'env';
    }
  } catch (e) {
    return Promise.reject(e);
  }
  const first = pending === undefined;
  pending ??= compileKernels(options).then(
    (kernels) => {
      compiled = kernels;
      chooseGemm(gemm, how, kernels.module);
    },
    (error: unknown) => {
      pending = undefined;
      throw error;
    },
  );
  // A later init() naming a variant switches to it for backends made from then on ('auto' keeps the first choice).
  if (!first && gemm !== 'auto') {
    const forced = gemm;
    pending = pending.then(() => setGemmVariant(forced, how));
  }
  if (want === undefined) return pending;
  const next = threadsChange.then(() => pending).then(() => setThreads(want, options));
  threadsChange = next.catch(() => undefined);
  return next;
}

async function setThreads(want: number, options: InitOptions): Promise<void> {
  if (pool && !pool.active) {
    // a kernel thread died (or the page's ThreadHost ended them): the pool shut itself down
    pool = undefined;
    threads = 1;
    poolHost = undefined;
  }
  const host = options.threadHost;
  if (want === threads && (host === undefined || host === poolHost)) return;
  if (want === 1) {
    pool?.close(); // backends made with it go on single-threaded
    pool = undefined;
    threads = 1;
    poolHost = undefined;
    return;
  }
  const reason = threadsUnavailable(host !== undefined);
  if (reason !== undefined) {
    console.warn(`zerodl: init({ threads: ${want} }) runs on one thread: ${reason}.`);
    return;
  }
  if (!heap) {
    const { module } = await compileKernels(options, true, compiled!.variant);
    heap = new SharedHeap(module, SHARED_PAGES[0], SHARED_PAGES[1]);
  }
  // The new threads start before the old ones stop: if they cannot, the pool in use stays (and so does `threads`).
  const spawn = host === undefined ? undefined : await hostedThreads(host);
  const next = await ThreadPool.start(heap, want, { spawn, startMs });
  pool?.close(); // backends made with it go on single-threaded
  pool = next;
  threads = want;
  poolHost = host;
}

/** Tests only: the deadline (ms) for a pool's threads to start; undefined restores the default (30 s). */
export function setStartDeadlineForTests(ms: number | undefined): void {
  startMs = ms;
}

/** The gemm micro-kernel for backends made from now on: the one named, else calibrated on this host (once). */
function chooseGemm(gemm: GemmVariant | 'auto', how: GemmVariantSource, module: WebAssembly.Module): void {
  if (gemm !== 'auto') {
    setGemmVariant(gemm, how);
  } else if (gemmVariantState().calibration === undefined) {
    applyCalibration(calibrateGemm(module));
  }
}

/** Which gemm micro-kernel the wasm backends made now use ('4x8', '6x8', '4x12', '3x12' or '5x8'); undefined before init. */
export function gemmVariant(): GemmVariant | undefined {
  return compiled ? gemmVariantState().variant : undefined;
}

/** How many threads the kernels of wasm backends made now will use (1 unless `init({ threads })` set more). */
export function threadCount(): number {
  return pool?.active ? threads : 1;
}

/** True once `init()` has finished. */
export function isReady(): boolean {
  return compiled !== undefined;
}

/** Which wasm binary `init()` loaded: 'relaxed-simd' (FMA) or 'simd'; undefined before init. */
export function simdVariant(): SimdVariant | undefined {
  return compiled?.variant;
}

export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'js'];

/** A new backend with memory of its own (each net makes one, so nets never share or move each other's buffers). */
export function createBackend(name: BackendName = 'wasm'): Backend {
  if (name === 'js') return createJsBackend();
  if (name === 'wasm') {
    if (!compiled)
      throw new BackendError("the wasm backend is not ready: call `await init()` first (or use backend 'js')");
    return pool?.active && heap ? new ThreadedWasmBackend(heap, pool) : new WasmBackend(compiled.module);
  }
  throw new NameError(`unknown backend '${String(name)}': expected one of ${BACKEND_NAMES.join(', ')}`);
}

/** The process-wide backend of that name, for using kernels directly on buffers it allocates. */
export function getBackend(name: BackendName = 'wasm'): Backend {
  let b = shared.get(name);
  if (!b || b.disposed) {
    b = createBackend(name);
    shared.set(name, b);
  }
  return b;
}

// The wasm kernels bound as `Backend` methods, made from the list in ../kernels.ts: each forwarder turns the
// buffers into byte offsets (the backend's `p`, which also checks that a buffer is its own and not detached) and
// the flags into 0/1, and calls the export. They are made once per backend, when it is constructed; a call then
// does exactly what a written-out forwarder would: one offset check per buffer and the export's call, no
// allocation, no loop over the arguments.
import { BackendError } from '../../errors.js';
import { descriptorProblem, KERNEL_NAMES, KERNELS, type ArgKind, type KernelName } from '../kernels.js';
import type { KernelTable } from '../types.js';

/** One raw export: buffers are byte offsets, flags 0/1. */
export type RawKernel = (...args: number[]) => number;

/** The raw exports of assembly/index.ts. */
export type Kernels = { readonly [K in KernelName]: RawKernel } & {
  memory: WebAssembly.Memory;
  heap_base(): number;
  /** Selects the gemm micro-kernel (0 4×8, 1 6×8, 2 4×12, 3 3×12), returns the one in use; absent in older binaries. */
  gemm_set_variant?(v: number): number;
  gemm_variant?(): number;
};

/** What a forwarder needs of its backend: the byte offset of one of its buffers (throws if it is not one). */
export interface Offsets {
  p(view: Float32Array | Int32Array): number;
}

type V = Float32Array | Int32Array;
type Bound = (...args: never[]) => unknown;
type Make = (s: Offsets, f: RawKernel) => Bound;

/**
 * A forwarder for each argument pattern in use: `p` a buffer, `x` a number, `b` a flag. A kernel with a pattern
 * not here makes `bindKernels` throw (and the bindings test fail): add its line.
 */
const FORWARDERS: Record<string, Make> = {
  px: (s, f) => (a: V, x: number) => f(s.p(a), x),
  ppx: (s, f) => (a: V, b: V, x: number) => f(s.p(a), s.p(b), x),
  ppxx: (s, f) => (a: V, b: V, x: number, y: number) => f(s.p(a), s.p(b), x, y),
  pppx: (s, f) => (a: V, b: V, c: V, x: number) => f(s.p(a), s.p(b), s.p(c), x),
  pppxx: (s, f) => (a: V, b: V, c: V, x: number, y: number) => f(s.p(a), s.p(b), s.p(c), x, y),
  pppxxx: (s, f) => (a: V, b: V, c: V, x: number, y: number, z: number) => f(s.p(a), s.p(b), s.p(c), x, y, z),
  ppppxx: (s, f) => (a: V, b: V, c: V, d: V, x: number, y: number) => f(s.p(a), s.p(b), s.p(c), s.p(d), x, y),
  ppppxxxx: (s, f) => (a: V, b: V, c: V, d: V, x: number, y: number, z: number, w: number) =>
    f(s.p(a), s.p(b), s.p(c), s.p(d), x, y, z, w),
  ppppppxxx: (s, f) => (a: V, b: V, c: V, d: V, e: V, g: V, x: number, y: number, z: number) =>
    f(s.p(a), s.p(b), s.p(c), s.p(d), s.p(e), s.p(g), x, y, z),
  pppppppxx: (s, f) => (a: V, b: V, c: V, d: V, e: V, g: V, h: V, x: number, y: number) =>
    f(s.p(a), s.p(b), s.p(c), s.p(d), s.p(e), s.p(g), s.p(h), x, y),
  pppppppppxxxx:
    (s, f) => (a: V, b: V, c: V, d: V, e: V, g: V, h: V, i: V, j: V, x: number, y: number, z: number, w: number) =>
      f(s.p(a), s.p(b), s.p(c), s.p(d), s.p(e), s.p(g), s.p(h), s.p(i), s.p(j), x, y, z, w),
  pppxxxbbb: (s, f) => (a: V, b: V, c: V, x: number, y: number, z: number, t: boolean, u: boolean, v: boolean) =>
    f(s.p(a), s.p(b), s.p(c), x, y, z, +t, +u, +v),
};

const PATTERN: Record<ArgKind, string> = { f32: 'p', i32: 'p', flag: 'b', n: 'x', size: 'x', scalar: 'x' };

/** A kernel's argument pattern ('ppx' for relu_forward), the key of its forwarder. */
export function pattern(name: KernelName): string {
  return (KERNELS[name].args as readonly ArgKind[]).map((k) => PATTERN[k]).join('');
}

/** descriptorProblem(), asked once. */
let listProblem: [string | undefined] | undefined;

/** Every kernel forwarded to `exports`, with `self.p` for buffers. */
export function bindKernels(self: Offsets, exports: Kernels): KernelTable {
  const problem = (listProblem ??= [descriptorProblem()])[0];
  if (problem !== undefined)
    throw new BackendError(`the kernel list (src/backend/kernels.ts) is inconsistent: ${problem}`);
  const table: Record<string, Bound> = {};
  for (const name of KERNEL_NAMES) {
    const make = FORWARDERS[pattern(name)],
      f = exports[name];
    if (make === undefined)
      throw new BackendError(`${name}: no forwarder for the argument pattern ${pattern(name)} (wasm/bindings.ts)`);
    if (typeof f !== 'function')
      throw new BackendError(`${name}: the wasm module has no such export (an older binary?)`);
    table[name] = make(self, f);
  }
  return table as unknown as KernelTable;
}

/** What a disposed backend's kernels are: each throws, so that the module instance can be let go. */
export function disposedKernels(): KernelTable {
  const gone = (): never => {
    throw new BackendError('this wasm backend was disposed: make a new one (or a new net)');
  };
  return Object.fromEntries(KERNEL_NAMES.map((name) => [name, gone])) as unknown as KernelTable;
}

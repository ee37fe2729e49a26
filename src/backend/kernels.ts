// The list of kernels, once: for each kernel of the table in types.ts (formulas and aliasing rules are there), the
// kinds of its arguments in order and how a threaded backend splits it. The wasm bindings (wasm/bindings.ts) are
// made from this list, and test/backend/bindings.test.ts checks that the wasm exports, this list, the js backend
// and the `KernelTable` interface name the same kernels with the same arities. Adding a kernel: write it in
// assembly/ and src/backend/js/, document it in types.ts, and add a line here (the type check then insists).
//
// Argument kinds (a kernel's arguments are always its buffers first, then its numbers):
//   'f32' / 'i32'  a Float32Array / Int32Array of the backend (wasm: passed as its byte offset)
//   'flag'         a boolean (wasm: passed as 0/1)
//   'n'            the element count an elementwise kernel runs over
//   'size'         any other size (rows, columns, …)
//   'scalar'       a float parameter (learning rate, ratio, eps, …)
// Splits (ThreadedWasmBackend):
//   'gemm'         blocks of rows or columns of C (wasm/pool.ts)
//   'elementwise'  runs of elements: every buffer is indexed by the same element, arguments (buffers…, n, scalars…)
//                  with 2 to 4 buffers and at most 3 scalars
//   'caller'       runs on the calling thread alone (reductions; dropout's random stream)
import type { KernelTable } from './types.js';

export type ArgKind = 'f32' | 'i32' | 'flag' | 'n' | 'size' | 'scalar';
export type Split = 'gemm' | 'elementwise' | 'caller';
export type KernelName = keyof KernelTable;

/** The kinds a parameter list may be described with (a buffer's kind is its type; numbers are n, size or scalar). */
type Kinds<P extends readonly unknown[]> = {
  readonly [I in keyof P]: P[I] extends Float32Array
    ? 'f32'
    : P[I] extends Int32Array
      ? 'i32'
      : P[I] extends boolean
        ? 'flag'
        : 'n' | 'size' | 'scalar';
};
export interface KernelSpec<K extends KernelName = KernelName> {
  readonly args: Kinds<Parameters<KernelTable[K]>>;
  readonly split: Split;
}

/** Every kernel, in the order of types.ts. */
export const KERNELS = {
  // gemm.ts
  gemm: { args: ['f32', 'f32', 'f32', 'size', 'size', 'size', 'flag', 'flag', 'flag'], split: 'gemm' },
  bias_forward: { args: ['f32', 'f32', 'size', 'size'], split: 'caller' },
  bias_backward: { args: ['f32', 'f32', 'size', 'size'], split: 'caller' },
  // activation.ts
  relu_forward: { args: ['f32', 'f32', 'n'], split: 'elementwise' },
  relu_backward: { args: ['f32', 'f32', 'f32', 'n'], split: 'elementwise' },
  sigmoid_forward: { args: ['f32', 'f32', 'n'], split: 'elementwise' },
  sigmoid_backward: { args: ['f32', 'f32', 'f32', 'n'], split: 'elementwise' },
  // softmax_ce.ts
  softmax_ce_forward: { args: ['f32', 'f32', 'i32', 'size', 'size'], split: 'caller' },
  softmax_ce_backward: { args: ['f32', 'f32', 'i32', 'size', 'size'], split: 'caller' },
  softmax_ce_onehot_forward: { args: ['f32', 'f32', 'f32', 'size', 'size'], split: 'caller' },
  softmax_ce_onehot_backward: { args: ['f32', 'f32', 'f32', 'size', 'size'], split: 'caller' },
  argmax_correct: { args: ['f32', 'i32', 'size', 'size'], split: 'caller' },
  // batchnorm.ts
  batchnorm_forward_train: {
    args: ['f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'size', 'size', 'scalar', 'scalar'],
    split: 'caller',
  },
  batchnorm_forward_infer: {
    args: ['f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'size', 'size', 'scalar'],
    split: 'caller',
  },
  batchnorm_backward: { args: ['f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'size', 'size'], split: 'caller' },
  // dropout.ts
  dropout_forward_train: { args: ['f32', 'f32', 'f32', 'i32', 'n', 'scalar'], split: 'caller' },
  dropout_forward_infer: { args: ['f32', 'f32', 'n', 'scalar'], split: 'elementwise' },
  dropout_backward: { args: ['f32', 'f32', 'f32', 'n'], split: 'elementwise' },
  // optim.ts
  sgd_update: { args: ['f32', 'f32', 'n', 'scalar'], split: 'elementwise' },
  momentum_update: { args: ['f32', 'f32', 'f32', 'n', 'scalar', 'scalar'], split: 'elementwise' },
  nesterov_update: { args: ['f32', 'f32', 'f32', 'n', 'scalar', 'scalar'], split: 'elementwise' },
  adagrad_update: { args: ['f32', 'f32', 'f32', 'n', 'scalar'], split: 'elementwise' },
  rmsprop_update: { args: ['f32', 'f32', 'f32', 'n', 'scalar', 'scalar'], split: 'elementwise' },
  adam_update: { args: ['f32', 'f32', 'f32', 'f32', 'n', 'scalar', 'scalar', 'scalar'], split: 'elementwise' },
  weight_decay_backward: { args: ['f32', 'f32', 'n', 'scalar'], split: 'elementwise' },
  sum_squares: { args: ['f32', 'n'], split: 'caller' },
  count_nonfinite: { args: ['f32', 'n'], split: 'caller' },
} as const satisfies { readonly [K in KernelName]: KernelSpec<K> };

export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

/** The kernels a threaded backend splits into runs of elements, and how many buffers each takes. */
export type ElementwiseKernel = {
  [K in KernelName]: (typeof KERNELS)[K]['split'] extends 'elementwise' ? K : never;
}[KernelName];
export const ELEMENTWISE_NAMES = KERNEL_NAMES.filter((k) => KERNELS[k].split === 'elementwise') as ElementwiseKernel[];

/** How many leading arguments of a kernel are buffers. */
export function bufferCount(name: KernelName): number {
  const args: readonly ArgKind[] = KERNELS[name].args;
  let n = 0;
  while (n < args.length && (args[n] === 'f32' || args[n] === 'i32')) n++;
  return n;
}

/**
 * Why the list breaks a rule the bindings rely on (buffers first; an elementwise kernel is (2–4 buffers, n,
 * ≤ 3 scalars)), or undefined. Checked once when the wasm bindings are made, and by the bindings test.
 */
export function descriptorProblem(): string | undefined {
  for (const name of KERNEL_NAMES) {
    const { args, split } = KERNELS[name] as KernelSpec;
    const buffers = bufferCount(name);
    if (args.slice(buffers).some((a) => a === 'f32' || a === 'i32')) return `${name}: a buffer after a number`;
    if (split !== 'elementwise') continue;
    const rest = args.slice(buffers);
    if (buffers < 2 || buffers > 4) return `${name}: an elementwise kernel takes 2 to 4 buffers, not ${buffers}`;
    if (rest[0] !== 'n' || rest.length > 4 || rest.slice(1).some((a) => a !== 'scalar')) {
      return `${name}: an elementwise kernel's numbers are n then at most 3 scalars`;
    }
  }
  return undefined;
}

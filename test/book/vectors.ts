// Reading test/fixtures/book-vectors.json: known answers made by the book's own common/*.py (numpy float64; see
// test/fixtures/README.md). Arrays there are { shape, data } with data flat in row-major order.
import { readFileSync } from 'node:fs';
import { expectClose } from '../helpers.js';

export interface Tensor {
  shape: number[];
  data: number[];
}
export type TensorRecord = Record<string, Tensor>;

/** The parsed fixture (read once per test file). The type is loose on purpose: each test names what it reads. */
export const book: any = JSON.parse(readFileSync(new URL('../fixtures/book-vectors.json', import.meta.url), 'utf8'));

/** A fixture record of tensors as flat number arrays, by name. */
export function flat(record: TensorRecord): Record<string, number[]> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.data]));
}

/** A fixture record of tensors as Float32Arrays (for setParams and kernel inputs). */
export function f32(record: TensorRecord): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Float32Array.from(v.data)]));
}

/** The book's optimizer class names in the fixture, with zerodl's createOptimizer names and option names. */
export const BOOK_OPTIMIZERS = [
  ['SGD', 'sgd'],
  ['Momentum', 'momentum'],
  ['Nesterov', 'nesterov'],
  ['AdaGrad', 'adagrad'],
  ['RMSprop', 'rmsprop'],
  ['Adam', 'adam'],
] as const;

/** The fixture's hyperparameters (lr, momentum, decay_rate, beta1, beta2) as zerodl's optimizer options. */
export function optimizerOptions(hyper: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(hyper)) out[k === 'decay_rate' ? 'decayRate' : k] = v;
  return out;
}

const report = !!process.env.BOOK_REPORT;

/** expectClose, plus (with BOOK_REPORT=1) the measured scaled error. */
export function check(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): void {
  if (report) {
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
    console.log(`${label}: max scaled error ${worst.toExponential(2)} (tol ${tol})`);
  }
  expectClose(actual, expected, tol, label);
}

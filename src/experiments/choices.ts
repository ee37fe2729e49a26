// Checks shared by the experiments that let a caller choose what they run (the site's knobs): a subset of an
// experiment's own contenders by name, and a integer count (iterations, layers, units, training size, epochs). Each throws a
// ValueError naming the experiment, the option and the value it got, before anything is built.
import { ValueError } from '../errors.js';
import type { RandomState } from '../numpy-random.js';

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v)));

/**
 * The names chosen by `value` (a non-empty array of distinct names from `known`, in the caller's order), as the
 * canonical names of `known`; `undefined` gives all of `known`. `key` maps a name to what it is matched on (e.g.
 * lower case), so that 'adam' finds 'Adam'; matching is on own keys only ('__proto__' or 'constructor' find nothing).
 */
export function chooseNames(
  experiment: string,
  option: string,
  value: unknown,
  known: readonly string[],
  key: (name: string) => string = (n) => n,
): string[] {
  if (value === undefined) return [...known];
  const byKey: Record<string, string> = Object.create(null);
  for (const k of known) byKey[key(k)] = k;
  const expected = known.join(', ');
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValueError(`${experiment}: ${option} must be a non-empty list of ${expected}, got ${show(value)}`);
  }
  const out: string[] = [];
  for (const v of value) {
    const name = typeof v === 'string' && Object.hasOwn(byKey, key(v)) ? byKey[key(v)] : undefined;
    if (name === undefined) throw new ValueError(`${experiment}: ${option}: unknown ${show(v)}, expected ${expected}`);
    if (out.includes(name)) throw new ValueError(`${experiment}: ${option}: ${show(v)} is listed twice`);
    out.push(name);
  }
  return out;
}

/** An integer option in [min, max], or `fallback` when it is undefined (the one count check of the experiments). */
export function integerIn(
  experiment: string,
  option: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new ValueError(`${experiment}: ${option} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

/** 'A', 'A and B', 'A, B and C'. */
export function list(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The draws the book's script makes for a net this run does not build: its weights (biases draw nothing). */
export function skipNetDraws(rs: RandomState, sizes: number[]): void {
  let weights = 0;
  for (let l = 1; l < sizes.length; l++) weights += sizes[l - 1] * sizes[l];
  for (let k = 0; k < weights; k++) rs.standardNormal();
}

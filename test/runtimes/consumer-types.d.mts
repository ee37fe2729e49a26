// Types of test/runtimes/consumer-types.mjs, for the test that imports it (test/runtimes/consumer-types.test.ts).
export interface Consumer {
  /** The global types it has: 'DOM and Node types', 'DOM types only', 'Node types only'. */
  name: string;
  lib: string[];
  types: string[];
  resolution: 'nodenext' | 'bundler';
  /** Its one source file. */
  code: string;
}
export const CONSUMERS: readonly Consumer[];
/** Writes each consumer's source and tsconfig into `dir`; the consumers, each with its tsconfig's path. */
export function writeConsumers(dir: string): (Consumer & { config: string })[];
/** tsc (a TypeScript package's bin/tsc) on a tsconfig: '' if it passes, else its output. */
export function tscErrors(tsc: string, config: string): string;

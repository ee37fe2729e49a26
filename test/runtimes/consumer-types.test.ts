// The public .d.ts in strict TypeScript consumers of the built package (dist/): the consumers of
// test/runtimes/consumer-types.mjs (the DOM's and Node's types together, the DOM's alone, Node's alone), on the
// repository's TypeScript (5.9) and @types/node (20). scripts/ci-runtimes.mjs checks the same consumers on the packed
// package with TypeScript 5.9, 6 and 7; this is the quick check of every `npm test`.
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../browser/browser.js';
import { tscErrors, writeConsumers } from './consumer-types.mjs';

const dir = mkdtempSync(join(tmpdir(), 'zerodl-consumer-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The package as an install has it: its package.json and the .d.ts files (copied, so that the repository's own
// node_modules is not on their way up). Node's types are the repository's @types/node.
const pkg = join(dir, 'node_modules', 'zerodl');
mkdirSync(pkg, { recursive: true });
cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), {
  recursive: true,
  filter: (from) => statSync(from).isDirectory() || from.endsWith('.d.ts'),
});
mkdirSync(join(dir, 'node_modules', '@types'));
symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
const consumers = writeConsumers(dir);
const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

describe('the public types in a strict consumer (skipLibCheck false)', () => {
  it.each(consumers)('$name (moduleResolution $resolution)', (c) => {
    expect(tscErrors(tsc, c.config)).toBe('');
  });
});

// Error names survive minification: esbuild renames classes in a minified bundle (BackendError → a letter), so the
// names users see ("BackendError: …") and test (`e.name === 'BackendError'`) must not come from the class's own name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../browser/browser.js';

const dir = mkdtempSync(join(tmpdir(), 'zerodl-minified-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('error names in a minified bundle', () => {
  it('every error class keeps its name, in e.name, String(e) and the stack', async () => {
    const r = await build({
      absWorkingDir: ROOT,
      entryPoints: ['src/index.ts'],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      minify: true,
      write: false,
      logLevel: 'error',
    });
    const file = join(dir, 'zerodl.min.mjs');
    writeFileSync(file, r.outputFiles[0].contents);
    const z = await import(pathToFileURL(file).href);
    // Every exported error class, found by what it is (so that a class added later is checked too).
    const NAMES = Object.keys(z).filter(
      (k) => typeof z[k] === 'function' && (z[k] === z.ZerodlError || z[k].prototype instanceof z.ZerodlError),
    );
    expect(NAMES.length).toBeGreaterThanOrEqual(8);
    const renamed = NAMES.filter((n) => z[n].name !== n);
    expect(renamed.length, 'esbuild renamed the classes (else this test proves nothing)').toBeGreaterThan(0);
    for (const n of NAMES) {
      const e = new z[n]('what went wrong', []);
      expect(e, n).toBeInstanceOf(z.ZerodlError);
      expect(e.name, n).toBe(n);
      expect(String(e), n).toBe(`${n}: what went wrong`);
      expect(e.stack.split('\n')[0], n).toBe(`${n}: what went wrong`);
    }
    // And one thrown by the library itself.
    expect(() => new z.MultiLayerNet({ inputSize: 0, hiddenSizes: [], outputSize: 2, backend: 'js' })).toThrow(
      expect.objectContaining({ name: 'ValueError' }),
    );
  });
});

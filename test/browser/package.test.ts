// Package-level checks that need no browser: what the browser files contain, which file `import 'zerodl'`
// resolves to under which condition, the inline entry, and the demo's drawing → MNIST preprocessing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toMnistInput } from '../../demo/preprocess.js';
import { buildDemo, ROOT } from './browser.js';
import { readSubset } from './data.js';

beforeAll(() => buildDemo());

describe('built browser files', () => {
  // Everything a browser may load: the neutral entries and the demo's bundles.
  const files = ['dist/index.js', 'dist/inline.js', 'dist-demo/main.js', 'dist-demo/worker.js'];
  it.each(files)('%s names no Node built-in and calls no require(', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const needle of ['node:', 'require(']) {
      const at = text.indexOf(needle);
      expect(at, `${file} contains "${needle}" at ${at}: …${text.slice(Math.max(0, at - 80), at + 80)}…`).toBe(-1);
    }
  });

  it('dist/ holds both binaries beside the bundles, byte-identical to build/', () => {
    for (const f of ['zerodl.wasm', 'zerodl-relaxed.wasm']) {
      expect(readFileSync(join(ROOT, 'dist', f)).equals(readFileSync(join(ROOT, 'build', f))), f).toBe(true);
    }
  });
});

describe('package exports', () => {
  // Node resolves the package's own name from inside it (self-reference), through `exports`.
  const resolveIn = (conditions: string[], specifier: string) =>
    execFileSync(
      process.execPath,
      [
        ...conditions.map((c) => `--conditions=${c}`),
        '--input-type=module',
        '-e',
        `const m = await import('${specifier}'); console.log(import.meta.resolve('${specifier}'), typeof m.loadMnist, typeof m.init)`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    ).trim();

  it("'zerodl' is the Node build in Node (file loading included) and the neutral build under 'browser'", () => {
    expect(resolveIn([], 'zerodl')).toMatch(/\/dist\/node\.js function function$/);
    expect(resolveIn(['browser'], 'zerodl')).toMatch(/\/dist\/index\.js undefined function$/);
    expect(resolveIn([], 'zerodl/node')).toMatch(/\/dist\/node\.js function function$/);
    expect(resolveIn([], 'zerodl/inline')).toMatch(/\/dist\/inline\.js undefined function$/);
  });

  it('zerodl/inline initializes from its embedded bytes, and the neutral build loads from files in Node', () => {
    // A child Node without flags: its default binary is plain SIMD on Node 20, relaxed SIMD from Node 22 (V8 11.4+).
    const auto = Number(process.versions.node.split('.')[0]) >= 22 ? 'relaxed-simd' : 'simd';
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      const inline = await import('zerodl/inline'); await inline.init();
      const neutral = await import('./dist/index.js'); await neutral.init();
      console.log(inline.simdVariant(), neutral.simdVariant(), inline.init !== neutral.init);`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    ).trim();
    expect(out).toBe(`${auto} ${auto} true`);
    // Each binary on demand, from both entries.
    for (const simd of ['simd', ...(auto === 'relaxed-simd' ? ['relaxed-simd'] : [])]) {
      const forced = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `
        const inline = await import('zerodl/inline'); await inline.init({ simd: '${simd}' });
        const neutral = await import('./dist/index.js'); await neutral.init({ simd: '${simd}' });
        console.log(inline.simdVariant(), neutral.simdVariant());`,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      ).trim();
      expect(forced).toBe(`${simd} ${simd}`);
    }
  });
});

describe('demo preprocessing (drawing → 28×28)', () => {
  it('an MNIST digit scaled up 10× comes back as itself, up to a one-pixel shift', () => {
    const { pixels, images } = readSubset('test');
    // Mean |difference| after shifting `a` by (dx, dy): MNIST centred by a sub-pixel mass, we round to whole pixels.
    const shifted = (a: Float32Array, b: Float32Array, dx: number, dy: number) => {
      let d = 0;
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) {
          const sx = x + dx,
            sy = y + dy;
          d += Math.abs((sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? a[sy * 28 + sx] : 0) - b[y * 28 + x]);
        }
      return d / 784;
    };
    let worst = 0;
    for (let k = 0; k < 100; k++) {
      const big = new Float32Array(280 * 280);
      for (let y = 0; y < 280; y++)
        for (let x = 0; x < 280; x++) big[y * 280 + x] = pixels[k * 784 + ((y / 10) | 0) * 28 + ((x / 10) | 0)];
      const back = toMnistInput(big, 280, 280)!;
      const digit = images.subarray(k * 784, (k + 1) * 784);
      let best = Infinity;
      for (const dy of [-1, 0, 1]) for (const dx of [-1, 0, 1]) best = Math.min(best, shifted(back, digit, dx, dy));
      worst = Math.max(worst, best);
    }
    // MNIST's own boxes are 20 px on the long side, so the 10× image scales back exactly; only the peak
    // normalisation (to 1) can differ.
    expect(worst).toBeLessThan(0.005);
  });

  it('returns null for an empty pad and keeps a thin stroke inside the 20-px box, centred', () => {
    expect(toMnistInput(new Float32Array(100), 10, 10)).toBeNull();
    const pad = new Float32Array(280 * 280);
    for (let y = 40; y < 240; y++) for (let x = 130; x < 150; x++) pad[y * 280 + x] = 1; // a vertical bar: a "1"
    const x = toMnistInput(pad, 280, 280)!;
    const rows = new Set<number>(),
      cols = new Set<number>();
    x.forEach((v, i) => {
      if (v > 0) {
        rows.add(Math.floor(i / 28));
        cols.add(i % 28);
      }
    });
    expect(rows.size).toBe(20);
    expect(Math.min(...rows)).toBe(4);
    expect([...cols].every((c) => c >= 12 && c <= 15)).toBe(true);
    expect(Math.max(...x)).toBe(1);
  });
});

// Size budget: what a browser app downloads for zerodl's core — the JS (minified, as a bundler ships it) plus the
// wasm — gzipped (level 9), excluding the demo and the plotting specs. Fails if the total exceeds 100 kB.
// Counted: the larger of the two binaries (a page loads one, chosen by init()); both are listed. Run after the build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUDGET = 100 * 1000;
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;

async function minified(entry, { withoutPlot = false } = {}) {
  const noPlot = {
    name: 'no-plot',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]plot[\\/]specs\.ts$/ }, () => ({ contents: 'export {};', loader: 'ts' }));
    },
  };
  const r = await build({
    absWorkingDir: root, entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
    mainFields: ['module', 'main'], minify: true, write: false, logLevel: 'error', legalComments: 'none',
    loader: { '.wasm': 'binary' }, plugins: withoutPlot ? [noPlot] : [],
  });
  return r.outputFiles[0].contents;
}

const core = await minified('src/index.ts', { withoutPlot: true });
const full = await minified('src/index.ts');
const inline = await minified('src/inline.ts', { withoutPlot: true });
const wasm = Object.fromEntries(['zerodl.wasm', 'zerodl-relaxed.wasm'].map((f) => [f, readFileSync(join(root, 'dist', f))]));
const wasmGz = Object.values(wasm).map(gz);
const total = gz(core) + Math.max(...wasmGz);

const rows = [
  ['core JS (src/index.ts minified, without plot specs)', core.length, gz(core)],
  ['  the same with the Vega-Lite spec builders', full.length, gz(full)],
  ...Object.entries(wasm).map(([f, b]) => [`dist/${f}`, b.length, gz(b)]),
  ['zerodl/inline (all four binaries embedded, without plot specs)', inline.length, gz(inline)],
];
console.log('                                                              raw     gzip -9');
for (const [name, raw, z] of rows) console.log(`${name.padEnd(58)} ${kB(raw).padStart(9)} ${kB(z).padStart(9)}`);
console.log(`\ncore JS + one wasm, gzipped: ${kB(total)} of a ${kB(BUDGET)} budget` +
  ` (with both binaries: ${kB(gz(core) + wasmGz[0] + wasmGz[1])})`);
if (total > BUDGET) {
  console.error(`size: over budget by ${kB(total - BUDGET)}`);
  process.exit(1);
}

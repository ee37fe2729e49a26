// node scripts/probes/firefox-nested-worker/run.mjs N TIMEOUT_MS [ENTRY]  (W=nested-worker.js: no zerodl; PAUSE=ms;
// HOSTED=1: the page starts the kernel threads, hostThreads() + init({ threadHost })) — Firefox ESR, an isolated page,
// N threaded workers.
import { launchEngine } from '../../../test/browser/engines.mjs';
import { serveStatic } from '../../serve.mjs';
const [n = 300, timeout = 20000, entry = '../../../dist/index.js'] = process.argv.slice(2);
const root = new URL('../../..', import.meta.url).pathname;
const server = await serveStatic({ root, isolated: true });
const engine = await launchEngine(process.env.ENGINE ?? 'firefox');
const page = await engine.open(`${server.url}scripts/probes/firefox-nested-worker/probe.html`);
await page.evaluate(
  () =>
    new Promise((ok) => {
      const p = () => (document.title === 'loaded' ? ok() : setTimeout(p, 50));
      p();
    }),
);
if (process.env.PAUSE)
  await page.evaluate((p) => {
    window.__pause = p;
  }, Number(process.env.PAUSE));
if (process.env.HOSTED === '1')
  await page.evaluate(() => {
    window.__hosted = true;
  });
if (process.env.W)
  await page.evaluate((w) => {
    window.__w = w;
  }, process.env.W);
const t0 = Date.now();
const r = await page.evaluate((a) => window.runProbe(a[0], a[1], a[2]), [Number(n), Number(timeout), entry]);
const ms = r.ms.slice().sort((a, b) => a - b);
console.log(
  JSON.stringify({
    engine: engine.name,
    entry,
    hosted: process.env.HOSTED === '1',
    n: r.n,
    done: r.done,
    hangs: r.hangs,
    errors: r.errors.slice(0, 5),
    nErrors: r.errors.length,
    urls: r.urls,
    medianMs: ms[ms.length >> 1],
    p99Ms: ms[Math.floor(ms.length * 0.99)],
    wallS: Math.round((Date.now() - t0) / 1000),
  }),
);
await engine.close();
await server.close();

// Writes screenshots of the chapter pages with Debian's Chromium: each page's experiments run in quick mode,
// then the page is shot at desktop width and again at 390 px (a phone), once its figures are redrawn:
//   docs/site-6-1.png, docs/site-6-1-390.png, … docs/site-6-5.png, docs/site-6-5-390.png
// Run: npm run build:site && node site/screenshots.mjs [6-1 6-3 …]
import { fileURLToPath } from 'node:url';
import { launch } from '../test/browser/chromium.mjs';
import { serveStatic } from '../scripts/serve.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pages = process.argv.length > 2 ? process.argv.slice(2) : ['6-1', '6-2', '6-3', '6-4', '6-5'];
const server = await serveStatic({ root: `${root}/dist-site` });
const browser = await launch({ viewport: { width: 1280, height: 900 } });
const base = server.url.replace(/\/$/, '');

try {
  for (const name of pages) {
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => {
      throw e;
    });
    await page.goto(`${base}/chapter/${name}.html`);
    await page.waitForFunction(() => window.zerodlSite !== undefined);
    const panels = await page.evaluate(() => Object.keys(window.zerodlSite.panels));
    for (const p of panels) {
      await page.waitForFunction((n) => !window.zerodlSite.panels[n].running, p, { timeout: 600_000 });
      await page.click(`#${p} button.run`);
      await page.waitForFunction((n) => window.zerodlSite.panels[n].status !== 'running', p, { timeout: 600_000 });
      console.log(`${name} ${p}: ${await page.textContent(`#${p} .status`)}`);
    }
    await page.waitForTimeout(1000); // the last coalesced redraw
    await page.screenshot({ path: `${root}/docs/site-${name}.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(2000); // vega-embed refits `width: container` figures on resize
    await page.screenshot({ path: `${root}/docs/site-${name}-390.png`, fullPage: true });
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}

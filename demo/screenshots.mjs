// Writes the README's screenshots of the demo (docs/*.png) with Debian's Chromium:
//   docs/demo.png          adam + BatchNorm on 784-100-100-10, trained, a "7" drawn on the pad with the mouse
//   docs/demo-sigmoid.png  the book's activation-histogram setting: 5 sigmoid layers, weights of std 1, plain SGD
//   docs/demo-mobile.png   the first at 390 px wide (a phone), device scale 1
// Run: npm run build:demo && node demo/screenshots.mjs
import { fileURLToPath } from 'node:url';
import { launch } from '../test/browser/chromium.mjs';
import { serveStatic } from '../scripts/serve.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = await serveStatic({ root: `${root}/dist-demo` });
const browser = await launch({ viewport: { width: 1280, height: 980 } });
const done = () => window.zerodlDemo.state.finalTestAccuracy !== undefined;

async function shoot(file, settings, draw, viewport) {
  const page = await browser.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on('pageerror', (e) => {
    throw e;
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.warn(`${file}: console ${m.type()}: ${m.text()}`);
  });
  await page.goto(server.url);
  await page.waitForFunction(() => window.zerodlDemo?.state.ready, null, { timeout: 20_000 });
  await settings(page);
  await page.click('#start');
  await page.waitForFunction(done, null, { timeout: 120_000 });
  if (draw) await draw(page);
  await page.waitForTimeout(1200); // the last chart redraw and histograms
  await page.screenshot({ path: `${root}/docs/${file}`, fullPage: true });
  console.log(
    `docs/${file}: ${await page.textContent('#status')} | prediction ${await page.textContent('#prediction')}`,
  );
  await page.close();
}

async function drawSeven(page) {
  await page.locator('#pad').scrollIntoViewIfNeeded(); // below the fold on a phone
  const box = await page.locator('#pad').boundingBox();
  const path = [
    [70, 60],
    [210, 60],
    [190, 110],
    [160, 170],
    [130, 235],
  ];
  await page.mouse.move(box.x + path[0][0], box.y + path[0][1]);
  await page.mouse.down();
  for (let i = 1; i < path.length; i++) {
    await page.mouse.move(box.x + path[i][0], box.y + path[i][1], { steps: 12 });
  }
  await page.mouse.up();
  await page.waitForTimeout(300);
}

const adamBatchNorm = async (page) => {
  await page.check('input[name=batchnorm]');
  await page.fill('input[name=epochs]', '10');
};
try {
  await shoot('demo.png', adamBatchNorm, drawSeven);
  await shoot('demo-mobile.png', adamBatchNorm, drawSeven, { width: 390, height: 844 });
  await shoot('demo-sigmoid.png', async (page) => {
    await page.fill('input[name=hidden]', '100, 100, 100, 100, 100');
    await page.selectOption('select[name=activation]', 'sigmoid');
    await page.selectOption('select[name=init]', 'std');
    await page.fill('input[name=std]', '1');
    await page.selectOption('select[name=optimizer]', 'sgd');
    await page.fill('input[name=epochs]', '5');
  });
} finally {
  await browser.close();
  await server.close();
}

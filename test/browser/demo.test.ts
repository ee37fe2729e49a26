// The demo in Chromium: it loads without console errors, trains MNIST in its worker past 85 % test accuracy while
// the page stays responsive, and classifies digits drawn on its pad — a stroke drawn with the mouse and real MNIST
// test digits painted 10× larger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildDemo, skipReason, startSession, type Session } from './browser.js';
import { readSubset } from './data.js';

interface DemoWindow {
  zerodlDemo: {
    state: {
      ready: boolean;
      training: boolean;
      finalTestAccuracy?: number;
      lastPrediction?: { digit: number; probs: number[] };
    };
    classify(): void;
    clearPad(): void;
  };
}

describe.skipIf(skipReason)(`the demo in Chromium${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let session: Session;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    buildDemo();
    session = await startSession();
    ({ page, errors } = await session.open('dist-demo/index.html'));
  });
  afterAll(async () => {
    await session?.close();
  });

  const prediction = async (): Promise<number> => {
    await page.waitForFunction(() => document.getElementById('prediction')!.dataset.class !== undefined, null, {
      timeout: 5000,
    });
    return Number(await page.getAttribute('#prediction', 'data-class'));
  };

  it('loads the kernels and the data with no console errors', async () => {
    await page.waitForFunction(() => (window as unknown as DemoWindow).zerodlDemo?.state.ready, null, {
      timeout: 20_000,
    });
    expect(await page.textContent('#status')).toMatch(
      /^ready: wasm kernels \((relaxed-)?simd\), 5,000 training and 1,000 test images/,
    );
    expect(await page.isEnabled('#start')).toBe(true);
    expect(await page.locator('#loss-chart svg').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('trains past 85 % test accuracy in the worker, with the page responsive meanwhile', async () => {
    await page.fill('input[name=hidden]', '100, 50');
    await page.check('input[name=batchnorm]');
    await page.selectOption('select[name=optimizer]', 'adam');
    await page.fill('input[name=lr]', '0.001');
    await page.fill('input[name=epochs]', '6');
    await page.click('#start');
    expect(await page.isEnabled('#stop')).toBe(true);
    // While the worker trains, the page's event loop answers a timer within a frame or two.
    await page.waitForFunction(() => (document.getElementById('iter')!.textContent ?? '').includes('/'), null, {
      timeout: 10_000,
    });
    const lag = await page.evaluate(
      () =>
        new Promise<number>((done) => {
          const t = performance.now();
          setTimeout(() => done(performance.now() - t), 0);
        }),
    );
    expect(lag).toBeLessThan(100);
    await page.waitForFunction(
      () => (window as unknown as DemoWindow).zerodlDemo.state.finalTestAccuracy !== undefined,
      null,
      { timeout: 40_000 },
    );
    const acc = Number(await page.getAttribute('#test-acc', 'data-value'));
    expect(acc).toBeGreaterThan(0.85);
    expect(await page.textContent('#status')).toMatch(/^done: test accuracy \d+\.\d% after .* samples\/s/);
    expect(Number((await page.textContent('#speed'))!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await page.locator('#acc-chart svg').count()).toBe(1);
    expect(await page.locator('#hist-chart svg').count()).toBe(1);
  });

  it('classifies a "1" drawn with the mouse', async () => {
    await page.evaluate(() => (window as unknown as DemoWindow).zerodlDemo.clearPad());
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + 140, box.y + 50);
    await page.mouse.down();
    for (let y = 50; y <= 230; y += 10) await page.mouse.move(box.x + 140 + (y - 50) / 30, box.y + y);
    await page.mouse.up();
    expect(await prediction()).toBe(1);
  });

  it('classifies MNIST test digits painted on the pad at 10×', async () => {
    const test = readSubset('test');
    // The first test image of each class (the net has seen none of them).
    const picks = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((c) => test.labels.indexOf(c));
    const got: number[] = [];
    for (const k of picks) {
      const digit = Array.from(test.pixels.subarray(k * 784, (k + 1) * 784));
      await page.evaluate((px) => {
        const demo = (window as unknown as DemoWindow).zerodlDemo;
        demo.clearPad();
        const ctx = (document.getElementById('pad') as HTMLCanvasElement).getContext('2d')!;
        for (let i = 0; i < 784; i++) {
          ctx.fillStyle = `rgb(${px[i]},${px[i]},${px[i]})`;
          ctx.fillRect((i % 28) * 10, Math.floor(i / 28) * 10, 10, 10);
        }
        demo.classify();
      }, digit);
      got.push(await prediction());
    }
    const right = got.filter((d, c) => d === c).length;
    expect(right, `predicted ${got.join(' ')} for 0–9`).toBeGreaterThanOrEqual(9);
    expect(errors).toEqual([]);
  });
});

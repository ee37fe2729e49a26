// init({ threads }) in Chromium: on a cross-origin-isolated page (COOP/COEP) the kernels run on Web Workers over
// shared memory, with the same bits as one thread, from the page and from a worker; without isolation zerodl
// stays on one thread and says why on the console.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipReason, startSession, type Session } from './browser.js';

interface Run {
  losses: number[];
  threads: number;
  backendThreads: number;
  variant: string;
  w: number[];
  isolated: boolean;
}
type TWindow = { zerodl: { init(o: object): Promise<void> }; trainSteps(z: unknown, threads: number): Promise<Run> };

describe.skipIf(skipReason)(`threads in Chromium${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let isolated: Session, plain: Session;
  beforeAll(async () => {
    [isolated, plain] = await Promise.all([startSession(undefined, true), startSession()]);
  });
  afterAll(async () => {
    await Promise.all([isolated?.close(), plain?.close()]);
  });

  async function open(session: Session) {
    const opened = await session.open('test/browser/fixtures/threads.html');
    await opened.page
      .waitForFunction(() => document.title === 'loaded', null, { timeout: 10_000 })
      .catch((e: Error) => {
        throw new Error(`threads.html did not load: ${opened.errors.join('; ') || e.message}`);
      });
    return opened;
  }

  it('a cross-origin-isolated page trains on 2 threads, bit-identical to 1, from the page and from a worker', async () => {
    const { page, errors, warnings, requests } = await open(isolated);
    const onPage = await page.evaluate(async () => {
      const w = window as unknown as TWindow;
      return [await w.trainSteps(w.zerodl, 1), await w.trainSteps(w.zerodl, 2)];
    });
    const inWorker = await page.evaluate(
      () =>
        new Promise<{ results?: Run[]; error?: string }>((resolve) => {
          const worker = new Worker(new URL('threads-worker.js', location.href), { type: 'module' });
          worker.onmessage = (e) => resolve(e.data);
          worker.onerror = (e) => resolve({ error: e.message });
          worker.postMessage({ threads: [1, 2] });
        }),
    );
    expect(inWorker.error).toBeUndefined();
    for (const [one, two] of [onPage, inWorker.results!]) {
      expect(one.isolated).toBe(true);
      expect([one.threads, one.backendThreads]).toEqual([1, 1]);
      expect([two.threads, two.backendThreads]).toEqual([2, 2]);
      expect(two.variant).toBe('relaxed-simd');
      expect(one.losses.every(Number.isFinite)).toBe(true);
      expect(two.losses).toEqual(one.losses);
      expect(two.w).toEqual(one.w);
    }
    expect(requests.some((u) => u.endsWith('/dist/zerodl-threads-relaxed.wasm'))).toBe(true);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('a page without COOP/COEP stays on one thread and tells the console which headers are missing', async () => {
    const { page, errors, warnings, requests } = await open(plain);
    const run = await page.evaluate(async () => {
      const w = window as unknown as TWindow;
      return w.trainSteps(w.zerodl, 2);
    });
    expect(run.isolated).toBe(false);
    expect([run.threads, run.backendThreads]).toEqual([1, 1]);
    expect(run.losses.every(Number.isFinite)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^zerodl: init\(\{ threads: 2 \}\) runs on one thread: this page is not cross-origin isolated/,
    );
    expect(warnings[0]).toMatch(/Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
    expect(requests.some((u) => u.includes('threads'))).toBe(true); // threads-train.js only
    expect(requests.some((u) => u.endsWith('-threads.wasm') || u.endsWith('-threads-relaxed.wasm'))).toBe(false);
    expect(errors).toEqual([]);
  });
});

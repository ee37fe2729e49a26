// init({ threads }) where threads cannot run: a page that is not cross-origin isolated has no shared memory, so
// zerodl stays on one thread and says why on the console (the browser test checks the same in Chromium).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBackend, init, threadCount } from '../../src/index.js';
import { threadsUnavailable } from '../../src/backend/wasm/spawn.js';

const g = globalThis as { crossOriginIsolated?: boolean };
afterEach(() => {
  delete g.crossOriginIsolated;
  vi.restoreAllMocks();
});

describe('threads: fallback to one thread', () => {
  it('Node can run threads', () => {
    expect(threadsUnavailable()).toBeUndefined();
  });

  it('a page without cross-origin isolation gets one thread and a console note naming the headers', async () => {
    g.crossOriginIsolated = false;
    expect(threadsUnavailable()).toMatch(/not cross-origin isolated/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await init({ threads: 2 });
    expect(threadCount()).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    const note = String(warn.mock.calls[0][0]);
    expect(note).toMatch(/init\(\{ threads: 2 \}\) runs on one thread/);
    expect(note).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(note).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    // and the backends work, on their own memory
    const k = createBackend('wasm') as ReturnType<typeof createBackend> & { threads: number };
    expect(k.threads).toBe(1);
    const a = k.alloc(4),
      b = k.alloc(4),
      c = k.alloc(4);
    a.set([1, 2, 3, 4]);
    b.set([5, 6, 7, 8]);
    k.gemm(c, a, b, 2, 2, 2, false, false, false);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });

  it('once isolation is there, the same call starts the threads', async () => {
    await init({ threads: 2 });
    expect(threadCount()).toBe(2);
    await init({ threads: 1 });
  });
});

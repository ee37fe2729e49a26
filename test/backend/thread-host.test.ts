// init({ threads, threadHost }): kernel threads started by a ThreadHost at the other end of a MessagePort (on a
// page, hostThreads(); issue 12), here with Node's worker_threads ports and threads. The oracle is one thread: the
// same training on threads the host started gives the same bits, with the host on this thread and on another one
// (a worker_thread running dist/, as a page serves a Worker). Then the typed errors — a threadHost that is not a
// port, a host that refuses (closed, or at its maxThreads), a port nobody answers on — each leaving the threads in
// use as they were; and host.close() while training, between kernel calls and in the middle of one. (MessageChannel
// is the global one: in Node it is worker_threads' own.)
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as zerodl from '../../src/index.js';
import {
  BackendError,
  createBackend,
  hostThreads,
  init,
  threadCount,
  ValueError,
  type ThreadHost,
} from '../../src/index.js';
import { setStartDeadlineForTests } from '../../src/backend/init.js';
import { CTL } from '../../src/backend/wasm/pool.js';
import type { ThreadedWasmBackend } from '../../src/backend/wasm/threaded.js';
// @ts-expect-error — a plain .js fixture without type declarations (the browser tests' training, 6 Adam steps)
import { trainSteps } from '../browser/fixtures/threads-train.js';

interface Steps {
  losses: number[];
  threads: number;
  backendThreads: number;
  w: number[];
}
const train = (): Promise<Steps> => trainSteps(zerodl, 1);
// trainSteps(z, threads) calls z.init({ threads }) first; given threads 2 after a hosted init it keeps that pool.
const trainOnPool = (): Promise<Steps> => trainSteps(zerodl, 2);

const DIST = new URL('../../dist/index.js', import.meta.url).href;
const SIMD = process.env.ZERODL_TEST_SIMD ?? 'simd';

/** Waits (bounded) until `ok()`: the host hears of terminated threads through its port, a message later. */
async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok(), what).toBe(true);
}

let hosts: ThreadHost[] = [];
const host = (options?: { maxThreads?: number }): ThreadHost => {
  const h = hostThreads(options);
  hosts.push(h);
  return h;
};

afterEach(async () => {
  setStartDeadlineForTests(undefined);
  vi.restoreAllMocks();
  await init({ threads: 1 });
  for (const h of hosts) h.close();
  hosts = [];
});

describe('threads from a ThreadHost', () => {
  it('train bit-identical to one thread, the host running the pool’s thread until the pool closes', async () => {
    await init({ threads: 1 });
    const one = await train();
    const h = host();
    await init({ threads: 2, threadHost: h.port });
    expect(threadCount()).toBe(2);
    expect(h.threads).toBe(1);
    const net = createBackend('wasm') as ThreadedWasmBackend;
    const before = net.pool!.stats().workerChunks;
    const two = await trainOnPool();
    expect(two.backendThreads).toBe(2);
    expect(net.pool!.stats().workerChunks, 'the host’s thread took chunks').toBeGreaterThan(before);
    expect(two.losses).toEqual(one.losses);
    expect(two.w).toEqual(one.w);
    // the same port again is the same pool; closing the pool ends the host's thread
    await init({ threads: 2, threadHost: h.port });
    expect(net.pool!.active).toBe(true);
    await init({ threads: 1 });
    await until(() => h.threads === 0, 'the host ended its thread once the pool closed');
    expect(h.closed).toBe(false);
  });

  it('serves a worker_thread (as a page serves a Worker): the same bits as one thread on this thread', async () => {
    await init({ threads: 1 });
    const one = await train();
    const h = host();
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.once('message', async ({ port, dist, simd, train }) => {
         try {
           const z = await import(dist);
           if (typeof z.hostThreads !== 'function') throw new Error(dist + ' predates threadHost: npm run build');
           await z.init({ simd });
           await z.init({ threads: 2, threadHost: port });
           const trainSteps = new Function('return ' + train)();
           parentPort.postMessage({ result: await trainSteps(z, 2) });
         } catch (e) {
           parentPort.postMessage({ error: String(e && e.stack || e) });
         }
       });`,
      { eval: true },
    );
    try {
      const r = await new Promise<{ result?: Steps; error?: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ port: h.port, dist: DIST, simd: SIMD, train: trainSteps.toString() }, [h.port]);
      });
      expect(r.error).toBeUndefined();
      expect(h.threads, 'the worker’s kernel thread is this thread’s').toBe(1);
      expect(r.result!.threads).toBe(2);
      expect(r.result!.losses).toEqual(one.losses);
      expect(r.result!.w).toEqual(one.w);
    } finally {
      await worker.terminate();
    }
  });

  it('a threadHost that is not a MessagePort is a ValueError; the threads in use stay', async () => {
    await init({ threads: 2 });
    const { port1, port2 } = new MessageChannel();
    for (const bad of [{}, new MessageChannel(), 'port', { postMessage() {}, addEventListener() {} }]) {
      await expect(init({ threads: 2, threadHost: bad as never }), String(bad)).rejects.toThrow(ValueError);
    }
    await expect(init({ threads: 3, threadHost: {} as never })).rejects.toThrow(
      /threadHost must be a MessagePort \(the port of hostThreads\(\) made on the page, transferred to this Worker\), got Object/,
    );
    expect(threadCount()).toBe(2);
    port1.close();
    port2.close();
  });

  it('a closed host refuses at once: a BackendError saying so, and the threads in use stay', async () => {
    await init({ threads: 2 });
    const before = createBackend('wasm') as ThreadedWasmBackend;
    const h = host();
    h.close();
    expect(h.closed).toBe(true);
    setStartDeadlineForTests(600_000); // a refusal must not wait for the deadline
    const error = await init({ threads: 3, threadHost: h.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(String(error)).toMatch(
      /init\(\{ threads: 3 \}\): the page's ThreadHost refused: the page's ThreadHost was closed \(host\.close\(\)\): make a new one with hostThreads\(\)/,
    );
    expect(threadCount()).toBe(2);
    expect(before.pool!.active).toBe(true);
    expect(h.threads).toBe(0);
  });

  it('a host at its maxThreads refuses the rest, and ends the threads it had started for that pool', async () => {
    const h = host({ maxThreads: 1 });
    setStartDeadlineForTests(600_000);
    const error = await init({ threads: 3, threadHost: h.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(String(error)).toMatch(
      /refused: the page's ThreadHost runs 1 kernel threads already \(hostThreads\(\{ maxThreads: 1 \}\)\)/,
    );
    expect(threadCount()).toBe(1);
    await until(() => h.threads === 0, 'the failed pool’s thread ended');
    expect(() => hostThreads({ maxThreads: 0 })).toThrow(ValueError);
  });

  it('a port nobody answers on: a BackendError at the start deadline naming what to check', async () => {
    await init({ threads: 2 });
    const { port1, port2 } = new MessageChannel();
    setStartDeadlineForTests(300);
    const error = await init({ threads: 3, threadHost: port2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(String(error)).toMatch(
      /init\(\{ threads: 3 \}\): the kernel threads did not start within 0\.3 s: nobody answered on the threadHost port\. On the page, make it with hostThreads\(\) and transfer host\.port/,
    );
    expect(threadCount()).toBe(2);
    port1.close();
    port2.close();
  });

  it('host.close() between kernel calls: training goes on on one thread, the same bits, with a console note', async () => {
    await init({ threads: 1 });
    const one = await train();
    const h = host();
    await init({ threads: 2, threadHost: h.port });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // trainSteps' six steps, with the host closing after the pool's eighth gemm (in the second step)
    const net = createBackend('wasm') as ThreadedWasmBackend;
    const pool = net.pool!;
    let calls = 0;
    const gemm = pool.gemm.bind(pool);
    pool.gemm = (...args: Parameters<typeof gemm>) => {
      gemm(...args);
      if (++calls === 8) h.close(); // the next kernel call finds the pool gone
    };
    const r = await trainOnPool();
    expect(calls).toBeGreaterThanOrEqual(8);
    expect(r.losses).toEqual(one.losses);
    expect(r.w).toEqual(one.w);
    expect(threadCount()).toBe(1);
    expect(h.threads).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(
      /zerodl: the page's ThreadHost ended the kernel threads \(host\.close\(\)\); kernels run on one thread from now on/,
    );
  });

  /** A worker_thread with a ThreadHost of dist/'s (as a page with a Worker); its port, and a way to ask it things. */
  async function hostThread() {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.once('message', async ({ dist }) => {
         const z = await import(dist);
         const host = z.hostThreads();
         parentPort.postMessage({ port: host.port }, [host.port]);
         parentPort.on('message', (m) => {
           if (m.watch) {
             // Closes the host once the pool's caller waits for a chunk a thread holds: every chunk of the job
             // taken, not all done, for 20 ms on end (a chunk finishing normally takes microseconds).
             const ctl = new Int32Array(m.watch), L = m.layout;
             parentPort.postMessage({ watching: true });
             const stuck = () => (Atomics.load(ctl, L.NEXT) & L.INDEX_MASK) >= ctl[L.COUNT] &&
               Atomics.load(ctl, L.DONE) < ctl[L.COUNT] && (Atomics.load(ctl, L.JOB) & 1) === 0;
             for (const end = Date.now() + 60_000; Date.now() < end; ) {
               const job = Atomics.load(ctl, L.JOB), since = Date.now();
               while (stuck() && Atomics.load(ctl, L.JOB) === job && Date.now() - since < 20) {}
               if (stuck() && Atomics.load(ctl, L.JOB) === job) break;
             }
           }
           host.close();
           parentPort.postMessage({ threads: host.threads });
         });
       });`,
      { eval: true },
    );
    const next = <T>() =>
      new Promise<T>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const ready = next<{ port: MessagePort }>();
    worker.postMessage({ dist: DIST });
    return { worker, port: (await ready).port, next };
  }

  it('host.close() from another thread while gemms run: the call under way throws a BackendError naming the host, or the next runs alone', async () => {
    const h = await hostThread();
    try {
      await init({ threads: 2, threadHost: h.port });
      expect(threadCount()).toBe(2);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const k = createBackend('wasm');
      const [M, K, N] = [512, 512, 512];
      const a = k.alloc(M * K).fill(0.5),
        b = k.alloc(K * N).fill(0.25),
        c = k.alloc(M * N);
      const closed = h.next<{ threads: number }>();
      h.worker.postMessage({ close: true });
      // Gemms back to back until the pool has stopped: if the host's threads held chunks of the one under way, it
      // throws; else the next call finds the pool gone and runs alone.
      let error: unknown;
      for (let i = 0; i < 100_000 && threadCount() === 2; i++) {
        try {
          k.gemm(c, a, b, M, N, K, false, false, false);
        } catch (e) {
          error = e;
          break;
        }
      }
      expect((await closed).threads).toBe(0);
      expect(threadCount()).toBe(1);
      if (error !== undefined) {
        expect(error).toBeInstanceOf(BackendError);
        expect(String(error)).toMatch(/gemm: the page's ThreadHost ended the kernel threads \(host\.close\(\)\)/);
      } else {
        expect(String(warn.mock.calls[0]?.[0])).toMatch(/the page's ThreadHost ended the kernel threads/);
      }
      k.gemm(c, a, b, M, N, K, false, false, false); // on one thread, with the right numbers
      expect(c.every((v) => v === 0.5 * 0.25 * K)).toBe(true);
      console.log(`host.close() landed ${error === undefined ? 'between kernel calls' : 'in the middle of a gemm'}`);
    } finally {
      await h.worker.terminate();
    }
  });

  it('host.close() while the caller waits for a chunk a thread holds: a BackendError naming the host at once, not the 2 s stall', async () => {
    const h = await hostThread();
    try {
      await init({ threads: 2, threadHost: h.port });
      const k = createBackend('wasm') as ThreadedWasmBackend;
      const pool = k.pool!;
      // Tall, so a call lasts several ms and the thread, woken at its start, has time to take a chunk before the caller
      // has taken them all (with 256 rows a loaded machine once saw none taken in 20 s of calls).
      const [M, K, N] = [2048, 256, 256];
      const a = k.alloc(M * K).fill(0.5),
        b = k.alloc(K * N).fill(0.25),
        c = k.alloc(M * N);
      const ctl = (pool as unknown as { ctl: Int32Array }).ctl;
      const watching = h.next();
      h.worker.postMessage({ watch: ctl.buffer, layout: CTL });
      await watching;
      const closed = h.next<{ threads: number }>();
      pool.stopThreadMidJobForTests(0); // the thread keeps the next chunk it takes, so the caller waits for it
      let error: unknown;
      // Until the thread has taken a chunk: on a loaded machine it can miss hundreds of jobs in a row (a fresh-clone
      // CI run saw none taken in 500 gemms), so the bound is time, not a count.
      for (const end = Date.now() + 20_000; error === undefined && Date.now() < end; ) {
        try {
          k.gemm(c, a, b, M, N, K, false, false, false);
        } catch (e) {
          error = e;
        }
      }
      expect(error).toBeInstanceOf(BackendError);
      expect(String(error)).toMatch(
        /gemm: the page's ThreadHost ended the kernel threads \(host\.close\(\)\) in the middle of this job: the output of this call is incomplete/,
      );
      expect((await closed).threads).toBe(0);
      expect(threadCount()).toBe(1);
      k.gemm(c, a, b, M, N, K, false, false, false);
      expect(c.every((v) => v === 0.5 * 0.25 * K)).toBe(true);
    } finally {
      await h.worker.terminate();
    }
  });
});

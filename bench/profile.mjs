// Time spent in each kernel of a backend: every kernel of the descriptor list (src/backend/kernels.ts, exported as
// KERNEL_NAMES) replaced on the backend by a wrapper that adds performance.now() around the call (~0.1 µs per
// call) and counts it. Only those names are wrapped: allocation, mark/rollback and other members are not kernels.
// The wasm backend binds its kernels as own properties made from the descriptor (src/backend/wasm/bindings.ts),
// so the list is taken from the descriptor, not from the backend's prototype.
// poolJobCalls tells which of those calls a threaded backend splits across its pool (bench.mjs: the share of a step
// that two threads can share at all, and so the most they can gain).

/**
 * Wraps the kernels `names` of `backend` in place. Returns `{ ms, calls, reset }`: milliseconds and calls per
 * kernel name since the last reset. Throws if a name is not a function of the backend (the list and the backend
 * disagree).
 */
export function profileKernels(backend, names, { perCall = false } = {}) {
  const ms = {},
    calls = {},
    callMs = [];
  for (const name of names) {
    const f = backend[name];
    if (typeof f !== 'function') throw new Error(`profileKernels: the backend has no kernel ${name}`);
    ms[name] = 0;
    calls[name] = 0;
    backend[name] = (...a) => {
      const t0 = performance.now();
      const r = f.apply(backend, a);
      const dt = performance.now() - t0;
      ms[name] += dt;
      calls[name]++;
      if (perCall) callMs.push(dt);
      return r;
    };
  }
  const reset = () => {
    for (const name of names) ms[name] = calls[name] = 0;
    callMs.length = 0;
  };
  return { ms, calls, callMs, reset };
}

/**
 * Which kernel calls of a threaded backend (`init({ threads })`, a backend with a `pool`) run as jobs of its thread
 * pool, by the backend's own rule: wraps `names` in place and returns `{ split, reset }`, `split` listing, per
 * kernel call since the last reset, whether the pool's job count moved during it. The calls a training step makes
 * depend on the net's sizes only, so the list of one step classifies every step's calls on one thread too.
 */
export function poolJobCalls(backend, names) {
  const pool = backend.pool;
  if (!pool) throw new Error('poolJobCalls: the backend has no thread pool (init({ threads: 2 }) first)');
  const split = [];
  for (const name of names) {
    const f = backend[name];
    if (typeof f !== 'function') throw new Error(`poolJobCalls: the backend has no kernel ${name}`);
    backend[name] = (...a) => {
      const before = pool.stats().jobs;
      const r = f.apply(backend, a);
      split.push(pool.stats().jobs !== before);
      return r;
    };
  }
  return {
    split,
    reset: () => {
      split.length = 0;
    },
  };
}

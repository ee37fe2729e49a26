// Time spent in each kernel of a backend: every kernel of the descriptor list (src/backend/kernels.ts, exported as
// KERNEL_NAMES) replaced on the backend by a wrapper that adds performance.now() around the call (~0.1 µs per
// call) and counts it. Only those names are wrapped: allocation, mark/rollback and other members are not kernels.
// The wasm backend binds its kernels as own properties made from the descriptor (src/backend/wasm/bindings.ts),
// so the list is taken from the descriptor, not from the backend's prototype.

/**
 * Wraps the kernels `names` of `backend` in place. Returns `{ ms, calls, reset }`: milliseconds and calls per
 * kernel name since the last reset. Throws if a name is not a function of the backend (the list and the backend
 * disagree).
 */
export function profileKernels(backend, names) {
  const ms = {},
    calls = {};
  for (const name of names) {
    const f = backend[name];
    if (typeof f !== 'function') throw new Error(`profileKernels: the backend has no kernel ${name}`);
    ms[name] = 0;
    calls[name] = 0;
    backend[name] = (...a) => {
      const t0 = performance.now();
      const r = f.apply(backend, a);
      ms[name] += performance.now() - t0;
      calls[name]++;
      return r;
    };
  }
  const reset = () => {
    for (const name of names) ms[name] = calls[name] = 0;
  };
  return { ms, calls, reset };
}

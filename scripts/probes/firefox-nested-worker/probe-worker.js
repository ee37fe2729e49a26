// One probe run: a fresh module worker that wraps self.Worker to post phase markers around zerodl's thread start,
// then init({ threads: 2 }) and six training steps (threads-train.js); with a port in its message (HOSTED=1), the
// page's ThreadHost starts the kernel threads instead (init({ threads: 2, threadHost })).
const post = (phase, extra = {}) => self.postMessage({ phase, t: performance.now(), ...extra });
const Real = self.Worker;
// biome-ignore lint/complexity/useArrowFunction: it is called with `new`, as Worker is
self.Worker = function (...args) {
  post('before-spawn', { url: String(args[0]).slice(0, 60) });
  const w = new Real(...args);
  post('after-spawn');
  return w;
};
self.Worker.prototype = Real.prototype;
self.onmessage = async (e) => {
  try {
    const z = await import(e.data.entry);
    const { trainSteps } = await import('../../../test/browser/fixtures/threads-train.js');
    post('imported');
    // HOSTED=1 (run.mjs): the page made a ThreadHost and sent its port; the worker then starts no Worker itself
    await z.init(e.data.port ? { threads: 2, threadHost: e.data.port } : { threads: 2 });
    post('after-init', { threads: z.threadCount() });
    const r = await trainSteps(z, 2);
    post('after-steps', { threads: r.threads, finite: r.losses.every(Number.isFinite) });
  } catch (error) {
    post('error', { error: String(error?.stack ?? error) });
  }
};

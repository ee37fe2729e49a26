// Minimal: a module worker that only starts a nested classic worker from a file, no zerodl, no shared memory.
self.onmessage = () => {
  self.postMessage({ phase: 'before-spawn' });
  const w = new Worker(new URL('empty.js', import.meta.url));
  self.postMessage({ phase: 'after-spawn' });
  w.onmessage = () => self.postMessage({ phase: 'after-steps', threads: 2, finite: true });
};

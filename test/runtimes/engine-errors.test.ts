// init() where the engine lacks WebAssembly (JIT-less modes, policies): a BackendError that names the cause and the
// js backend, not "ReferenceError: WebAssembly is not defined". In a child Node with globalThis.WebAssembly deleted
// before zerodl loads (the browser engines are tested in test/browser/engines.test.ts).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../browser/browser.js';

describe('an engine without WebAssembly', () => {
  it("init() rejects with a BackendError naming the cause and backend 'js', and the js backend still trains", () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      delete globalThis.WebAssembly;
      const z = await import('./dist/node.js');
      let error;
      try { await z.init(); } catch (e) { error = { name: e.name, message: e.message, isBackendError: e instanceof z.BackendError }; }
      const net = new z.MultiLayerNet({ inputSize: 8, hiddenSizes: [6], outputSize: 3, seed: 1, backend: 'js' });
      console.log(JSON.stringify({ error, loss: net.loss(new Float32Array(16).fill(0.5), [0, 1]) }));`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const { error, loss } = JSON.parse(out.trim().split('\n').pop()!);
    expect(error.name).toBe('BackendError');
    expect(error.isBackendError).toBe(true);
    expect(error.message).toMatch(/^this engine has no WebAssembly \(globalThis\.WebAssembly is undefined/);
    expect(error.message).toMatch(/backend: 'js'/);
    expect(Number.isFinite(loss)).toBe(true);
  });
});

// The kernel list (src/backend/kernels.ts) against everything that implements it: the four wasm binaries' exports
// (names and parameter counts), the js backend (names and parameter counts), the `KernelTable` interface (checked by
// the type checker: kernels.ts `satisfies` a record over its keys, and the `expectTypeOf` below), and the threaded
// backend, where every kernel listed as elementwise or gemm must really run as a job of the pool (a name missing
// there used to turn threading off silently) and every other one on the caller alone.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createBackend, init, type Backend } from '../../src/index.js';
import {
  bufferCount,
  descriptorProblem,
  ELEMENTWISE_NAMES,
  KERNEL_NAMES,
  KERNELS,
  type KernelName,
} from '../../src/backend/kernels.js';
import type { KernelTable } from '../../src/backend/types.js';
import { pattern } from '../../src/backend/wasm/bindings.js';
import { ELEMENTWISE_SPLIT_MIN, GEMM_SPLIT_MIN } from '../../src/backend/wasm/pool.js';
import type { ThreadedWasmBackend } from '../../src/backend/wasm/threaded.js';

/** Exports of the wasm module that are not kernels of the table (memory, set-up, the threads' gemm part). */
const NOT_KERNELS = ['memory', 'heap_base', 'gemm_set_variant', 'gemm_variant', 'gemm_scratch_bytes', 'gemm_part'];
const MANAGEMENT = [
  'name',
  'generation',
  'threads',
  'disposed',
  'alloc',
  'allocInt32',
  'refresh',
  'reserve',
  'memoryBytes',
  'mark',
  'rollback',
  'dispose',
];
const sorted = (a: Iterable<string>) => [...a].sort();

describe('the kernel list', () => {
  it('keeps the rules the bindings rely on (buffers first; elementwise: 2–4 buffers, n, ≤ 3 scalars)', () => {
    expect(descriptorProblem()).toBeUndefined();
  });

  it('names exactly the kernels of KernelTable (compile time)', () => {
    expectTypeOf<KernelName>().toEqualTypeOf<keyof KernelTable>();
    expectTypeOf<keyof typeof KERNELS>().toEqualTypeOf<keyof KernelTable>();
  });

  for (const file of ['zerodl', 'zerodl-relaxed', 'zerodl-threads', 'zerodl-threads-relaxed']) {
    it(`matches the exports of build/${file}.wasm: the same names, the same parameter counts`, async ({ skip }) => {
      const bytes = readFileSync(new URL(`../../build/${file}.wasm`, import.meta.url));
      if (file.endsWith('relaxed') && !WebAssembly.validate(bytes)) skip('this engine has no relaxed SIMD');
      const module = await WebAssembly.compile(bytes);
      const names = WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .filter((n) => !NOT_KERNELS.includes(n));
      expect(sorted(names)).toEqual(sorted(KERNEL_NAMES));
      const memory = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: file.includes('threads') });
      const exports = (await WebAssembly.instantiate(module, { env: { memory } })).exports as Record<string, unknown>;
      for (const name of KERNEL_NAMES) {
        expect((exports[name] as () => void).length, name).toBe(KERNELS[name].args.length);
      }
    });
  }

  it('matches the js backend: the same names, the same parameter counts', () => {
    const js = createBackend('js') as unknown as Record<string, unknown>;
    expect(sorted(Object.keys(js).filter((k) => !MANAGEMENT.includes(k)))).toEqual(sorted(KERNEL_NAMES));
    for (const name of KERNEL_NAMES) expect((js[name] as () => void).length, name).toBe(KERNELS[name].args.length);
  });

  it("has a forwarder for every kernel of the wasm backend, taking each kernel's own arguments", () => {
    const wasm = createBackend('wasm') as unknown as Record<string, unknown>;
    for (const name of KERNEL_NAMES) {
      expect(typeof wasm[name], name).toBe('function');
      expect((wasm[name] as () => void).length, `${name} (${pattern(name)})`).toBe(KERNELS[name].args.length);
    }
  });
});

describe('the threaded backend splits what the list says', () => {
  afterAll(() => init({ threads: 1 }));

  /** Arguments for a kernel of its own kinds: buffers of `n` floats (labels 0), the sizes B = 1, D = n. */
  function call(k: Backend, name: KernelName, n: number): void {
    const args = KERNELS[name].args.map((kind) => {
      switch (kind) {
        case 'f32':
          return k.alloc(n);
        case 'i32':
          return k.allocInt32(n);
        case 'flag':
          return false;
        case 'n':
          return n;
        case 'size':
          return name === 'gemm' ? Math.cbrt(n) : 1;
        case 'scalar':
          return 0.5;
      }
    });
    if (
      name.startsWith('batchnorm') ||
      name.startsWith('softmax') ||
      name === 'argmax_correct' ||
      name.startsWith('bias')
    ) {
      args[bufferCount(name) + 1] = n; // B = 1 row of D = n (C = n classes, N = n columns)
    }
    (k[name] as (...a: unknown[]) => unknown)(...args);
  }

  it('every elementwise and gemm kernel is one job of the pool; the others run on the caller', async () => {
    await init({ threads: 2 });
    const k = createBackend('wasm') as ThreadedWasmBackend;
    expect(k.threads).toBe(2);
    const n = Math.max(ELEMENTWISE_SPLIT_MIN, 64 ** 3, GEMM_SPLIT_MIN); // gemm: 64×64×64 = GEMM_SPLIT_MIN
    expect(ELEMENTWISE_NAMES.length).toBeGreaterThan(0);
    for (const name of KERNEL_NAMES) {
      const before = k.pool!.stats().jobs;
      call(k, name, name === 'gemm' ? 64 ** 3 : n);
      const jobs = k.pool!.stats().jobs - before;
      expect(jobs, name).toBe(KERNELS[name].split === 'caller' ? 0 : 1);
    }
  });
});

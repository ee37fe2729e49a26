// The gemm micro-kernel variants (assembly/gemm.ts: 4×8, 6×8, 4×12) forced one by one: every C bit-identical to
// the default 4×8's on the same binary (this file runs in both vitest projects, so on the plain and the relaxed
// build), for all four transpose forms with and without accumulate, at edge and block-spanning shapes and the nets'
// own; through the threaded backend; and for a whole net's training. Plus how a variant is chosen and named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBackend,
  createOptimizer,
  GEMM_VARIANTS,
  gemmVariant,
  gemmVariantState,
  init,
  MultiLayerNet,
  NameError,
  type Backend,
  type GemmVariant,
} from '../../src/index.js';
import type { ThreadedWasmBackend } from '../../src/backend/wasm/threaded.js';
import { Rng } from '../../src/rng.js';
import { expectClose } from '../helpers.js';
import { randomBatch } from '../net/fixtures.js';

const envAtStart = process.env.ZERODL_GEMM;

function fill(a: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed);
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform() * 2 - 1;
  return a;
}

/** A wasm backend made while `variant` is selected (the variant is fixed into each backend's instance). */
async function backendWith(variant: GemmVariant, threads = 1): Promise<Backend> {
  await init({ gemmVariant: variant, threads });
  expect(gemmVariant()).toBe(variant);
  const b = createBackend('wasm');
  b.reserve(3_000_000);
  return b;
}

/** Runs every transpose form, with and without accumulate, on `b`; returns the C bits of each. */
function products(b: Backend, M: number, K: number, N: number): Uint32Array[] {
  b.reserve(M * K + K * N + M * N + 64); // so that no allocation below grows memory (and detaches the others)
  const a = fill(b.alloc(M * K), 11),
    bb = fill(b.alloc(K * N), 12),
    c0 = fill(new Float32Array(M * N), 13);
  const out: Uint32Array[] = [];
  const guard = 4;
  const c = b.alloc(M * N + 2 * guard);
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      for (const acc of [false, true]) {
        c.fill(7);
        c.set(c0, guard);
        b.gemm(c.subarray(guard, guard + M * N), a, bb, M, N, K, tA, tB, acc);
        // nothing outside C written
        expect(Array.from(c.subarray(0, guard))).toEqual([7, 7, 7, 7]);
        expect(Array.from(c.subarray(guard + M * N))).toEqual([7, 7, 7, 7]);
        out.push(new Uint32Array(c.slice(guard, guard + M * N).buffer));
      }
    }
  }
  return out;
}

function expectSameBits(got: Uint32Array[], want: Uint32Array[], label: string): void {
  expect(got.length).toBe(want.length);
  for (let f = 0; f < want.length; f++) {
    let diff = 0,
      first = -1;
    for (let i = 0; i < want[f].length; i++)
      if (got[f][i] !== want[f][i]) {
        diff++;
        if (first < 0) first = i;
      }
    expect(
      diff,
      `${label}, form ${f} (tA tB acc = ${(f >> 2) & 1}${(f >> 1) & 1}${f & 1}): ${diff} elements differ, first at ${first}`,
    ).toBe(0);
  }
}

// (M, K, N): tiny, not multiples of 4/6/8/12 (edge strips of every variant), K over several KC = 256 blocks, M over
// several MC blocks, N over NC, and the nets' shapes (784-1024x2-10 at batch 256, 784-100x4-10 at batch 128, in the
// forward and both backward forms).
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 5],
  [3, 7, 2],
  [5, 1, 9],
  [6, 8, 12],
  [7, 13, 11],
  [11, 257, 13],
  [13, 600, 25],
  [25, 1030, 37],
  [130, 100, 10],
  [131, 33, 1033],
  [257, 5, 100],
  [1, 300, 1],
  [128, 784, 100],
  [128, 100, 10],
  [128, 100, 100],
  [100, 128, 784],
  [256, 784, 1024],
  [256, 1024, 1024],
  [784, 256, 1024],
  [256, 1024, 784],
  [256, 1024, 10],
];

const others = GEMM_VARIANTS.filter((v) => v !== '4x8');

describe('gemm variants: bit-identical to 4×8', () => {
  let ref: Backend;
  const per: Partial<Record<GemmVariant, Backend>> = {};
  beforeAll(async () => {
    await init();
    ref = await backendWith('4x8');
    for (const v of others) per[v] = await backendWith(v);
  });

  for (const [M, K, N] of shapes) {
    it(`${M}×${K}×${N}: ${others.join(', ')} give 4×8's bits`, () => {
      const want = products(ref, M, K, N);
      for (const v of others) expectSameBits(products(per[v]!, M, K, N), want, `${v} ${M}×${K}×${N}`);
    });
  }

  it('each variant agrees with the js reference (so the shared answer is right, not just shared)', () => {
    const js = createBackend('js');
    for (const [M, K, N] of [
      [7, 13, 11],
      [25, 1030, 37],
      [131, 33, 1033],
    ] as const) {
      const a = fill(js.alloc(M * K), 11),
        b = fill(js.alloc(K * N), 12),
        c = js.alloc(M * N);
      js.gemm(c, a, b, M, N, K, false, true, false);
      for (const v of GEMM_VARIANTS) {
        const w = v === '4x8' ? ref : per[v]!;
        const wa = w.alloc(M * K),
          wb = w.alloc(K * N),
          wc = w.alloc(M * N);
        wa.set(a);
        wb.set(b);
        w.gemm(wc, wa, wb, M, N, K, false, true, false);
        expectClose(wc, c, 2e-6 * Math.sqrt(K), `${v} ${M}×${K}×${N}`);
      }
    }
  });

  it('whole-net training (Adam, BatchNorm, Dropout, weight decay) is bit-identical under every variant', async () => {
    const train = async (v: GemmVariant): Promise<{ losses: number[]; params: Uint32Array[] }> => {
      await init({ gemmVariant: v });
      const net = new MultiLayerNet({
        inputSize: 50,
        hiddenSizes: [37, 100, 13],
        outputSize: 10,
        useBatchNorm: true,
        useDropout: true,
        dropoutRatio: 0.2,
        weightDecayLambda: 0.01,
        seed: 3,
        backend: 'wasm',
      });
      const opt = createOptimizer('adam', { lr: 0.01 });
      const losses: number[] = [];
      for (let s = 0; s < 15; s++) {
        const { x, t } = randomBatch(29, 50, 10, 200 + s);
        net.gradient(x, t);
        losses.push(net.lastLoss);
        opt.update(net.params, net.grads);
      }
      return { losses, params: net.paramNames.map((k) => new Uint32Array(Float32Array.from(net.params[k]).buffer)) };
    };
    const want = await train('4x8');
    for (const v of others) {
      const got = await train(v);
      expect(got.losses, v).toEqual(want.losses);
      expectSameBits(got.params, want.params, `${v} params`);
    }
  });
});

describe('gemm variants: the threaded backend', () => {
  afterAll(() => init({ threads: 1, gemmVariant: '4x8' }));

  it("init({ threads: 2, gemmVariant }) puts the variant on the shared memory and gives 4×8's single-thread bits", async () => {
    const ref = await backendWith('4x8', 1);
    const wants = (
      [
        [256, 784, 1024],
        [128, 784, 100],
        [131, 300, 1033],
      ] as const
    ).map(([M, K, N]) => products(ref, M, K, N));
    for (const v of GEMM_VARIANTS) {
      const b = await backendWith(v, 2);
      expect(b.threads).toBe(2);
      const heap = (b as ThreadedWasmBackend).heap;
      expect(heap, 'the shared heap exists').toBeDefined();
      expect((heap.exports.gemm_variant as () => number)()).toBe(GEMM_VARIANTS.indexOf(v));
      (
        [
          [256, 784, 1024],
          [128, 784, 100],
          [131, 300, 1033],
        ] as const
      ).forEach(([M, K, N], i) => expectSameBits(products(b, M, K, N), wants[i], `threads 2, ${v} ${M}×${K}×${N}`));
    }
  });

  it('the variant survives a restart of the threads (their instantiation must not rewrite the cell)', async () => {
    await backendWith('3x12', 2);
    await init({ threads: 1 });
    await init({ threads: 2 }); // new workers instantiate the module on the shared memory again
    expect(((createBackend('wasm') as ThreadedWasmBackend).heap.exports.gemm_variant as () => number)()).toBe(
      GEMM_VARIANTS.indexOf('3x12'),
    );
  });
});

describe('gemm variants: choosing one', () => {
  afterAll(() => {
    if (envAtStart === undefined) delete process.env.ZERODL_GEMM;
    else process.env.ZERODL_GEMM = envAtStart;
  });

  it('init({ gemmVariant }) selects it and gemmVariant() reports it', async () => {
    for (const v of GEMM_VARIANTS) {
      await init({ gemmVariant: v });
      expect(gemmVariant()).toBe(v);
      expect(gemmVariantState().source).toBe('option');
    }
  });

  it('the environment variable ZERODL_GEMM selects one when the option does not', async () => {
    process.env.ZERODL_GEMM = '6x8';
    await init();
    expect(gemmVariant()).toBe('6x8');
    expect(gemmVariantState().source).toBe('env');
    await init({ gemmVariant: '4x12' }); // the option wins over the environment
    expect(gemmVariant()).toBe('4x12');
    delete process.env.ZERODL_GEMM;
  });

  it('an unknown name is a NameError naming it and the choices, and changes nothing', async () => {
    await init({ gemmVariant: '4x8' });
    await expect(init({ gemmVariant: '5x5' as GemmVariant })).rejects.toThrow(NameError);
    await expect(init({ gemmVariant: '5x5' as GemmVariant })).rejects.toThrow(
      /unknown gemm variant '5x5'.*4x8, 6x8, 4x12, 3x12/,
    );
    process.env.ZERODL_GEMM = '8x8';
    await expect(init()).rejects.toThrow(NameError);
    await expect(init()).rejects.toThrow(/ZERODL_GEMM: unknown gemm variant '8x8'/);
    delete process.env.ZERODL_GEMM;
    expect(gemmVariant()).toBe('4x8');
  });

  it('the calibration at the first init() timed the candidates for this host and picked the fastest of them', () => {
    const c = gemmVariantState().calibration;
    // This file's first init() ran without an option or ZERODL_GEMM (unless the runner set it), so it calibrated.
    if (envAtStart === undefined) {
      expect(c).toBeDefined();
      if (!c) return;
      // x86 hosts time the three tiles that fit 16 vector registers; others all five
      const x86 = process.arch === 'x64' || process.arch === 'ia32';
      expect(c.x86).toBe(x86);
      expect([...c.candidates].sort()).toEqual(x86 ? ['3x12', '4x8', '5x8'] : [...GEMM_VARIANTS].sort());
      expect(Object.keys(c.ms).sort()).toEqual([...c.candidates].sort());
      for (const v of c.candidates) {
        expect(c.ms[v]?.length).toBe(c.shapes.length);
        for (const t of c.ms[v] ?? []) expect(t).toBeGreaterThanOrEqual(0);
      }
      const total = (v: GemmVariant): number => (c.ms[v] ?? []).reduce((x, y) => x + y, 0);
      expect(c.candidates).toContain(c.variant);
      expect(Math.min(...c.candidates.map(total))).toBe(total(c.variant));
    }
  });
});

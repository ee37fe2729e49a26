// Which gemm micro-kernel the wasm backends use (assembly/gemm.ts, gemm_set_variant): '4x8' (the default), '6x8',
// '4x12', '3x12' or '5x8'. All give bit-identical results for the same binary (same K blocking, same summation order per element of
// C); they differ only in speed, which depends on the host's vector registers, load ports and FMA latency and on
// how the engine allocates registers. So the choice is free to be made by timing: init() runs a short calibration
// (the candidates for this host — on x86, told by the sign of a NaN, the three tiles that fit its vector registers;
// elsewhere all five — on two small representative products, interleaved rounds until the best times settle,
// candidates well behind the leader dropped after two rounds: 40–70 ms on a busy 2-core Zen 3, most of it waiting
// for the engine's optimized code, see calibrationRounds; at most ~MAX_MS), unless
// `init({ gemmVariant })` or the environment variable ZERODL_GEMM names one. The choice holds for the process and
// applies to every wasm backend made after it, the threaded ones' threads included (their gemm_part reads the
// variant from the shared memory).
import { instantiateSync } from '@assemblyscript/loader';
import { NameError } from '../../errors.js';

/** The micro-kernel tiles (rows × columns of C per register tile), indexed as gemm_set_variant takes them. */
// (4x8 first: the default, and the calibration's answer on a tie.)
export const GEMM_VARIANTS = ['4x8', '6x8', '4x12', '3x12', '5x8'] as const;
export type GemmVariant = (typeof GEMM_VARIANTS)[number];

/** How the variant in use was chosen. */
export type GemmVariantSource = 'default' | 'option' | 'env' | 'calibrated';

/** One calibration: the best time (ms) of each variant timed on each product, and the winner. */
export interface GemmCalibration {
  variant: GemmVariant;
  /** The variants timed: on x86 hosts the three whose tile fits the engine's 16 vector registers, else all. */
  candidates: GemmVariant[];
  /** Whether the host computes like x86 (hostIsX86: the sign of the NaN that ∞ − ∞ gives). */
  x86: boolean;
  /** candidate → best ms of each calibration product (in `shapes` order) */
  ms: Partial<Record<GemmVariant, number[]>>;
  /** the products timed, as [M, N, K] */
  shapes: [number, number, number][];
  /** timed rounds (after one warm-up round); variants dropped as well behind the leader sat out the later ones */
  rounds: number;
  /** wall time the calibration took, ms */
  tookMs: number;
}

let current: GemmVariant = '4x8';
let source: GemmVariantSource = 'default';
let calibration: GemmCalibration | undefined;

/** The variant wasm backends made now use, as the index gemm_set_variant takes. */
export function gemmVariantIndex(): number {
  return GEMM_VARIANTS.indexOf(current);
}

/** The gemm micro-kernel in use ('4x8', '6x8', '4x12', '3x12' or '5x8'), and how it was chosen. */
export function gemmVariantState(): { variant: GemmVariant; source: GemmVariantSource; calibration?: GemmCalibration } {
  return { variant: current, source, calibration };
}

/** Checks a variant name from `init({ gemmVariant })` or ZERODL_GEMM: one of GEMM_VARIANTS, or 'auto'. */
export function parseGemmVariant(name: unknown, where: string): GemmVariant | 'auto' {
  if (name === 'auto' || (GEMM_VARIANTS as readonly unknown[]).includes(name)) return name as GemmVariant | 'auto';
  throw new NameError(
    `${where}: unknown gemm variant '${String(name)}': expected 'auto' or one of ${GEMM_VARIANTS.join(', ')}`,
  );
}

/**
 * ZERODL_GEMM of the process environment (Node, Bun, Deno), undefined elsewhere, when unset or empty, and where
 * reading the environment is not allowed (Deno without --allow-env throws on the read: the variable is then
 * simply not seen, as in a browser).
 */
export function envGemmVariant(): string | undefined {
  let v: string | undefined;
  try {
    v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.ZERODL_GEMM;
  } catch {
    return undefined;
  }
  return v === undefined || v === '' ? undefined : v;
}

/** Sets the variant for backends made from now on. */
export function setGemmVariant(variant: GemmVariant, how: GemmVariantSource): void {
  current = variant;
  source = how;
}

/**
 * The variants worth timing on an x86 host: the tiles whose live vectors fit x64's 16 xmm registers (15 for V8,
 * which keeps one as scratch) without spilling (4×8: 8 accumulators + 2 of B + up to 4 of A; 3×12: 9 + 3 + 3; 5×8
 * with A broadcast by shuffles: 10 + 2 + 3). 6×8 (12 accumulators) and 4×12 (12) spill there and lost on every x86 host
 * measured, by 9–90% (Zen 3, Zen 4, Zen 5, Intel Xeon: docs/notes/gemm-variants.md). ARM64 has 32 vector
 * registers, where they may win: elsewhere every variant is timed.
 */
export const X86_CANDIDATES: readonly GemmVariant[] = ['4x8', '3x12', '5x8'];

/**
 * A tiny wasm function: f32 (x − x) as its bits. With x = ∞ the result is the engine's NaN from the hardware:
 * x86's SSE/AVX give the "default NaN" with the sign bit set (0xFFC00000), ARM gives it clear (0x7FC00000). Wasm
 * leaves a NaN's sign to the hardware and engines do not canonicalize it, so the sign tells the two apart.
 */
const NAN_PROBE = Uint8Array.from(
  [
    '0061736d 01000000', // magic, version 1
    '01 06 01 60 01 7d 01 7f', // types: (f32) → i32
    '03 02 01 00', // functions: one, of type 0
    '07 05 01 01 66 00 00', // exports: "f" = function 0
    '0a 0a 01 08 00 20 00 20 00 93 bc 0b', // code: local.get 0, local.get 0, f32.sub, i32.reinterpret_f32
  ]
    .join('')
    .replace(/ /g, '')
    .match(/../g)!,
  (h) => Number.parseInt(h, 16),
);

let x86: boolean | undefined;

/** Whether this host's floating point is x86's (the sign of ∞ − ∞ computed in wasm); false where it cannot tell. */
export function hostIsX86(): boolean {
  if (x86 === undefined) {
    try {
      const f = new WebAssembly.Instance(new WebAssembly.Module(NAN_PROBE)).exports.f as (x: number) => number;
      x86 = f(Infinity) >>> 31 === 1;
    } catch {
      x86 = false;
    }
  }
  return x86;
}

interface CalibrationKernels {
  memory: WebAssembly.Memory;
  heap_base(): number;
  gemm(c: number, a: number, b: number, M: number, N: number, K: number, tA: number, tB: number, acc: number): void;
  gemm_set_variant?(v: number): number;
}

/**
 * The calibration products: like the 4x100 net's first layer (N 100: narrow, with edge strips; K 392: two depth
 * blocks) and a slice of the wide nets' layers at batch 128 (128×512×392: two depth blocks, as the 784- and 1024-deep
 * products have several; a one-block K hid 3×12's lead over 4×8 on the Zen 5 measured). M is a batch size, a power
 * of two, and N = 512 leaves 12-wide tiles a narrow last strip, as the nets' own N (100, 1024) do: a shape that one
 * tile divides and another does not favours the first by its edge strips (96×480×512 had 3×12 picked over 5×8 on the
 * Intel Xeon, where 5×8 is 1–5% faster at the nets' own shapes). One round of all variants on both takes ~6 ms at
 * ~45 GFLOP/s.
 */
const SHAPES: [number, number, number][] = [
  [64, 100, 392],
  [128, 512, 392],
];
/** At least this many timed rounds, and at most MAX_MS of calibration. */
const MIN_ROUNDS = 2;
const MAX_MS = 250;
/** The rounds end when a whole round improved no variant's best total by more than this fraction. */
const SETTLED = 0.03;
/**
 * From the second timed round on, a variant whose best total is more than this times the leader's is timed no
 * more (on the hosts measured the variants either tie within a few % or trail by 30–100%; a best time is the
 * minimum over rounds, so one slow moment of the machine does not drop a variant).
 */
const DROP = 1.2;
/**
 * A variant this many times slower than the leader is still running the engine's baseline code (its optimized
 * code not compiled yet: tier-up compiles queue up on a busy machine), not showing its own speed: it is neither
 * dropped nor lets the rounds end (until MAX_MS).
 */
const BASELINE = 2.5;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Times each variant on SHAPES in an instance of its own (its memory is dropped after), interleaved round by
 * round so that a busy moment of the machine hits all variants alike, and returns the fastest by the sum of best
 * times. A module without gemm_set_variant (an older binary given to init) calibrates to '4x8'.
 */
export function calibrateGemm(module: WebAssembly.Module): GemmCalibration {
  const t0 = now();
  const onX86 = hostIsX86();
  const candidates = onX86 ? [...X86_CANDIDATES] : [...GEMM_VARIANTS];
  const k = instantiateSync<Record<string, unknown>>(module, {}).instance.exports as unknown as CalibrationKernels;
  const ms: Partial<Record<GemmVariant, number[]>> = Object.fromEntries(
    candidates.map((v) => [v, SHAPES.map(() => Infinity)]),
  );
  if (typeof k.gemm_set_variant !== 'function') {
    return { variant: '4x8', candidates, x86: onX86, ms, shapes: SHAPES, rounds: 0, tookMs: now() - t0 };
  }
  const floats = Math.max(...SHAPES.map(([M, N, K]) => M * K + K * N + M * N));
  const base = (k.heap_base() + 15) & ~15;
  const need = base + 4 * floats + 64;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const f = new Float32Array(k.memory.buffer, base, floats);
  // Values of a trained net's magnitude (no subnormals, no zeros that would hide work): one period of the pattern
  // (1999 values), then copies of what is filled (a loop over all ~316k in JS took ~15 ms before it was optimized).
  const period = Math.min(1999, floats);
  for (let i = 0; i < period; i++) f[i] = ((i * 2654435761) % 1999) / 1000 - 1 + 1e-3;
  for (let n = period; n < floats; n *= 2) f.copyWithin(n, 0, Math.min(n, floats - n));
  const run = (v: number, shape: number): number => {
    const [M, N, K] = SHAPES[shape];
    k.gemm_set_variant!(GEMM_VARIANTS.indexOf(candidates[v]));
    const a = base,
      b = a + 4 * M * K,
      c = b + 4 * K * N;
    const s = now();
    k.gemm(c, a, b, M, N, K, 0, 0, 0);
    return now() - s;
  };
  const rounds = calibrationRounds(run, candidates, ms, now, t0);
  return { variant: fastest(ms), candidates, x86: onX86, ms, shapes: SHAPES, rounds, tookMs: now() - t0 };
}

const sum = (xs: number[]): number => xs.reduce((x, y) => x + y, 0);

/** The variant timed with the least sum of best times (the first in GEMM_VARIANTS' order on a tie: 4x8). */
export function fastest(ms: Partial<Record<GemmVariant, number[]>>): GemmVariant {
  let best: GemmVariant | undefined;
  for (const v of GEMM_VARIANTS) {
    const t = ms[v];
    if (t !== undefined && (best === undefined || sum(t) < sum(ms[best]!))) best = v;
  }
  return best ?? '4x8';
}

/**
 * The calibration's rounds: `run(v, shape)` times `candidates[v]` once on product `shape` (an index of `ms`'s lists)
 * and returns ms; each candidate's best time per product goes into `ms` (which has a list for each); returns the
 * timed rounds. `clock` and `t0` bound the whole to MAX_MS. (Separate from the wasm so that tests can drive it
 * with made-up timings: a variant in baseline code, one well behind, a noisy moment.)
 */
export function calibrationRounds(
  run: (v: number, shape: number) => number,
  candidates: readonly GemmVariant[],
  ms: Partial<Record<GemmVariant, number[]>>,
  clock: () => number,
  t0: number,
): number {
  const best = candidates.map((v) => ms[v]!);
  const total = (v: number): number => sum(best[v]);
  const shapes = best[0].length;
  // The engine first runs each function's baseline code (V8: Liftoff, 5–10x slower on these loops) and swaps in
  // the optimized code once a background compile finishes, which on a busy machine may take a while: so rounds go
  // on until no variant's best time improves any more. The warm-up (not counted) runs only the first, small
  // product: its baseline run is what triggers the tier-up, and a large one in baseline code would cost ~8 ms a
  // variant. Waiting for that tier-up is most of the calibration's time: on a busy 2-core Zen 3 (2026-12-08) the
  // rounds start ~8 ms in and take 30–60 ms, while one round of the three x86 candidates on optimized code takes ~5.
  candidates.forEach((_, v) => run(v, 0));
  let live = candidates.map((_, v) => v);
  let rounds = 0;
  for (let r = 0; ; r++) {
    const before = candidates.map((_, v) => total(v));
    // Rotate the order each round, so no variant always runs first (or right after a given other).
    for (let j = 0; j < live.length; j++) {
      const v = live[(j + r) % live.length];
      const b = best[v];
      for (let i = 0; i < shapes; i++) b[i] = Math.min(b[i], run(v, i));
    }
    rounds++;
    const lead = Math.min(...live.map(total));
    const steady = (v: number): boolean => total(v) >= before[v] * (1 - SETTLED);
    const waiting = (v: number): boolean => total(v) > lead * BASELINE;
    // From the second round: drop the variants well behind that have stopped improving.
    if (r >= 1) live = live.filter((v) => total(v) <= lead * DROP || waiting(v) || !steady(v));
    const settled = live.every((v) => steady(v) && !waiting(v));
    if ((r + 1 >= MIN_ROUNDS && settled) || clock() - t0 > MAX_MS) break;
  }
  return rounds;
}

/** Records a calibration's winner as the variant in use. */
export function applyCalibration(c: GemmCalibration): void {
  calibration = c;
  setGemmVariant(c.variant, 'calibrated');
}

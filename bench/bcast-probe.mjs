// bench/bcast-probe.mjs — does the A splat of gemm's micro-kernel cost an FP pipe slot on this host? (issue 13)
//
// The 4×8 micro-kernel's k step is 2 B loads, 4 A values each splat over four lanes, and 8 madds into 8
// accumulators. In wasm the A value is a `v128.load32_splat`, which V8 turns into `vbroadcastss xmm, m32` on x64.
// Issue 13's hypothesis: if that instruction takes a vector (FP) pipe beside the loads, the plain build (8 vmulps +
// 8 vaddps per step) is pipe-bound on Zen 3 (2 mul/FMA pipes + 2 add pipes), while the FMA build (8 vfmadd) has
// pipes to spare, and A packed pre-broadcast would lift the plain build. Measured on Zen 3 (docs/notes/
// gemm-variants.md): splat and vec run alike in both builds; the plain step pays for the A loads, not the broadcast.
//
// The same 4×8 step on data resident in L1 (a 64-deep strip, re-read), with A taken four ways:
//   reg     A in registers (only the 2 B loads per step): the ceiling of the step on this host
//   splat   A by v128.load32_splat (the kernel as it is)
//   vec     A stored pre-broadcast (each value ×4, one v128 per value), read by plain v128.load
//   lane    A by a scalar f32 load, then f32x4.splat (a register broadcast, a shuffle)
// Plain (mul + add) and relaxed (relaxed_madd) builds, each form timed in turn in one process, rounds interleaved,
// best of the rounds. Compiled in memory with asc's compileString, as bench/peak.mjs does.
//
//   node [--experimental-wasm-relaxed-simd] bench/bcast-probe.mjs [--rounds=N] [--save=DIR]
// --save writes the two binaries to DIR (probe-plain.wasm, probe-relaxed.wasm) and exits, for reading V8's code
// of them (node --print-wasm-code on a driver that calls each form a few hundred times).
import { writeFileSync } from 'node:fs';
import asc from 'assemblyscript/asc';
import { hostName } from './peak.mjs';

const FORMS = ['reg', 'splat', 'vec', 'lane'];
const KC = 64; // depth of the strip: A 1 KiB (4 KiB pre-broadcast) + B 2 KiB, in L1
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 25);
const saveDir = process.argv.find((a) => a.startsWith('--save='))?.slice(7);

function source(relaxed) {
  const madd = relaxed
    ? (a, b, c) => `f32x4.relaxed_madd(${a}, ${b}, ${c})`
    : (a, b, c) => `f32x4.add(${c}, f32x4.mul(${a}, ${b}))`;
  // Per form: how the four A values of the step are read (pa = the step's A address).
  const readA = {
    reg: (i) => `r${i}`,
    splat: (i) => `v128.load32_splat(pa, ${4 * i})`,
    vec: (i) => `v128.load(pa, ${16 * i})`,
    lane: (i) => `f32x4.splat(load<f32>(pa, ${4 * i}))`,
  };
  const strideA = { reg: 16, splat: 16, vec: 64, lane: 16 };
  const fns = FORMS.map(
    (form) => `export function ${form}(reps: i32, a: usize, b: usize): f32 {
  // reg's four A vectors, read once (from the pre-broadcast strip) before the loop
  const r0 = v128.load(a, 0), r1 = v128.load(a, 16), r2 = v128.load(a, 32), r3 = v128.load(a, 48);
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let n = 0; n < reps; n++) {
    let pa = a, pb = b;
    const end = a + ${KC * strideA[form]};
    while (pa < end) {
      const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
${[0, 1, 2, 3]
  .map(
    (i) =>
      `      ${i ? '' : 'let '}x = ${readA[form](i)};\n      c${i}0 = ${madd('x', 'b0', `c${i}0`)}; c${i}1 = ${madd('x', 'b1', `c${i}1`)};`,
  )
  .join('\n')}
      pa += ${strideA[form]}; pb += 32;
    }
  }
  let s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
  return f32x4.extract_lane(s, 0);
}`,
  );
  fns.push('export function base(): usize { return __heap_base; }');
  return fns.join('\n\n');
}

async function compile(relaxed) {
  const { binary, stderr, error } = await asc.compileString(
    { 'probe.ts': source(relaxed) },
    { optimizeLevel: 3, runtime: 'stub', noAssert: true, enable: relaxed ? ['simd', 'relaxed-simd'] : ['simd'] },
  );
  if (error || !binary)
    throw new Error(`probe did not compile: ${error?.message ?? ''}\n${stderr?.toString?.() ?? ''}`);
  if (saveDir) writeFileSync(`${saveDir}/probe-${relaxed ? 'relaxed' : 'plain'}.wasm`, binary);
  const { exports } = (await WebAssembly.instantiate(binary, { env: { abort() {} } })).instance;
  // A (pre-broadcast size) and B strips after the heap base; small values so the sums stay finite and normal.
  const a = (exports.base() + 63) & ~63,
    b = a + KC * 64;
  if (b + KC * 32 > exports.memory.buffer.byteLength) exports.memory.grow(1);
  const f = new Float32Array(exports.memory.buffer, a, (KC * 64 + KC * 32) / 4);
  for (let i = 0; i < f.length; i++) f[i] = 1e-4 * (1 + (i % 7));
  return { k: exports, a, b };
}

const builds = [];
for (const relaxed of [false, true]) {
  try {
    builds.push({ name: relaxed ? 'relaxed' : 'plain', ...(await compile(relaxed)) });
  } catch (e) {
    console.log(`relaxed SIMD not available: ${String(e.message).split('\n')[0]}`);
  }
}
if (saveDir) process.exit(0);
// Repetitions per call: ~82 MFLOP, 2–3 ms, short enough that many calls run between other processes' time slices.
const reps = 20000;
const flops = reps * KC * 64;
const best = Object.fromEntries(builds.map((x) => [x.name, Object.fromEntries(FORMS.map((f) => [f, Infinity]))]));
for (let r = -2; r < rounds; r++) {
  for (const { name, k, a, b } of builds) {
    // rotate the order each round, so no form always runs first
    for (let j = 0; j < FORMS.length; j++) {
      const form = FORMS[(j + Math.max(r, 0)) % FORMS.length];
      const t0 = performance.now();
      const v = k[form](reps, a, b);
      const dt = performance.now() - t0;
      if (!Number.isFinite(v)) throw new Error(`${form}: non-finite sum`);
      if (r >= 0) best[name][form] = Math.min(best[name][form], dt); // rounds -2, -1: warm-up (TurboFan)
    }
  }
}
console.log(
  `${hostName()}, node ${process.version}: 4×8 step on L1 data, GFLOP/s (best of ${rounds} interleaved rounds)`,
);
for (const { name } of builds) {
  const g = Object.fromEntries(FORMS.map((f) => [f, flops / best[name][f] / 1e6]));
  console.log(
    `  ${name.padEnd(8)} ${FORMS.map((f) => `${f} ${g[f].toFixed(1)} (${((100 * g[f]) / g.reg).toFixed(0)}%)`).join('  ')}`,
  );
}

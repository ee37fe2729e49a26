// bench/tile-probe.mjs — which register tiles can the gemm micro-kernel use on this host? (issue 13)
//
// The k loop of several R×(4C) register tiles on packed data resident in L1 (a 64-deep strip, re-read), in the plain
// (mul + add) and relaxed (relaxed_madd) builds, each timed in turn in one process, rounds interleaved, best kept.
// A is read two ways: 'splat' (s…: one v128.load32_splat per row, as 4×8 and 3×12 do) and 'shuf' (v…: the first four
// rows' values as one v128 load, each lane broadcast by a shuffle; a fifth/sixth row by a splat/64-bit splat, as 5×8
// does). TurboFan issues a step's loads before its madds, so the live v128 are accumulators + loaded values, of 15
// allocatable xmm on x64: a splat tile of 10 accumulators (5×8: 10 + 2 + 5) spills, the shuffle form (10 + 2 + 2 + 1)
// does not. What it found on the Intel Xeon (docs/notes/gemm-variants.md): relaxed s4x8 56.8, s3x12 55.6, s5x8 48.4
// (spills), v5x8 61.6 GFLOP/s — hence the 5×8 variant.
//
//   node [--experimental-wasm-relaxed-simd] bench/tile-probe.mjs [--rounds=N]
// GFLOP/s = 2·R·4C·KC·reps / s. Compiled in memory with asc's compileString, as bench/peak.mjs does.
import asc from 'assemblyscript/asc';
import { hostName } from './peak.mjs';
const KC = 64;
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 15);
const FORMS = {
  s4x8: { R: 4, C: 2, A: 'splat' },
  s3x12: { R: 3, C: 3, A: 'splat' },
  s5x8: { R: 5, C: 2, A: 'splat' },
  v4x8: { R: 4, C: 2, A: 'shuf' },
  v5x8: { R: 5, C: 2, A: 'shuf' },
  v6x8: { R: 6, C: 2, A: 'shuf' },
  s2x20: { R: 2, C: 5, A: 'splat' },
};
function fn(name, { R, C, A }, madd) {
  const acc = [];
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) acc.push(`c${i}_${j}`);
  const lines = [];
  for (let j = 0; j < C; j++) lines.push(`const b${j} = v128.load(pb, ${16 * j});`);
  if (A === 'shuf') {
    lines.push(`const av = v128.load(pa, 0);`);
    if (R > 4) lines.push(R === 5 ? `const aw = v128.load32_splat(pa, 16);` : `const aw = v128.load64_splat(pa, 16);`);
  }
  for (let i = 0; i < R; i++) {
    let x;
    if (A === 'splat') x = `v128.load32_splat(pa, ${4 * i})`;
    else if (i < 4) x = `i32x4.shuffle(av, av, ${i}, ${i}, ${i}, ${i})`;
    else if (R === 5) x = `aw`;
    else x = `i32x4.shuffle(aw, aw, ${2 * (i - 4)}, ${2 * (i - 4)}, ${2 * (i - 4)}, ${2 * (i - 4)})`;
    lines.push(`x = ${x};`);
    for (let j = 0; j < C; j++) lines.push(`c${i}_${j} = ${madd('x', `b${j}`, `c${i}_${j}`)};`);
  }
  return `export function ${name}(reps: i32, a: usize, b: usize): f32 {
  ${acc.map((c) => `let ${c} = f32x4.splat(0);`).join(' ')}
  let x = f32x4.splat(0);
  for (let n = 0; n < reps; n++) {
    let pa = a, pb = b;
    const end = a + ${KC * R * 4};
    while (pa < end) {
      ${lines.join('\n      ')}
      pa += ${R * 4}; pb += ${16 * C};
    }
  }
  let s = f32x4.splat(0);
  ${acc.map((c) => `s = f32x4.add(s, ${c});`).join(' ')}
  return f32x4.extract_lane(s, 0);
}`;
}
function source(relaxed) {
  const madd = relaxed
    ? (a, b, c) => `f32x4.relaxed_madd(${a}, ${b}, ${c})`
    : (a, b, c) => `f32x4.add(${c}, f32x4.mul(${a}, ${b}))`;
  return (
    Object.entries(FORMS)
      .map(([n, f]) => fn(n, f, madd))
      .join('\n\n') + '\nexport function base(): usize { return __heap_base; }'
  );
}
const builds = [];
for (const relaxed of [false, true]) {
  const { binary, stderr, error } = await asc.compileString(
    { 'p.ts': source(relaxed) },
    { optimizeLevel: 3, runtime: 'stub', noAssert: true, enable: relaxed ? ['simd', 'relaxed-simd'] : ['simd'] },
  );
  if (error) {
    console.log('compile error', error.message, stderr?.toString());
    process.exit(1);
  }
  let inst;
  try {
    inst = (await WebAssembly.instantiate(binary, { env: { abort() {} } })).instance;
  } catch (e) {
    console.log(`relaxed SIMD not available: ${String(e.message).split('\n')[0]}`);
    continue;
  }
  const k = inst.exports;
  const a = (k.base() + 63) & ~63,
    b = a + KC * 64;
  if (b + KC * 128 > k.memory.buffer.byteLength) k.memory.grow(1);
  const f = new Float32Array(k.memory.buffer, a, (KC * 64 + KC * 128) / 4);
  for (let i = 0; i < f.length; i++) f[i] = 1e-4 * (1 + (i % 7));
  builds.push({ name: relaxed ? 'relaxed' : 'plain', k, a, b });
}
const names = Object.keys(FORMS);
const best = Object.fromEntries(builds.map((x) => [x.name, Object.fromEntries(names.map((n) => [n, Infinity]))]));
const reps = 12000;
for (let r = -2; r < rounds; r++)
  for (const { name, k, a, b } of builds)
    for (let j = 0; j < names.length; j++) {
      const n = names[(j + Math.max(r, 0)) % names.length];
      const t0 = performance.now();
      const v = k[n](reps, a, b);
      const dt = performance.now() - t0;
      if (!Number.isFinite(v)) throw new Error(n);
      if (r >= 0) best[name][n] = Math.min(best[name][n], dt);
    }
console.log(
  `${hostName()}, node ${process.version}: tile k steps on L1 data, GFLOP/s (best of ${rounds} interleaved rounds)`,
);
for (const { name } of builds) {
  console.log(
    name.padEnd(8),
    names
      .map((n) => {
        const { R, C } = FORMS[n];
        return `${n} ${((2 * R * 4 * C * KC * reps) / best[name][n] / 1e6).toFixed(1)}`;
      })
      .join('  '),
  );
}

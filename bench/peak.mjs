// This host's own SIMD128 peak, measured: what a gemm micro-kernel could reach at best on this CPU and engine.
//
// A register-only loop of K independent accumulator chains (no loads or stores in the loop), each step one
//   a = a · m + c        (plain SIMD: f32x4.mul then f32x4.add)   or
//   a = relaxed_madd(a, m, c)                       (relaxed SIMD: one fused multiply-add where the CPU has FMA)
// on four lanes: 8 flops per chain per iteration. With enough chains the loop is bound by the CPU's vector
// multiply/add throughput rather than by the latency of one chain; K = 8…16 are tried and the best is taken
// (more chains than the engine has registers for spill to memory and slow down again).
//
// The kernels are AssemblyScript generated here as text and compiled in memory with asc's compileString, so the
// bench needs no extra build step and nothing of this ships in the package.
import { cpus } from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';
import asc from 'assemblyscript/asc';

export const CHAINS = [8, 10, 12, 14, 16];

function kernelSource(relaxed) {
  const fns = CHAINS.map((K) => {
    const ids = Array.from({ length: K }, (_, i) => i);
    const step = relaxed
      ? (i) => `    a${i} = f32x4.relaxed_madd(a${i}, m, c);`
      : (i) => `    a${i} = f32x4.add(f32x4.mul(a${i}, m), c);`;
    // a converges to seed (c / (1 − m) = seed): values stay normal and finite however long it runs.
    return `export function chains${K}(iters: i32, seed: f32): f32 {
  const m = f32x4.splat(<f32>0.9999);
  const c = f32x4.splat(seed * <f32>1e-4);
${ids.map((i) => `  let a${i} = f32x4.splat(seed + <f32>${i});`).join('\n')}
  for (let n = 0; n < iters; n++) {
${ids.map(step).join('\n')}
  }
  let s = a0;
${ids.slice(1).map((i) => `  s = f32x4.add(s, a${i});`).join('\n')}
  return f32x4.extract_lane(s, 0);
}`;
  });
  return fns.join('\n\n');
}

async function compile(relaxed) {
  const { binary, stderr, error } = await asc.compileString({ 'peak.ts': kernelSource(relaxed) }, {
    optimizeLevel: 3, runtime: 'stub', noAssert: true,
    enable: relaxed ? ['simd', 'relaxed-simd'] : ['simd'],
  });
  if (error || !binary) throw new Error(`peak kernels did not compile: ${error?.message ?? ''}\n${stderr?.toString?.() ?? ''}`);
  return (await WebAssembly.instantiate(binary, { env: { abort() { throw new Error('abort'); } } })).instance.exports;
}

/**
 * GFLOP/s of the best chain count for the plain (mul+add) or relaxed (madd) loop, each count timed `reps`
 * times for ~`ms` milliseconds, the fastest repetition kept.
 */
export async function measurePeak({ relaxed = false, ms = 25, reps = 5 } = {}) {
  let k;
  try {
    k = await compile(relaxed);
  } catch (e) {
    if (relaxed) return { op: 'relaxed_madd', unavailable: String(e.message ?? e).split('\n')[0] };
    throw e;
  }
  const perChains = {};
  for (const K of CHAINS) {
    const f = k[`chains${K}`];
    let iters = 1000;
    for (;;) { // calibrate: iterations for about `ms`
      const t0 = performance.now();
      f(iters, 1);
      const dt = performance.now() - t0;
      if (dt > ms / 4 || iters > 1e9) { iters = Math.max(1000, Math.round(iters * ms / Math.max(dt, 1e-3))); break; }
      iters *= 4;
    }
    let best = Infinity;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const v = f(iters, 1 + r);
      best = Math.min(best, performance.now() - t0);
      if (!Number.isFinite(v)) throw new Error('peak kernel produced a non-finite value');
    }
    perChains[K] = (K * 8 * iters) / (best / 1000) / 1e9;
  }
  const [bestK, gflops] = Object.entries(perChains).sort((a, b) => b[1] - a[1])[0];
  return { op: relaxed ? 'relaxed_madd' : 'mul+add', gflops, chains: Number(bestK), perChains };
}

/** The CPU model and per-core cache sizes (Linux sysfs; what os.cpus() gives elsewhere). */
export function hostInfo() {
  const model = cpus()[0]?.model?.trim() ?? 'unknown';
  const caches = {};
  try {
    const dir = '/sys/devices/system/cpu/cpu0/cache';
    for (const idx of readdirSync(dir).filter((d) => d.startsWith('index'))) {
      const read = (f) => readFileSync(`${dir}/${idx}/${f}`, 'utf8').trim();
      const type = read('type'), level = read('level');
      if (type === 'Instruction') continue;
      caches[`L${level}${type === 'Data' ? 'd' : ''}`] = read('size');
    }
  } catch { /* not Linux: model only */ }
  return { model, cores: cpus().length, caches };
}

/** A file-name-safe name of the CPU kind, so results from different CPUs go to different files. */
export function hostSlug(info = hostInfo()) {
  return info.model.toLowerCase().replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, '').replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'unknown-cpu';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const info = hostInfo();
  console.log(`${info.model}, ${info.cores} cores, ${Object.entries(info.caches).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const relaxed of [false, true]) {
    const p = await measurePeak({ relaxed });
    if (p.unavailable) { console.log(`${p.op}: not available in this engine (${p.unavailable})`); continue; }
    console.log(`${p.op}: ${p.gflops.toFixed(1)} GFLOP/s with ${p.chains} chains  ` +
      `(${Object.entries(p.perChains).map(([K, g]) => `${K}: ${g.toFixed(1)}`).join(', ')})`);
  }
}

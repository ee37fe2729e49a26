// This host's own SIMD128 peak, measured: what a gemm micro-kernel could reach at best on this CPU and engine.
//
// Register-only loops of K independent chains on four lanes (no loads or stores in the loop), in these forms:
//   fused chains   a = a · m + c  per chain (plain: f32x4.mul then f32x4.add; relaxed: one relaxed_madd, the
//                  accumulator as the multiplicand)
//   split chains   K/2 chains of u = u · m and K/2 chains of w = w + c  (plain only)
// 8 flops per chain-pair step either way. In the fused plain form each chain waits for a multiply AND an add, twice
// a gemm's dependency (there the product does not depend on the accumulator, only the add does), so it needs twice
// the chains to fill the pipes and under-states the peak when the register file runs out first; the split form has
// one operation per chain link, like a gemm's accumulators;
//   feed chains    K/2 chains of u = u · one and K/2 chains of w = w + u  (plain only): each add takes a product, as a
//                  gemm's accumulator does, with one constant register instead of two, two steps per loop turn;
//   acc chains     a = relaxed_madd(x, y, a)  (relaxed only): the accumulator as the addend, the gemm's own form.
// K = 8…16 are tried in each form and the best of all is the peak (more chains than the engine has registers for
// spill to memory and slow down again; x64 has 16 xmm registers and V8 keeps one as scratch, so 13-14 is the edge).
//
// The loops' constants are loaded from memory before the loop (`pinned`). Made in registers, as they were until
// 2026-12-03, V8 recomputed them inside the loop on every turn, and every form read 15–25% low: on Zen 5 the plain
// peak gave 43.3 against the gemm's 47–49, on Zen 3 the relaxed one 39.7–44 against a gemm of 34–46. Pinned, V8's
// loop is the K FMAs (or muls and adds) and 5 instructions of loop control and nothing else (--print-wasm-code:
// vfmadd213ps in place for the fused form, vfmadd231ps in place for acc, no register copy, no spill up to 13
// chains), and on the Zen 3 both relaxed forms read ~51 GFLOP/s, as does the plain split form (Zen 3 issues two
// multiplies and two adds a cycle, as many flops as two FMAs).
//
// The kernels are AssemblyScript generated here as text and compiled in memory with asc's compileString, so the
// bench needs no extra build step and nothing of this ships in the package.
import { cpus } from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';
import asc from 'assemblyscript/asc';

export const CHAINS = [8, 10, 12, 13, 14, 16];

// The loops' constants, each stored to memory and loaded back before the loop. V8 places a pure value where it is
// used: a splat computed before the loop (f32x4.splat(seed · 1e−4)) is recomputed inside it on every turn (movd,
// vmulss, vbroadcastss: up to 8 instructions a turn for two constants, the multiplies on the very pipes the chains
// need; seen with --print-wasm-code on Node 20), which made every form under-state the peak. A load is not pure:
// it stays before the loop, and its value in a register.
function pinned(consts) {
  return consts
    .map(([name, value], i) => `  v128.store(${16 * i}, ${value});\n  const ${name} = v128.load(${16 * i});`)
    .join('\n');
}

// The loops' epilogue: the chains' final values (as AssemblyScript expressions) summed into lane 0 and returned, so
// no chain is dead code to the optimizer.
function sumOf(terms) {
  return [
    `  let s = ${terms[0]};`,
    ...terms.slice(1).map((t) => `  s = f32x4.add(s, ${t});`),
    '  return f32x4.extract_lane(s, 0);',
  ].join('\n');
}

// Exported for a look at the code V8 makes of it (write the binary, run it under --print-wasm-code).
export function kernelSource(relaxed) {
  const fns = CHAINS.map((K) => {
    const ids = Array.from({ length: K }, (_, i) => i);
    const step = relaxed
      ? (i) => `    a${i} = f32x4.relaxed_madd(a${i}, m, c);`
      : (i) => `    a${i} = f32x4.add(f32x4.mul(a${i}, m), c);`;
    // a converges to seed (c / (1 − m) = seed): values stay normal and finite however long it runs.
    return `export function chains${K}(iters: i32, seed: f32, one: f32): f32 {
${pinned([
  ['m', 'f32x4.splat(<f32>0.9999)'],
  ['c', 'f32x4.splat(seed * <f32>1e-4)'],
])}
${ids.map((i) => `  let a${i} = f32x4.splat(seed + <f32>${i});`).join('\n')}
  for (let n = 0; n < iters; n++) {
${ids.map(step).join('\n')}
  }
${sumOf(ids.map((i) => `a${i}`))}
}`;
  });
  if (relaxed) {
    // acc: a = x · y + a, the accumulator as the addend, as in a gemm's micro-kernel (there x and y are a splat of A
    // and a vector of B). V8 computes both forms in place, with no register copy (--print-wasm-code on Node 20:
    // vfmadd231ps a, x, y here, vfmadd213ps a, m, c above); this one is kept because it is the gemm's own operand
    // order, so the peak is measured on the instruction the gemm runs. Two constant registers beside the K chains.
    // x · y ≈ 1e−9: a normal product that rounds away in a + x · y, so a stays at its start.
    for (const K of CHAINS) {
      const ids = Array.from({ length: K }, (_, i) => i);
      fns.push(`export function acc${K}(iters: i32, seed: f32, one: f32): f32 {
${pinned([
  ['x', 'f32x4.splat(seed * <f32>1e-5)'],
  ['y', 'f32x4.splat(one * <f32>1e-4)'],
])}
${ids.map((i) => `  let a${i} = f32x4.splat(seed + <f32>${i});`).join('\n')}
  for (let n = 0; n < iters; n++) {
${ids.map((i) => `    a${i} = f32x4.relaxed_madd(x, y, a${i});`).join('\n')}
  }
${sumOf(ids.map((i) => `a${i}`))}
}`);
    }
  } else {
    for (const K of CHAINS.filter((k) => k % 2 === 0)) {
      const half = Array.from({ length: K / 2 }, (_, i) => i);
      // u shrinks by (1 − 2⁻²³) per step: over the at most 2·10⁸ steps of one call it stays above e^−24 of its start,
      // far from the subnormals; w + c (c ≈ 1e−9) rounds back to w, which costs the add all the same.
      fns.push(`export function split${K}(iters: i32, seed: f32, one: f32): f32 {
${pinned([
  ['m', 'f32x4.splat(<f32>0.99999988)'],
  ['c', 'f32x4.splat(seed * <f32>1e-9)'],
])}
${half.map((i) => `  let u${i} = f32x4.splat(seed + <f32>${i});\n  let w${i} = f32x4.splat(seed - <f32>${i});`).join('\n')}
  for (let n = 0; n < iters; n++) {
${half.map((i) => `    u${i} = f32x4.mul(u${i}, m);\n    w${i} = f32x4.add(w${i}, c);`).join('\n')}
  }
${sumOf(half.map((i) => `f32x4.add(u${i}, w${i})`))}
}`);
      // feed: K/2 chains u = u · one and K/2 chains w = w + u (each add takes a product, as a gemm's accumulator
      // does), two steps per loop iteration. One constant register (\`one\` = 1 comes in as an argument, so
      // nothing folds it) instead of split's two: K = 14 chains fit x64's 16 xmm registers beside it and V8's
      // scratch register. u stays at its start (seed + i), w grows by it: finite and normal for any run.
      const step = half.map((i) => `    u${i} = f32x4.mul(u${i}, m);\n    w${i} = f32x4.add(w${i}, u${i});`).join('\n');
      fns.push(`export function feed${K}(iters: i32, seed: f32, one: f32): f32 {
${pinned([['m', 'f32x4.splat(one)']])}
${half.map((i) => `  let u${i} = f32x4.splat(seed + <f32>${i});\n  let w${i} = f32x4.splat(seed - <f32>${i});`).join('\n')}
  for (let n = 0; n < iters; n += 2) {
${step}
${step}
  }
${sumOf(half.map((i) => `f32x4.add(u${i}, w${i})`))}
}`);
    }
  }
  return fns.join('\n\n');
}

async function compile(relaxed) {
  const { binary, stderr, error } = await asc.compileString(
    { 'peak.ts': kernelSource(relaxed) },
    {
      optimizeLevel: 3,
      initialMemory: 1, // for pinned()
      runtime: 'stub',
      noAssert: true,
      enable: relaxed ? ['simd', 'relaxed-simd'] : ['simd'],
    },
  );
  if (error || !binary)
    throw new Error(`peak kernels did not compile: ${error?.message ?? ''}\n${stderr?.toString?.() ?? ''}`);
  const module = await WebAssembly.compile(binary);
  const exports = (await WebAssembly.instantiate(module, { env: { abort: abortImport } })).exports;
  modules.set(exports, module);
  return exports;
}

function abortImport() {
  throw new Error('abort');
}

/** The compiled module of each instance's exports (pairProbe sends it to a second thread). */
const modules = new WeakMap();

// One instance per binary and process: the short probes beside the figures (peakProbe) then run the loops that
// measurePeak has already run, in V8's optimized tier (wasm code tiers up between calls, never within one).
const instances = new Map();
function kernels(relaxed) {
  if (!instances.has(relaxed)) instances.set(relaxed, compile(relaxed));
  return instances.get(relaxed);
}

/** The loop of a `perChains` key (12: fused chains; 'split12', 'feed12', 'acc12') and its flops per iteration. */
function loopOf(k, key) {
  const [, form = '', K] = /^([a-z]*)(\d+)$/.exec(String(key)) ?? [];
  // K chains × 4 lanes × (mul + add) per step in the fused and acc forms; K/2 mul chains + K/2 add chains × 4 lanes
  // in split and feed (feed's loop runs iters / 2 times, two steps each; iters is even).
  const flopsPerStep = form === 'split' || form === 'feed' ? Number(K) * 4 : Number(K) * 8;
  const name = `${form || 'chains'}${K}`;
  return { f: k[name], name, flopsPerStep };
}

/** The fastest of `reps` calls of f(iters), in GFLOP/s. */
function bestOf(f, iters, flopsPerStep, reps) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const v = f(iters, 1 + r, 1);
    best = Math.min(best, performance.now() - t0);
    if (!Number.isFinite(v)) throw new Error('peak kernel produced a non-finite value');
  }
  return (flopsPerStep * iters) / (best / 1000) / 1e9;
}

/** Loop iterations for about `ms` milliseconds at `gflops` (even, for feed's two steps a turn). */
const itersFor = (ms, gflops, flopsPerStep) =>
  2 * Math.min(5e7, Math.max(250, Math.round((ms * 1e-3 * gflops * 1e9) / flopsPerStep / 2)));

/**
 * GFLOP/s of the best form and chain count for the plain (mul+add) or relaxed (madd) loop, each timed `reps`
 * times for ~`ms` milliseconds, the fastest repetition kept. Forms: plain chains, split, feed; relaxed chains
 * (accumulator as multiplicand) and acc (accumulator as addend, the gemm's form).
 */
export async function measurePeak({ relaxed = false, ms = 25, reps = 5 } = {}) {
  let k;
  try {
    k = await kernels(relaxed);
  } catch (e) {
    if (relaxed) return { op: 'relaxed_madd', unavailable: String(e.message ?? e).split('\n')[0] };
    throw e;
  }
  const perChains = {};
  const forms = relaxed ? ['chains', 'acc'] : ['chains', 'split', 'feed'];
  for (const form of forms)
    for (const K of CHAINS) {
      if ((form === 'split' || form === 'feed') && K % 2) continue;
      const key = form === 'chains' ? K : `${form}${K}`;
      const { f, flopsPerStep } = loopOf(k, key);
      let iters = 1000;
      for (;;) {
        // calibrate: iterations for about `ms`
        const t0 = performance.now();
        f(iters, 1, 1);
        const dt = performance.now() - t0;
        if (dt > ms / 4 || iters > 1e8) {
          iters = itersFor(ms, (flopsPerStep * iters) / Math.max(dt, 1e-3) / 1e6, flopsPerStep);
          break;
        }
        iters *= 4;
      }
      perChains[key] = bestOf(f, iters, flopsPerStep, reps);
    }
  const [bestK, gflops] = Object.entries(perChains).sort((a, b) => b[1] - a[1])[0];
  return { op: relaxed ? 'relaxed_madd' : 'mul+add', gflops, chains: bestK, perChains };
}

/**
 * A short re-measurement of a peak that measurePeak found: its best loop only, `reps` calls of ~`ms` / `reps`
 * milliseconds each, the fastest kept (GFLOP/s). A few ms, so that it can run beside every timed figure: on a
 * shared VM the speed drifts by ±20% over minutes, and a figure divided by a peak timed minutes before it is a
 * share of nothing in particular.
 */
export async function peakProbe(peak, { ms = 4, reps = 3 } = {}) {
  const { f, flopsPerStep } = loopOf(await kernels(peak.op === 'relaxed_madd'), peak.chains);
  const iters = itersFor(ms / reps, peak.gflops, flopsPerStep);
  return () => bestOf(f, iters, flopsPerStep, reps);
}

/**
 * What two cores of this host give at once: the peak's best loop timed alone on this thread, then on this thread
 * and a second one (a worker_thread on an instance of the same module) at the same time. Returns a probe like
 * peakProbe's, which gives `{ alone, together, speedup }` (GFLOP/s of one thread alone, of both together, and their
 * ratio), and `close()` to end the second thread. On a machine of its own a 2-core host gives 2.0x; on a shared VM
 * the second core may be a hyper-thread of the first's physical core, or busy with another tenant's work, at
 * any moment, and then even this loop (no memory traffic, no synchronisation) gains less: the ceiling that kernel
 * threads' speed-up is measured against (bench.mjs's threads table). Node only (worker_threads).
 *
 * Overlap: the second thread is woken, says it has started, and runs the loop until this thread's timed calls are
 * over; it reports the fastest of its calls that started after it said so and ended before this thread finished,
 * so neither side counts a call that ran alone.
 */
export async function pairProbe(peak, { ms = 4, reps = 3 } = {}) {
  const relaxed = peak.op === 'relaxed_madd';
  const k = await kernels(relaxed);
  const { f, name, flopsPerStep } = loopOf(k, peak.chains);
  const iters = itersFor(ms / reps, peak.gflops, flopsPerStep);
  const { Worker } = await import('node:worker_threads');
  // [0] go (bumped per probe), [1] done (bumped when a result is written), [2] stop, [3] started; then the result
  const shared = new SharedArrayBuffer(32);
  const ctl = new Int32Array(shared, 0, 4),
    result = new Float64Array(shared, 16, 1);
  const worker = new Worker(`(${pairThread.toString()})()`, {
    eval: true,
    workerData: { module: modules.get(k), name, iters, flopsPerStep, shared },
  });
  worker.unref();
  const deadline = Date.now() + 30_000;
  while (Atomics.load(ctl, 1) === 0) {
    if (Date.now() > deadline) throw new Error('pairProbe: the second thread did not start within 30 s');
    await new Promise((r) => setTimeout(r, 1));
  }
  const probe = () => {
    const alone = bestOf(f, iters, flopsPerStep, reps);
    const done = Atomics.load(ctl, 1),
      started = Atomics.load(ctl, 3);
    Atomics.store(ctl, 2, 0);
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    while (Atomics.load(ctl, 3) === started) {
      /* until the second thread runs */
    }
    const mine = bestOf(f, iters, flopsPerStep, reps);
    Atomics.store(ctl, 2, 1);
    while (Atomics.load(ctl, 1) === done) Atomics.wait(ctl, 1, done, 1000);
    const together = mine + result[0];
    return { alone, together, speedup: together / alone, mine, other: result[0] };
  };
  probe.close = () => {
    Atomics.store(ctl, 2, 2);
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    void worker.terminate();
  };
  return probe;
}

/** pairProbe's second thread (its text runs as an eval'd worker: self-contained). */
function pairThread() {
  const { workerData } = process.getBuiltinModule('worker_threads');
  const { module, name, iters, flopsPerStep, shared } = workerData;
  const f = new WebAssembly.Instance(module, { env: { abort: () => 0 } }).exports[name];
  const ctl = new Int32Array(shared, 0, 4),
    result = new Float64Array(shared, 16, 1);
  f(iters, 1, 1); // compiled and warm before the first probe
  Atomics.add(ctl, 1, 1);
  let go = Atomics.load(ctl, 0);
  for (;;) {
    while (Atomics.load(ctl, 0) === go) Atomics.wait(ctl, 0, go, 1000);
    go = Atomics.load(ctl, 0);
    if (Atomics.load(ctl, 2) === 2) return;
    Atomics.add(ctl, 3, 1);
    let best = Infinity,
      last = Infinity;
    for (let r = 0; Atomics.load(ctl, 2) === 0; r++) {
      const t0 = performance.now();
      f(iters, 1 + r, 1);
      const dt = performance.now() - t0;
      if (Atomics.load(ctl, 2) === 0) best = Math.min(best, dt);
      else last = dt; // ended after the other thread's timed calls: it ran partly alone
    }
    // (a call that overlapped none of the other's would leave best at Infinity: then the partial one stands in)
    result[0] = (flopsPerStep * iters) / (Math.min(best, last) / 1000) / 1e9;
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
}

/**
 * AMD's microarchitecture from the x86 family and model numbers (/proc/cpuinfo), where they tell it: a VM's model
 * name is often just "AMD EPYC", which Zen 3 and Zen 5 hosts share. Intel's family 6 models are too many to name:
 * the family/model pair alone keeps their results apart.
 */
function microarchitecture(vendor, family, model) {
  if (vendor !== 'AuthenticAMD') return undefined;
  if (family === 23) return model >= 0x30 ? 'Zen 2' : 'Zen / Zen+';
  if (family === 25) return (model >= 0x10 && model < 0x20) || (model >= 0x60 && model < 0xb0) ? 'Zen 4' : 'Zen 3';
  if (family === 26) return 'Zen 5';
  return undefined;
}

/** The CPU model (with x86 family/model and, for AMD, the microarchitecture) and per-core cache sizes (Linux). */
export function hostInfo() {
  const model = cpus()[0]?.model?.trim() ?? 'unknown';
  const caches = {};
  let cpu;
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name) => text.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
    const vendor = field('vendor_id'),
      family = Number(field('cpu family')),
      number = Number(field('model'));
    if (vendor && Number.isInteger(family) && Number.isInteger(number)) {
      cpu = { vendor, family, model: number, microarchitecture: microarchitecture(vendor, family, number) };
    }
  } catch {
    /* not Linux */
  }
  try {
    const dir = '/sys/devices/system/cpu/cpu0/cache';
    for (const idx of readdirSync(dir).filter((d) => d.startsWith('index'))) {
      const read = (f) => readFileSync(`${dir}/${idx}/${f}`, 'utf8').trim();
      const type = read('type'),
        level = read('level');
      if (type === 'Instruction') continue;
      caches[`L${level}${type === 'Data' ? 'd' : ''}`] = read('size');
    }
  } catch {
    /* not Linux: model only */
  }
  return { model, ...(cpu ? { cpu } : {}), cores: cpus().length, caches };
}

/** "AMD EPYC (Zen 5, family 26 model 2)": the model name and what tells hosts of one name apart. */
export function hostName(info = hostInfo()) {
  if (!info.cpu) return info.model;
  const arch = info.cpu.microarchitecture ? `${info.cpu.microarchitecture}, ` : '';
  return `${info.model} (${arch}family ${info.cpu.family} model ${info.cpu.model})`;
}

/**
 * A file-name-safe name of the CPU kind, so results from different CPUs go to different files: the model name plus
 * the x86 family and model ("amd-epyc-f26-m2"), since one model name can cover several microarchitectures.
 */
export function hostSlug(info = hostInfo()) {
  const name =
    info.model
      .toLowerCase()
      .replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'unknown-cpu';
  return info.cpu ? `${name}-f${info.cpu.family}-m${info.cpu.model}` : name;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const info = hostInfo();
  console.log(
    `${hostName(info)}, ${info.cores} cores, ${Object.entries(info.caches)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  for (const relaxed of [false, true]) {
    const p = await measurePeak({ relaxed });
    if (p.unavailable) {
      console.log(`${p.op}: not available in this engine (${p.unavailable})`);
      continue;
    }
    console.log(
      `${p.op}: ${p.gflops.toFixed(1)} GFLOP/s with ${p.chains} chains  ` +
        `(${Object.entries(p.perChains)
          .map(([K, g]) => `${K}: ${g.toFixed(1)}`)
          .join(', ')})`,
    );
  }
}

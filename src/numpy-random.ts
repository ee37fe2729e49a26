// numpy's legacy global random stream (`np.random.seed(s)`, RandomState over MT19937), draw for draw, so that a
// zerodl run can replay the book's own random draws: initial weights `np.random.randn(fan_in, fan_out)` per layer,
// minibatches `np.random.choice(train_size, batch_size)`, dropout masks `np.random.rand(*x.shape)`, the search's
// `np.random.uniform` and `np.random.permutation`. NumPy freezes this legacy stream (NEP 19), so numpy 1.x and 2.x
// give the same numbers; test/rng/numpy-random.test.ts checks it against numpy's own output.
//
// What each draw consumes, as numpy's C code does it (numpy/random/src: mt19937, distributions, legacy):
//   genrand_int32   one MT19937 output (Matsumoto & Nishimura's tempering);
//   random_sample   two outputs a, b: ((a >> 5)·2^26 + (b >> 6)) / 2^53, 53 random bits in [0, 1);
//   gauss           Marsaglia's polar method on pairs 2·random_sample − 1 with 0 < r² < 1; it returns f·x2 and keeps
//                   f·x1 for the next call (f = √(−2 ln r² / r²)); seed() drops the kept value;
//   interval(max)   [0, max]: mask = the smallest 2^k − 1 ≥ max, redraw genrand_int32 & mask until ≤ max (max < 2^32)
//                   — randint/choice (low + interval(high − 1 − low), numpy's "masked" legacy path) and shuffle;
//   shuffle         Fisher–Yates from the end: for i = n−1 … 1, swap a[i] and a[interval(i)].
import { ValueError } from './errors.js';
import { initScale, type MultiLayerNet } from './net/MultiLayerNet.js';

const N = 624;
const M = 397;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/** Anything numbers can be written into by index. */
export type Writable = { [i: number]: number; readonly length: number };

export class RandomState {
  private readonly mt = new Uint32Array(N);
  private mti = N;
  private hasGauss = false;
  private gauss = 0;

  /** `np.random.seed(seed)` / `np.random.RandomState(seed)`: an integer 0 ≤ seed < 2^32. */
  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Re-seeds (init_genrand) and forgets a kept Gaussian, as numpy's legacy seeding. */
  seed(seed: number): void {
    if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
      throw new ValueError(`RandomState seed must be an integer between 0 and 2**32 - 1, got ${String(seed)}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const p = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, p) + i) >>> 0; // 1812433253·p + i mod 2^32
    }
    this.mti = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The next 32-bit output of MT19937 (genrand_int32), as a number in [0, 2^32). */
  randomUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      // Regenerate all 624 words at once (the reference's "generate N words at one time").
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & UPPER) | (mt[(k + 1) % N] & LOWER);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `np.random.random_sample()`: a double in [0, 1) with 53 random bits. */
  randomSample(): number {
    const a = this.randomUint32() >>> 5,
      b = this.randomUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `np.random.standard_normal()` (legacy polar method; values come in pairs, the second one kept). */
  standardNormal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** A uniform integer in [0, max] by masked rejection (numpy's random_interval); 0 ≤ max < 2^32. */
  interval(max: number): number {
    if (!(Number.isInteger(max) && max >= 0 && max <= 0xffffffff)) {
      throw new ValueError(`RandomState.interval: max must be an integer in [0, 2**32 - 1], got ${String(max)}`);
    }
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.randomUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** One element of `np.random.choice(n, size)`: uniform in [0, n) (so RandomState can feed a Minibatch). */
  int(n: number): number {
    return this.interval(n - 1);
  }

  /** `np.random.uniform(low, high)`: low + (high − low)·random_sample(). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.randomSample();
  }

  /** `np.random.randint(low, high)`: an integer in [low, high) (high − low ≤ 2^32). */
  randint(low: number, high: number): number {
    if (!(Number.isSafeInteger(low) && Number.isSafeInteger(high) && high > low && high - low <= 2 ** 32)) {
      throw new ValueError(
        `RandomState.randint: expected integers low < high with high − low ≤ 2**32, got ${low}, ${high}`,
      );
    }
    return low + this.interval(high - 1 - low);
  }

  // ---- array draws: they fill `out` in C order and allocate nothing --------------------------------------------

  /** out ← `np.random.randn(*shape)` (float64 draws, rounded by the array's type). */
  randnInto(out: Writable): void {
    for (let i = 0; i < out.length; i++) out[i] = this.standardNormal();
  }

  /** out ← `np.random.rand(*shape)`. */
  randInto(out: Writable): void {
    for (let i = 0; i < out.length; i++) out[i] = this.randomSample();
  }

  /** out ← `np.random.choice(n, out.length)`: uniform with replacement from [0, n) (a legacy randint). */
  choiceInto(out: Writable, n: number): void {
    if (!(Number.isInteger(n) && n >= 1 && n <= 2 ** 32)) {
      throw new ValueError(`RandomState.choice: the population must be an integer in [1, 2**32], got ${String(n)}`);
    }
    for (let i = 0; i < out.length; i++) out[i] = this.interval(n - 1);
  }

  /** `np.random.shuffle(a)` for a 1-D array, in place. */
  shuffle(a: Writable): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** `np.random.permutation(n)`: 0 … n−1 shuffled. */
  permutation(n: number): Int32Array {
    if (!(Number.isInteger(n) && n >= 0 && n <= 0x7fffffff))
      throw new ValueError(`RandomState.permutation: n must be an integer ≥ 0, got ${String(n)}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }
}

/**
 * The book's initial parameters for `net`, drawn from `rs` as MultiLayerNet(Extend).__init_weight draws them:
 * for l = 1 … L in turn, W_l = scale · randn(n_{l−1}, n_l) (scale from the net's weightInit: a number, √(2/n_{l−1})
 * for He, √(1/n_{l−1}) for Xavier; the float64 product rounded to float32), b_l = 0; γ = 1, β = 0 (no draws).
 * For `net.setParams(...)`; the running statistics are left as they are.
 */
export function drawInitialParams(rs: RandomState, net: MultiLayerNet): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  const sizes = net.sizes;
  for (let l = 1; l < sizes.length; l++) {
    const W = new Float32Array(sizes[l - 1] * sizes[l]);
    const scale = initScale(net.config.weightInit, sizes[l - 1]);
    for (let i = 0; i < W.length; i++) W[i] = scale * rs.standardNormal();
    out[`W${l}`] = W;
    out[`b${l}`] = new Float32Array(sizes[l]);
  }
  for (const name of Object.keys(net.params)) {
    if (name.startsWith('gamma')) out[name] = new Float32Array(net.params[name].length).fill(1);
    else if (name.startsWith('beta')) out[name] = new Float32Array(net.params[name].length);
  }
  return out;
}

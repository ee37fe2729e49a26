// Seeded randomness. One generator (mulberry32, 32-bit state) everywhere, so that a seed fixes the initial
// weights, the batch order and the dropout masks, and the js and wasm backends draw identical dropout masks.

/**
 * Advances the mulberry32 state held in state[0] and returns the next u32.
 * The wasm twin lives in assembly/dropout.ts; both must stay bit-identical.
 */
export function mulberry32Next(state: Int32Array): number {
  const s = (state[0] + 0x6d2b79f5) | 0;
  state[0] = s;
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** Mixes a user seed (any integer) into a well-spread 32-bit state, so seeds 0, 1, 2 give unrelated streams. */
export function seedState(seed: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A small seeded generator for the TS side: uniform, integers and normal draws. */
export class Rng {
  readonly state = new Int32Array(1);
  private spare = NaN; // Box–Muller makes normals in pairs

  constructor(seed = 0) {
    this.state[0] = seedState(seed);
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return mulberry32Next(this.state) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A fresh seed for a child generator (e.g. the dropout stream of a net). */
  fork(): number {
    return mulberry32Next(this.state) | 0;
  }
}

// dropout.ts — the book's Dropout layer over flat f32 arrays of n elements.
//
//   dropout_forward_train  for k = 0..n−1: u_k = uniform [0, 1) from the mulberry32 stream whose u32 state is
//                          rng[0]; mask[k] = u_k > ratio ? 1 : 0;  y = x · mask   (y may alias x)
//   dropout_forward_infer  y  = x · (1 − ratio)                                   (y may alias x)
//   dropout_backward       dx = dy · mask                                         (dx may alias dy)
//
// mulberry32 (the twin of mulberry32Next in src/rng.ts; both must stay bit-identical):
//   state += 0x6D2B79F5;  t = state;
//   t = imul(t ^ (t >>> 15), t | 1);  t ^= t + imul(t ^ (t >>> 7), t | 61);  next = t ^ (t >>> 14)
//   u = f32(next >>> 8) · 2⁻²⁴   (exact: 24 bits)
// The state only ever advances by the constant, so draw k hashes state₀ + (k + 1) · 0x6D2B79F5: four
// consecutive draws are computed at once in i32x4 lanes, in the same order as the scalar stream.
import { off } from './simd';

const GOLDEN: u32 = 0x6d2b79f5;
const TWO_POW_M24: f32 = 5.9604644775390625e-8; // 2⁻²⁴

/** The mulberry32 output for an already advanced state s. */
// @ts-ignore: decorator
@inline function hash(s: u32): u32 {
  let t = (s ^ (s >>> 15)) * (s | 1);
  t ^= t + (t ^ (t >>> 7)) * (t | 61);
  return t ^ (t >>> 14);
}

/** The same on four states at once. */
// @ts-ignore: decorator
@inline function hash4(s: v128): v128 {
  let t = i32x4.mul(v128.xor(s, i32x4.shr_u(s, 15)), v128.or(s, i32x4.splat(1)));
  t = v128.xor(t, i32x4.add(t, i32x4.mul(v128.xor(t, i32x4.shr_u(t, 7)), v128.or(t, i32x4.splat(61)))));
  return v128.xor(t, i32x4.shr_u(t, 14));
}

export function dropout_forward_train(y: usize, mask: usize, x: usize, rng: usize, n: i32, ratio: f32): void {
  let state = load<u32>(rng);
  const vRatio = f32x4.splat(ratio);
  const vScale = f32x4.splat(TWO_POW_M24);
  const vOne = f32x4.splat(1);
  // lanes hold the states of draws k .. k+3: state + (1, 2, 3, 4) · GOLDEN
  let states = i32x4.add(i32x4.splat(state), i32x4(GOLDEN, GOLDEN * 2, GOLDEN * 3, GOLDEN * 4));
  const step = i32x4.splat(GOLDEN * 4);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    // next >>> 8 < 2²⁴ is a non-negative i32, so the (cheaper) signed conversion is exact
    const u = f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(hash4(states), 8)), vScale);
    const m = v128.and(f32x4.gt(u, vRatio), vOne); // 1.0 where kept, 0.0 where dropped
    v128.store(mask + off(i), m);
    v128.store(y + off(i), f32x4.mul(v128.load(x + off(i)), m));
    states = i32x4.add(states, step);
  }
  state += <u32>i * GOLDEN;
  for (; i < n; i++) {
    state += GOLDEN;
    const u = <f32>(hash(state) >>> 8) * TWO_POW_M24;
    const m: f32 = u > ratio ? 1 : 0;
    store<f32>(mask + off(i), m);
    store<f32>(y + off(i), load<f32>(x + off(i)) * m);
  }
  store<u32>(rng, state);
}

export function dropout_forward_infer(y: usize, x: usize, n: i32, ratio: f32): void {
  const keep = <f32>1 - ratio;
  const vKeep = f32x4.splat(keep);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(y + off(i), f32x4.mul(v128.load(x + off(i)), vKeep));
  }
  for (; i < n; i++) store<f32>(y + off(i), load<f32>(x + off(i)) * keep);
}

export function dropout_backward(dx: usize, dy: usize, mask: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(dx + off(i), f32x4.mul(v128.load(dy + off(i)), v128.load(mask + off(i))));
  }
  for (; i < n; i++) store<f32>(dx + off(i), load<f32>(dy + off(i)) * load<f32>(mask + off(i)));
}

// simd.ts — small shared helpers for the f32x4 kernels (everything here is @inline, nothing is exported
// from the module). Pointers are byte addresses; a float at index i lives at ptr + (i << 2).

/** a · b + c, four lanes. Fused (relaxed_madd) when the build enables relaxed SIMD, else mul then add. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(c, f32x4.mul(a, b));
  }
}

/** c − a · b, four lanes (fused when relaxed SIMD is on). */
// @ts-ignore: decorator
@inline export function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_nmadd(a, b, c);
  } else {
    return f32x4.sub(c, f32x4.mul(a, b));
  }
}

/** The smallest positive normal f32, 2⁻¹²⁶. */
export const FLT_MIN: f32 = 1.17549435e-38;

/**
 * x with every lane of magnitude below FLT_MIN (a subnormal, or ±0) set to +0; NaN and ±Inf pass through.
 * Optimizer state (v, h, m) that decays geometrically reaches the subnormal range, which x86 CPUs compute far more
 * slowly, and wasm does not flush subnormals itself; the update kernels flush their state with this.
 */
// @ts-ignore: decorator
@inline export function flushSubnormal(x: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), f32x4.splat(FLT_MIN)));
}

/** The scalar flushSubnormal. */
// @ts-ignore: decorator
@inline export function flushSubnormal1(x: f32): f32 {
  return Mathf.abs(x) < FLT_MIN ? <f32>0 : x;
}

/** Byte offset of float/int32 element i. */
// @ts-ignore: decorator
@inline export function off(i: i32): usize {
  return <usize>i << 2;
}

/**
 * exp(x) for x ≤ 0, four lanes (Cephes expf: x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 polynomial in r,
 * then 2ⁿ built in the exponent bits). Max relative error ~2e-7 on [−87.3, 0]; below −87.33 it returns
 * exp(−87.33) ≈ 1.2e−38 (the smallest normal) instead of a subnormal or 0.
 */
// @ts-ignore: decorator
@inline export function expNonPositive(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-87.33));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341))); // round(x / ln2), in [−126, 0]
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));          // ln2 split in two for an exact r
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const e = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1)); // 1 + r + r²·p(r)
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23); // the bits of 2ⁿ
  return f32x4.mul(e, scale);
}

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

/** Byte offset of float/int32 element i. */
// @ts-ignore: decorator
@inline export function off(i: i32): usize {
  return <usize>i << 2;
}

/** The sum of the four lanes of an f32x4. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// activation.ts — elementwise ReLU and sigmoid layers (the book's common/layers.py Relu, Sigmoid).
//
//   relu_forward     y  = max(0, x)                 y may alias x
//   relu_backward    dx = y > 0 ? dy : 0            dx may alias dy   (y = the forward output)
//   sigmoid_forward  y  = 1 / (1 + exp(−x))         y may alias x
//   sigmoid_backward dx = dy · y · (1 − y)          dx may alias dy   (y = the forward output)
//
// All buffers are flat f32 arrays of n elements (byte pointers). Four lanes per step, scalar tail; the sigmoid's
// exp is a 4-lane polynomial (expNonPositive in simd.ts), the tail's is Mathf.exp.
import { expNonPositive, off } from './simd';

export function relu_forward(y: usize, x: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(y + off(i), f32x4.max(v128.load(x + off(i)), zero));
  }
  for (; i < n; i++) {
    store<f32>(y + off(i), max<f32>(load<f32>(x + off(i)), 0));
  }
}

export function relu_backward(dx: usize, dy: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pass = f32x4.gt(v128.load(y + off(i)), zero); // all-ones lanes where y > 0
    v128.store(dx + off(i), v128.and(v128.load(dy + off(i)), pass));
  }
  for (; i < n; i++) {
    store<f32>(dx + off(i), load<f32>(y + off(i)) > 0 ? load<f32>(dy + off(i)) : 0);
  }
}

export function sigmoid_forward(y: usize, x: usize, n: i32): void {
  // With e = exp(−|x|) ∈ (0, 1] (never overflows): sigmoid = 1 / (1 + e) for x ≥ 0, e / (1 + e) for x < 0.
  // Max relative error ~2e-7 (measured over [−90, 90]); below x = −87.3 it gives ~1.2e−38 instead of less.
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(x + off(i));
    const e = expNonPositive(f32x4.neg(f32x4.abs(xv)));
    const numerator = v128.bitselect(one, e, f32x4.ge(xv, zero));
    v128.store(y + off(i), f32x4.div(numerator, f32x4.add(one, e)));
  }
  for (; i < n; i++) {
    store<f32>(y + off(i), <f32>1 / (<f32>1 + Mathf.exp(-load<f32>(x + off(i)))));
  }
}

export function sigmoid_backward(dx: usize, dy: usize, y: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const yv = v128.load(y + off(i));
    const g = f32x4.mul(yv, f32x4.sub(one, yv));
    v128.store(dx + off(i), f32x4.mul(v128.load(dy + off(i)), g));
  }
  for (; i < n; i++) {
    const yi = load<f32>(y + off(i));
    store<f32>(dx + off(i), load<f32>(dy + off(i)) * (yi * (<f32>1 - yi)));
  }
}

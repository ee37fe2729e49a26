// softmax_ce.ts — the book's SoftmaxWithLoss layer, over scores x[B×C] (B rows, C classes, row-major).
//
//   softmax_ce_forward         y[i,:] = softmax(x[i,:]) (row max subtracted first),
//                              returns loss = −(1/B) Σ_i log(y[i, t[i]] + 1e-7)      t: int32 labels [B]
//   softmax_ce_backward        dx = (y − onehot(t)) / B                              dx may alias y
//   softmax_ce_onehot_forward  as above with t a one-hot f32 matrix [B×C]:
//                              loss = −(1/B) Σ_{i,c} t · log(y + 1e-7)
//   softmax_ce_onehot_backward dx = (y − t) / B                                      dx may alias y
//   argmax_correct             the number of rows whose first maximum is at column t[i]
//
// C is small (10 for MNIST), so the softmax itself is scalar (Mathf.exp); the loss is summed in f64.
// The backward passes are flat elementwise over B·C floats, four lanes per step.
import { off } from './simd';

/** Writes the softmax of row x[0..C) into y[0..C) (y may alias x). */
// @ts-ignore: decorator
@inline function softmaxRow(y: usize, x: usize, C: i32): void {
  let m = load<f32>(x);
  for (let c = 1; c < C; c++) m = max<f32>(m, load<f32>(x + off(c)));
  let sum: f32 = 0;
  for (let c = 0; c < C; c++) {
    const e = Mathf.exp(load<f32>(x + off(c)) - m);
    store<f32>(y + off(c), e);
    sum += e;
  }
  const inv = <f32>1 / sum;
  for (let c = 0; c < C; c++) store<f32>(y + off(c), load<f32>(y + off(c)) * inv);
}

export function softmax_ce_forward(y: usize, x: usize, t: usize, B: i32, C: i32): f32 {
  let loss: f64 = 0;
  for (let i = 0; i < B; i++) {
    const row = off(i * C);
    softmaxRow(y + row, x + row, C);
    const label = load<i32>(t + off(i));
    loss -= Math.log(<f64>load<f32>(y + row + off(label)) + 1e-7);
  }
  return <f32>(loss / <f64>B);
}

export function softmax_ce_backward(dx: usize, y: usize, t: usize, B: i32, C: i32): void {
  const invB = <f32>1 / <f32>B;
  const n = B * C;
  const vInvB = f32x4.splat(invB);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(dx + off(i), f32x4.mul(v128.load(y + off(i)), vInvB));
  }
  for (; i < n; i++) store<f32>(dx + off(i), load<f32>(y + off(i)) * invB);
  // Subtract the one-hot target: dx[i, t[i]] −= 1/B (reads dx, so aliasing dx = y is fine).
  for (let r = 0; r < B; r++) {
    const p = dx + off(r * C + load<i32>(t + off(r)));
    store<f32>(p, load<f32>(p) - invB);
  }
}

export function softmax_ce_onehot_forward(y: usize, x: usize, t: usize, B: i32, C: i32): f32 {
  let loss: f64 = 0;
  for (let i = 0; i < B; i++) {
    const row = off(i * C);
    softmaxRow(y + row, x + row, C);
    for (let c = 0; c < C; c++) {
      const tc = load<f32>(t + row + off(c));
      // Terms with t = 0 contribute exactly 0 (the log is always finite), so skip their log.
      if (tc != 0) loss -= <f64>tc * Math.log(<f64>load<f32>(y + row + off(c)) + 1e-7);
    }
  }
  return <f32>(loss / <f64>B);
}

export function softmax_ce_onehot_backward(dx: usize, y: usize, t: usize, B: i32, C: i32): void {
  const invB = <f32>1 / <f32>B;
  const n = B * C;
  const vInvB = f32x4.splat(invB);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(v128.load(y + off(i)), v128.load(t + off(i)));
    v128.store(dx + off(i), f32x4.mul(d, vInvB));
  }
  for (; i < n; i++) {
    store<f32>(dx + off(i), (load<f32>(y + off(i)) - load<f32>(t + off(i))) * invB);
  }
}

export function argmax_correct(x: usize, t: usize, B: i32, C: i32): i32 {
  let correct = 0;
  for (let i = 0; i < B; i++) {
    const row = x + off(i * C);
    let best = 0;
    let bestValue = load<f32>(row);
    for (let c = 1; c < C; c++) {
      const v = load<f32>(row + off(c));
      if (v > bestValue) { // strict: the first maximum wins
        bestValue = v;
        best = c;
      }
    }
    if (best == load<i32>(t + off(i))) correct++;
  }
  return correct;
}

// optim.ts — the book's optimizers (common/optimizer.py), one in-place update step over n parameters,
// plus the L2 weight-decay helpers. All arrays are flat f32 of n elements (byte pointers).
//
//   sgd_update       p −= lr · g
//   momentum_update  v = momentum · v − lr · g;  p += v
//   nesterov_update  p += momentum² · v − (1 + momentum) · lr · g;  v = momentum · v − lr · g
//                    (p first, with the OLD v: the book's form since its commit "Fix Nesterov update function",
//                    2021-01-18; before it, v was updated first and p used the new v)
//   adagrad_update   h += g²;  p −= lr · g / (sqrt(h) + 1e-7)
//   rmsprop_update   h = decay · h + (1 − decay) · g²;  p −= lr · g / (sqrt(h) + 1e-7)
//   adam_update      m += (1 − beta1)(g − m);  v += (1 − beta2)(g² − v);  p −= lrT · m / (sqrt(v) + 1e-7)
//                    (lrT = lr · sqrt(1 − beta2^t) / (1 − beta1^t), bias correction done by the caller)
//   weight_decay_backward  dw += lambda · w
//   count_nonfinite  how many of x are NaN or ±∞ (the Trainer's check that an update left every parameter finite)
//   sum_squares      Σ w², accumulated in f64 (returned as f64)
//
// Every new state value (v, h, m) of magnitude below 2⁻¹²⁶ is stored as 0 (flushSubnormal) before it is used: the
// state of a parameter whose gradient is 0 decays geometrically, and subnormals are slow on x86. src/backend/js/optim.ts
// flushes the same values.
import { flushSubnormal, flushSubnormal1, off, madd, nmadd } from './simd';

const EPS: f32 = 1e-7;

export function sgd_update(p: usize, g: usize, n: i32, lr: f32): void {
  const vLr = f32x4.splat(lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(p + off(i), nmadd(vLr, v128.load(g + off(i)), v128.load(p + off(i))));
  }
  for (; i < n; i++) store<f32>(p + off(i), load<f32>(p + off(i)) - lr * load<f32>(g + off(i)));
}

export function momentum_update(p: usize, g: usize, v: usize, n: i32, lr: f32, momentum: f32): void {
  const vLr = f32x4.splat(lr);
  const vMom = f32x4.splat(momentum);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const vi = flushSubnormal(nmadd(vLr, v128.load(g + off(i)), f32x4.mul(vMom, v128.load(v + off(i)))));
    v128.store(v + off(i), vi);
    v128.store(p + off(i), f32x4.add(v128.load(p + off(i)), vi));
  }
  for (; i < n; i++) {
    const vi = flushSubnormal1(momentum * load<f32>(v + off(i)) - lr * load<f32>(g + off(i)));
    store<f32>(v + off(i), vi);
    store<f32>(p + off(i), load<f32>(p + off(i)) + vi);
  }
}

export function nesterov_update(p: usize, g: usize, v: usize, n: i32, lr: f32, momentum: f32): void {
  const mom2 = momentum * momentum;
  const gStep = (<f32>1 + momentum) * lr;
  const vLr = f32x4.splat(lr);
  const vMom = f32x4.splat(momentum);
  const vMom2 = f32x4.splat(mom2);
  const vGStep = f32x4.splat(gStep);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gi = v128.load(g + off(i));
    const vOld = v128.load(v + off(i));
    v128.store(p + off(i), nmadd(vGStep, gi, madd(vMom2, vOld, v128.load(p + off(i)))));
    v128.store(v + off(i), flushSubnormal(nmadd(vLr, gi, f32x4.mul(vMom, vOld))));
  }
  for (; i < n; i++) {
    const gi = load<f32>(g + off(i));
    const vOld = load<f32>(v + off(i));
    store<f32>(p + off(i), load<f32>(p + off(i)) + mom2 * vOld - gStep * gi);
    store<f32>(v + off(i), flushSubnormal1(momentum * vOld - lr * gi));
  }
}

export function adagrad_update(p: usize, g: usize, h: usize, n: i32, lr: f32): void {
  const vLr = f32x4.splat(lr);
  const vEps = f32x4.splat(EPS);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gi = v128.load(g + off(i));
    const hi = flushSubnormal(madd(gi, gi, v128.load(h + off(i))));
    v128.store(h + off(i), hi);
    const step = f32x4.div(f32x4.mul(vLr, gi), f32x4.add(f32x4.sqrt(hi), vEps));
    v128.store(p + off(i), f32x4.sub(v128.load(p + off(i)), step));
  }
  for (; i < n; i++) {
    const gi = load<f32>(g + off(i));
    const hi = flushSubnormal1(load<f32>(h + off(i)) + gi * gi);
    store<f32>(h + off(i), hi);
    store<f32>(p + off(i), load<f32>(p + off(i)) - lr * gi / (Mathf.sqrt(hi) + EPS));
  }
}

export function rmsprop_update(p: usize, g: usize, h: usize, n: i32, lr: f32, decay: f32): void {
  const keep = <f32>1 - decay;
  const vLr = f32x4.splat(lr);
  const vDecay = f32x4.splat(decay);
  const vKeep = f32x4.splat(keep);
  const vEps = f32x4.splat(EPS);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gi = v128.load(g + off(i));
    const hi = flushSubnormal(madd(vKeep, f32x4.mul(gi, gi), f32x4.mul(vDecay, v128.load(h + off(i)))));
    v128.store(h + off(i), hi);
    const step = f32x4.div(f32x4.mul(vLr, gi), f32x4.add(f32x4.sqrt(hi), vEps));
    v128.store(p + off(i), f32x4.sub(v128.load(p + off(i)), step));
  }
  for (; i < n; i++) {
    const gi = load<f32>(g + off(i));
    const hi = flushSubnormal1(decay * load<f32>(h + off(i)) + keep * (gi * gi));
    store<f32>(h + off(i), hi);
    store<f32>(p + off(i), load<f32>(p + off(i)) - lr * gi / (Mathf.sqrt(hi) + EPS));
  }
}

export function adam_update(p: usize, g: usize, m: usize, v: usize, n: i32, lrT: f32, beta1: f32, beta2: f32): void {
  const a1 = <f32>1 - beta1;
  const a2 = <f32>1 - beta2;
  const vLrT = f32x4.splat(lrT);
  const vA1 = f32x4.splat(a1);
  const vA2 = f32x4.splat(a2);
  const vEps = f32x4.splat(EPS);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gi = v128.load(g + off(i));
    let mi = v128.load(m + off(i));
    let vi = v128.load(v + off(i));
    mi = flushSubnormal(madd(vA1, f32x4.sub(gi, mi), mi));
    vi = flushSubnormal(madd(vA2, f32x4.sub(f32x4.mul(gi, gi), vi), vi));
    v128.store(m + off(i), mi);
    v128.store(v + off(i), vi);
    const step = f32x4.div(f32x4.mul(vLrT, mi), f32x4.add(f32x4.sqrt(vi), vEps));
    v128.store(p + off(i), f32x4.sub(v128.load(p + off(i)), step));
  }
  for (; i < n; i++) {
    const gi = load<f32>(g + off(i));
    let mi = load<f32>(m + off(i));
    let vi = load<f32>(v + off(i));
    mi = flushSubnormal1(mi + a1 * (gi - mi));
    vi = flushSubnormal1(vi + a2 * (gi * gi - vi));
    store<f32>(m + off(i), mi);
    store<f32>(v + off(i), vi);
    store<f32>(p + off(i), load<f32>(p + off(i)) - lrT * mi / (Mathf.sqrt(vi) + EPS));
  }
}

export function weight_decay_backward(dw: usize, w: usize, n: i32, lambda: f32): void {
  const vLambda = f32x4.splat(lambda);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(dw + off(i), madd(vLambda, v128.load(w + off(i)), v128.load(dw + off(i))));
  }
  for (; i < n; i++) store<f32>(dw + off(i), load<f32>(dw + off(i)) + lambda * load<f32>(w + off(i)));
}

export function sum_squares(w: usize, n: i32): f64 {
  // Each f32 square is exact in f64 (48 significant bits), so only the summation order differs from a
  // scalar f64 loop. Lanes 0,1 of every group of four go to accLo, lanes 2,3 to accHi.
  let accLo = f64x2.splat(0);
  let accHi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(w + off(i));
    const lo = f64x2.promote_low_f32x4(x);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
    accLo = f64x2.add(accLo, f64x2.mul(lo, lo));
    accHi = f64x2.add(accHi, f64x2.mul(hi, hi));
  }
  const acc = f64x2.add(accLo, accHi);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const x = <f64>load<f32>(w + off(i));
    s += x * x;
  }
  return s;
}

export function count_nonfinite(x: usize, n: i32): i32 {
  // x − x is 0 for a finite x and NaN for ±∞ and NaN; a NaN lane compares unequal to itself (all-ones = −1).
  let acc = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + off(i));
    const d = f32x4.sub(v, v);
    acc = i32x4.add(acc, f32x4.ne(d, d));
  }
  let count = -(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) +
    i32x4.extract_lane(acc, 3));
  for (; i < n; i++) {
    const v = load<f32>(x + off(i));
    if (v - v != v - v) count++;
  }
  return count;
}

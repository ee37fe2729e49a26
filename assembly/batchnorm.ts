// batchnorm.ts — the book's BatchNormalization layer over x[B×D] (B rows, D features, row-major).
//
//   batchnorm_forward_train   per feature j (column):
//       mean = Σ_i x / B,  var = Σ_i (x − mean)² / B  (two passes, biased),  invStd = 1 / sqrt(var + eps),
//       xn = (x − mean) · invStd,  y = gamma · xn + beta,
//       runningMean = momentum · runningMean + (1 − momentum) · mean   (likewise runningVar with var)
//     outputs y[B×D], xn[B×D], mean[D], invStd[D] and the running stats [D] (updated in place).
//   batchnorm_forward_infer   y = gamma · (x − runningMean) / sqrt(runningVar + eps) + beta   (y may alias x)
//   batchnorm_backward        dbeta = Σ_i dy,  dgamma = Σ_i dy · xn,
//                             dx = gamma · invStd / B · (B · dy − dbeta − xn · dgamma)     (dx may alias dy)
//                             (a column whose dbeta, dgamma or gamma · invStd is NaN or ±∞ gets dx = NaN, as the js twin)
//
// Vectorized across features: each step handles a group of 4 adjacent columns, keeping their column sums in one
// f32x4 register while it walks down the B rows (stride D floats); the last D mod 4 columns run the same
// steps in scalar code. Sums are f32.
import { off, madd, nmadd } from './simd';

export function batchnorm_forward_train(y: usize, xn: usize, mean: usize, invStd: usize,
  runningMean: usize, runningVar: usize, x: usize, gamma: usize, beta: usize,
  B: i32, D: i32, momentum: f32, eps: f32): void {
  const stride = off(D); // bytes from one row to the next
  const fB = <f32>B;
  const vB = f32x4.splat(fB);
  const vEps = f32x4.splat(eps);
  const vOne = f32x4.splat(1);
  const vMom = f32x4.splat(momentum);
  const vKeep = f32x4.splat(<f32>1 - momentum);
  let j = 0;
  for (; j + 4 <= D; j += 4) {
    const col = off(j);
    // mean
    let s = f32x4.splat(0);
    for (let i = 0, p = col; i < B; i++, p += stride) s = f32x4.add(s, v128.load(x + p));
    const mu = f32x4.div(s, vB);
    // variance, from the centred values
    let q = f32x4.splat(0);
    for (let i = 0, p = col; i < B; i++, p += stride) {
      const d = f32x4.sub(v128.load(x + p), mu);
      q = madd(d, d, q);
    }
    const variance = f32x4.div(q, vB);
    const inv = f32x4.div(vOne, f32x4.sqrt(f32x4.add(variance, vEps)));
    v128.store(mean + col, mu);
    v128.store(invStd + col, inv);
    v128.store(runningMean + col, f32x4.add(f32x4.mul(vMom, v128.load(runningMean + col)), f32x4.mul(vKeep, mu)));
    v128.store(runningVar + col, f32x4.add(f32x4.mul(vMom, v128.load(runningVar + col)), f32x4.mul(vKeep, variance)));
    // normalize, scale, shift
    const g = v128.load(gamma + col);
    const b = v128.load(beta + col);
    for (let i = 0, p = col; i < B; i++, p += stride) {
      const xnv = f32x4.mul(f32x4.sub(v128.load(x + p), mu), inv);
      v128.store(xn + p, xnv);
      v128.store(y + p, madd(g, xnv, b));
    }
  }
  for (; j < D; j++) { // the same steps for the last D mod 4 features
    const col = off(j);
    let s: f32 = 0;
    for (let i = 0, p = col; i < B; i++, p += stride) s += load<f32>(x + p);
    const mu = s / fB;
    let q: f32 = 0;
    for (let i = 0, p = col; i < B; i++, p += stride) {
      const d = load<f32>(x + p) - mu;
      q += d * d;
    }
    const variance = q / fB;
    const inv = <f32>1 / Mathf.sqrt(variance + eps);
    store<f32>(mean + col, mu);
    store<f32>(invStd + col, inv);
    store<f32>(runningMean + col, momentum * load<f32>(runningMean + col) + (<f32>1 - momentum) * mu);
    store<f32>(runningVar + col, momentum * load<f32>(runningVar + col) + (<f32>1 - momentum) * variance);
    const g = load<f32>(gamma + col);
    const b = load<f32>(beta + col);
    for (let i = 0, p = col; i < B; i++, p += stride) {
      const xnv = (load<f32>(x + p) - mu) * inv;
      store<f32>(xn + p, xnv);
      store<f32>(y + p, g * xnv + b);
    }
  }
}

export function batchnorm_forward_infer(y: usize, x: usize, gamma: usize, beta: usize,
  runningMean: usize, runningVar: usize, B: i32, D: i32, eps: f32): void {
  const stride = off(D);
  const vEps = f32x4.splat(eps);
  const vOne = f32x4.splat(1);
  let j = 0;
  for (; j + 4 <= D; j += 4) {
    const col = off(j);
    const mu = v128.load(runningMean + col);
    const inv = f32x4.div(vOne, f32x4.sqrt(f32x4.add(v128.load(runningVar + col), vEps)));
    const g = v128.load(gamma + col);
    const b = v128.load(beta + col);
    for (let i = 0, p = col; i < B; i++, p += stride) {
      v128.store(y + p, madd(g, f32x4.mul(f32x4.sub(v128.load(x + p), mu), inv), b));
    }
  }
  for (; j < D; j++) {
    const col = off(j);
    const mu = load<f32>(runningMean + col);
    const inv = <f32>1 / Mathf.sqrt(load<f32>(runningVar + col) + eps);
    const g = load<f32>(gamma + col);
    const b = load<f32>(beta + col);
    for (let i = 0, p = col; i < B; i++, p += stride) {
      store<f32>(y + p, g * ((load<f32>(x + p) - mu) * inv) + b);
    }
  }
}

export function batchnorm_backward(dx: usize, dgamma: usize, dbeta: usize, dy: usize,
  xn: usize, invStd: usize, gamma: usize, B: i32, D: i32): void {
  const stride = off(D);
  const fB = <f32>B;
  const vB = f32x4.splat(fB);
  const vNaN = f32x4.splat(<f32>NaN);
  let j = 0;
  for (; j + 4 <= D; j += 4) {
    const col = off(j);
    let db = f32x4.splat(0);
    let dg = f32x4.splat(0);
    for (let i = 0, p = col; i < B; i++, p += stride) {
      const d = v128.load(dy + p);
      db = f32x4.add(db, d);
      dg = madd(d, v128.load(xn + p), dg);
    }
    v128.store(dbeta + col, db);
    v128.store(dgamma + col, dg);
    let k = f32x4.div(f32x4.mul(v128.load(gamma + col), v128.load(invStd + col)), vB);
    // A non-finite dbeta, dgamma or gamma · invStd makes the whole column of dx NaN (x − x is NaN exactly for NaN
    // and ±∞), so that it does not depend on the order of operations: the js twin does the same.
    const bad = f32x4.add(f32x4.add(f32x4.sub(db, db), f32x4.sub(dg, dg)), f32x4.sub(k, k));
    k = v128.bitselect(vNaN, k, f32x4.ne(bad, bad));
    for (let i = 0, p = col; i < B; i++, p += stride) {
      const t = f32x4.sub(f32x4.mul(vB, v128.load(dy + p)), db); // B·dy − dbeta
      v128.store(dx + p, f32x4.mul(k, nmadd(v128.load(xn + p), dg, t))); // k · (t − xn · dgamma)
    }
  }
  for (; j < D; j++) {
    const col = off(j);
    let db: f32 = 0;
    let dg: f32 = 0;
    for (let i = 0, p = col; i < B; i++, p += stride) {
      const d = load<f32>(dy + p);
      db += d;
      dg += d * load<f32>(xn + p);
    }
    store<f32>(dbeta + col, db);
    store<f32>(dgamma + col, dg);
    let k = load<f32>(gamma + col) * load<f32>(invStd + col) / fB;
    if ((db - db) + (dg - dg) + (k - k) != 0) k = <f32>NaN;
    for (let i = 0, p = col; i < B; i++, p += stride) {
      store<f32>(dx + p, k * (fB * load<f32>(dy + p) - db - load<f32>(xn + p) * dg));
    }
  }
}

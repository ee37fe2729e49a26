// optim.ts — the reference optimizers, one in-place step over n parameters, as the book's
// common/optimizer.py writes them; plus the L2 weight-decay helpers. Twin of assembly/optim.ts.
// Each element is updated in doubles (the book's statements in order) and stored to f32 once.
// A new state value (v, h, m) that would be stored as an f32 of magnitude below 2⁻¹²⁶ (a subnormal) is 0 instead,
// as in assembly/optim.ts: decaying state of a parameter whose gradient is 0 would otherwise go subnormal, which
// x86 CPUs compute far more slowly (the book's numpy float64 never gets there in practice).

/** The smallest positive normal f32, 2⁻¹²⁶. */
const FLT_MIN = 2 ** -126;

/** x, or 0 where x stored as an f32 would be a subnormal (or ±0); NaN and ±Inf pass through. */
function flushSubnormal(x: number): number {
  return Math.abs(Math.fround(x)) < FLT_MIN ? 0 : x;
}

/** SGD: p −= lr · g */
export function sgd_update(p: Float32Array, g: Float32Array, n: number, lr: number): void {
  for (let i = 0; i < n; i++) p[i] -= lr * g[i];
}

/** Momentum: v = momentum · v − lr · g;  p += v */
export function momentum_update(
  p: Float32Array,
  g: Float32Array,
  v: Float32Array,
  n: number,
  lr: number,
  momentum: number,
): void {
  for (let i = 0; i < n; i++) {
    const vi = flushSubnormal(momentum * v[i] - lr * g[i]);
    v[i] = vi;
    p[i] += vi;
  }
}

/**
 * Nesterov (the book's form since its commit "Fix Nesterov update function", 2021-01-18): the params move with the
 * OLD v, then v is updated:  p += momentum · momentum · v;  p −= (1 + momentum) · lr · g;  v *= momentum;  v −= lr · g
 */
export function nesterov_update(
  p: Float32Array,
  g: Float32Array,
  v: Float32Array,
  n: number,
  lr: number,
  momentum: number,
): void {
  for (let i = 0; i < n; i++) {
    let pi = p[i];
    pi += momentum * momentum * v[i];
    pi -= (1 + momentum) * lr * g[i];
    let vi = v[i];
    vi *= momentum;
    vi -= lr * g[i];
    p[i] = pi;
    v[i] = flushSubnormal(vi);
  }
}

/** AdaGrad: h += g · g;  p −= lr · g / (sqrt(h) + 1e-7) */
export function adagrad_update(p: Float32Array, g: Float32Array, h: Float32Array, n: number, lr: number): void {
  for (let i = 0; i < n; i++) {
    const hi = flushSubnormal(h[i] + g[i] * g[i]);
    h[i] = hi;
    p[i] -= (lr * g[i]) / (Math.sqrt(hi) + 1e-7);
  }
}

/** RMSprop: h *= decay;  h += (1 − decay) · g · g;  p −= lr · g / (sqrt(h) + 1e-7) */
export function rmsprop_update(
  p: Float32Array,
  g: Float32Array,
  h: Float32Array,
  n: number,
  lr: number,
  decay: number,
): void {
  for (let i = 0; i < n; i++) {
    let hi = h[i];
    hi *= decay;
    hi += (1 - decay) * g[i] * g[i];
    hi = flushSubnormal(hi);
    h[i] = hi;
    p[i] -= (lr * g[i]) / (Math.sqrt(hi) + 1e-7);
  }
}

/**
 * Adam: m += (1 − beta1)(g − m);  v += (1 − beta2)(g² − v);  p −= lrT · m / (sqrt(v) + 1e-7),
 * with lrT = lr · sqrt(1 − beta2^t) / (1 − beta1^t) computed by the caller.
 */
export function adam_update(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  n: number,
  lrT: number,
  beta1: number,
  beta2: number,
): void {
  for (let i = 0; i < n; i++) {
    let mi = m[i];
    let vi = v[i];
    mi += (1 - beta1) * (g[i] - mi);
    vi += (1 - beta2) * (g[i] * g[i] - vi);
    mi = flushSubnormal(mi);
    vi = flushSubnormal(vi);
    m[i] = mi;
    v[i] = vi;
    p[i] -= (lrT * mi) / (Math.sqrt(vi) + 1e-7);
  }
}

/** dw += lambda · w (the gradient of the L2 term 0.5 · lambda · Σ w²). */
export function weight_decay_backward(dw: Float32Array, w: Float32Array, n: number, lambda: number): void {
  for (let i = 0; i < n; i++) dw[i] += lambda * w[i];
}

/** Σ w², in doubles. */
export function sum_squares(w: Float32Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i] * w[i];
  return s;
}

/** How many of x[0..n) are NaN or ±∞. */
export function count_nonfinite(x: Float32Array, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) count++;
  return count;
}

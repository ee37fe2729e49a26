// batchnorm.ts — the reference BatchNormalization layer (the book's common/layers.py), over x[B×D]
// (B rows, D features, row-major), statistics per feature (column). Twin of assembly/batchnorm.ts.
// Everything is computed in doubles and stored to the f32 arrays.

/**
 * Training mode, per feature j: mean = Σ_i x / B;  xc = x − mean;  var = Σ_i xc² / B;  std = sqrt(var + eps);
 * xn = xc / std;  y = gamma · xn + beta;  keeps xn and invStd = 1 / std for backward;
 * runningMean = momentum · runningMean + (1 − momentum) · mean (likewise runningVar with var).
 */
export function batchnorm_forward_train(
  y: Float32Array,
  xn: Float32Array,
  mean: Float32Array,
  invStd: Float32Array,
  runningMean: Float32Array,
  runningVar: Float32Array,
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  B: number,
  D: number,
  momentum: number,
  eps: number,
): void {
  for (let j = 0; j < D; j++) {
    let mu = 0;
    for (let i = 0; i < B; i++) mu += x[i * D + j];
    mu /= B;
    let variance = 0;
    for (let i = 0; i < B; i++) {
      const xc = x[i * D + j] - mu;
      variance += xc * xc;
    }
    variance /= B;
    const std = Math.sqrt(variance + eps);
    for (let i = 0; i < B; i++) {
      const k = i * D + j;
      const xnk = (x[k] - mu) / std;
      xn[k] = xnk;
      y[k] = gamma[j] * xnk + beta[j];
    }
    mean[j] = mu;
    invStd[j] = 1 / std;
    runningMean[j] = momentum * runningMean[j] + (1 - momentum) * mu;
    runningVar[j] = momentum * runningVar[j] + (1 - momentum) * variance;
  }
}

/** Inference mode: y = gamma · (x − runningMean) / sqrt(runningVar + eps) + beta. y may alias x. */
export function batchnorm_forward_infer(
  y: Float32Array,
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  runningMean: Float32Array,
  runningVar: Float32Array,
  B: number,
  D: number,
  eps: number,
): void {
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < D; j++) {
      const k = i * D + j;
      const xc = x[k] - runningMean[j];
      const xnk = xc / Math.sqrt(runningVar[j] + eps);
      y[k] = gamma[j] * xnk + beta[j];
    }
  }
}

/**
 * The book's backward, step by step (per feature j, sums over the batch rows i), with std = 1 / invStd and the
 * centred input xc = xn · std recovered from what forward kept:
 *   dbeta = Σ dy;  dgamma = Σ xn · dy;
 *   dxn = gamma · dy;  dxc = dxn / std;  dstd = −Σ dxn · xc / std²;  dvar = 0.5 · dstd / std;
 *   dxc += (2 / B) · xc · dvar;  dmu = Σ dxc;  dx = dxc − dmu / B.
 * (assembly/batchnorm.ts computes the collapsed closed form; the tests check one against the other.)
 * A column whose dbeta, dgamma or gamma · invStd is NaN or ±∞ gets dx = NaN. dx may alias dy.
 */
export function batchnorm_backward(
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
  dy: Float32Array,
  xn: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  B: number,
  D: number,
): void {
  const dxc = new Float64Array(B);
  for (let j = 0; j < D; j++) {
    const std = 1 / invStd[j];
    let db = 0;
    let dg = 0;
    let dstd = 0;
    for (let i = 0; i < B; i++) {
      const k = i * D + j;
      db += dy[k];
      dg += xn[k] * dy[k];
      const dxn = gamma[j] * dy[k];
      const xc = xn[k] * std;
      dxc[i] = dxn / std;
      dstd -= (dxn * xc) / (std * std);
    }
    const dvar = (0.5 * dstd) / std;
    let dmu = 0;
    for (let i = 0; i < B; i++) {
      const xc = xn[i * D + j] * std;
      dxc[i] += (2 / B) * xc * dvar;
      dmu += dxc[i];
    }
    // A non-finite dbeta, dgamma or gamma · invStd makes the column's dx NaN, as in wasm: which NaN or ±∞ each
    // element would get otherwise depends on the order of the steps, which the two kernels do not share.
    const finite =
      Number.isFinite(Math.fround(db)) &&
      Number.isFinite(Math.fround(dg)) &&
      Number.isFinite(Math.fround(gamma[j] * invStd[j]));
    for (let i = 0; i < B; i++) dx[i * D + j] = finite ? dxc[i] - dmu / B : NaN;
    dbeta[j] = db;
    dgamma[j] = dg;
  }
}

// The affine layer's products and bias, as plain loops: the reference the wasm gemm is checked against.
// C[M×N] = (accumulate ? C : 0) + op(A)·op(B), row-major; A is M×K (or K×M when transA), B is K×N (or N×K when transB).

export function gemm(
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  // Element strides of op(A)[i, k] and op(B)[k, j] in the stored matrices.
  const aRow = transA ? 1 : K,
    aCol = transA ? M : 1;
  const bRow = transB ? 1 : N,
    bCol = transB ? K : 1;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * aRow + k * aCol] * b[k * bRow + j * bCol];
      c[i * N + j] = accumulate ? c[i * N + j] + s : s;
    }
  }
}

/** y[i, j] += bias[j] */
export function bias_forward(y: Float32Array, bias: Float32Array, B: number, N: number): void {
  for (let i = 0; i < B; i++) for (let j = 0; j < N; j++) y[i * N + j] += bias[j];
}

/** db[j] = Σ_i dy[i, j] */
export function bias_backward(db: Float32Array, dy: Float32Array, B: number, N: number): void {
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (let i = 0; i < B; i++) s += dy[i * N + j];
    db[j] = s;
  }
}

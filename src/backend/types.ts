// The kernel table. `js` (src/backend/js/) and `wasm` (assembly/, bound in src/backend/wasm/) implement it with
// the same names and argument order as the AssemblyScript exports: outputs first, inputs next, sizes last.
//
// Size letters, used the same way in every kernel file:
//   B  batch (rows)          D  features of a BatchNorm / elementwise row
//   M, N, K  gemm: C[M×N] = op(A)[M×K] · op(B)[K×N]
//   C  classes (softmax)     n  flat element count
//
// Buffers must come from the same backend's `alloc`/`allocInt32` (for wasm they are views into its linear memory).
// Output buffers may alias an input only where a kernel says so.

export type BackendName = 'js' | 'wasm';

/** A backend: memory management, and every kernel of the table below. */
export interface Backend extends KernelTable {
  readonly name: BackendName;
  /**
   * Bumped each time buffers handed out earlier stop being valid views (wasm linear memory grew).
   * Owners of buffers compare it with the value they saw and re-make their views with `refresh`.
   * Always 0 for `js`.
   */
  readonly generation: number;
  /** Threads its kernels may use: 1, or for wasm backends made after `init({ threads: n })`, n. */
  readonly threads: number;

  /** A zero-filled buffer of n floats that lives as long as the backend. */
  alloc(n: number): Float32Array;
  /** A zero-filled buffer of n int32 (labels, RNG state). */
  allocInt32(n: number): Int32Array;
  /** The current view of a buffer this backend allocated (identity unless memory grew since). */
  refresh<T extends Float32Array | Int32Array>(view: T): T;
  /**
   * Make room for `floats` more floats of allocations, so that they will not grow memory one by one, and so that
   * allocations of that many floats in all cannot fail. Throws a MemoryError, changing nothing, if they cannot fit.
   */
  reserve(floats: number): void;
  /** Bytes of memory the backend holds now (wasm: linear memory size; js: bytes allocated). */
  memoryBytes(): number;
  /** A mark of what is allocated now: `rollback(mark)` frees what was allocated after it (all-or-nothing builds). */
  mark(): number;
  /** Frees every buffer allocated since `mark()`; their views must not be used again. */
  rollback(mark: number): void;
  /**
   * Gives the backend's memory back now (the threads' shared memory: to other backends; otherwise to the garbage
   * collector). Every later allocation or kernel call is a BackendError. Idempotent.
   */
  dispose(): void;
  /** True after dispose(). */
  readonly disposed: boolean;
}

/**
 * The kernels. Each is also listed, with the kinds of its arguments and how threads split it, in kernels.ts (from
 * which the wasm bindings are made; test/backend/bindings.test.ts checks that the lists agree).
 */
export interface KernelTable {
  // ---- gemm.ts --------------------------------------------------------------------------------
  /**
   * C[M×N] = (accumulate ? C : 0) + op(A) · op(B), all row-major and contiguous.
   * A is M×K, or K×M when transA (so op(A) = Aᵀ); B is K×N, or N×K when transB.
   * The affine layer's three products: Y = X·W (no flags), dX = dY·Wᵀ (transB), dW = Xᵀ·dY (transA).
   * C must not alias A or B.
   */
  gemm(
    c: Float32Array,
    a: Float32Array,
    b: Float32Array,
    M: number,
    N: number,
    K: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
  ): void;
  /** y[i, j] += bias[j] for a B×N matrix. */
  bias_forward(y: Float32Array, bias: Float32Array, B: number, N: number): void;
  /** db[j] = Σ_i dy[i, j] for a B×N matrix (the bias gradient). */
  bias_backward(db: Float32Array, dy: Float32Array, B: number, N: number): void;

  // ---- activation.ts --------------------------------------------------------------------------
  /** y = max(0, x). y may alias x. */
  relu_forward(y: Float32Array, x: Float32Array, n: number): void;
  /** dx = y > 0 ? dy : 0, with y the forward output. dx may alias dy. */
  relu_backward(dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void;
  /** y = 1 / (1 + exp(−x)). y may alias x. */
  sigmoid_forward(y: Float32Array, x: Float32Array, n: number): void;
  /** dx = dy · y · (1 − y), with y the forward output. dx may alias dy. */
  sigmoid_backward(dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void;

  // ---- softmax_ce.ts --------------------------------------------------------------------------
  /**
   * Softmax (max subtracted per row) of scores x[B×C] into y, and returns the mean cross-entropy
   * −(1/B) Σ_i log(y[i, t[i]] + 1e-7) for integer labels t[B] (each in [0, C)).
   */
  softmax_ce_forward(y: Float32Array, x: Float32Array, t: Int32Array, B: number, C: number): number;
  /** dx = (y − onehot(t)) / B. dx may alias y. */
  softmax_ce_backward(dx: Float32Array, y: Float32Array, t: Int32Array, B: number, C: number): void;
  /** As softmax_ce_forward, with t a B×C target matrix (one-hot): loss = −(1/B) Σ t · log(y + 1e-7). */
  softmax_ce_onehot_forward(y: Float32Array, x: Float32Array, t: Float32Array, B: number, C: number): number;
  /** dx = (y − t) / B. dx may alias y. */
  softmax_ce_onehot_backward(dx: Float32Array, y: Float32Array, t: Float32Array, B: number, C: number): void;
  /** Number of rows whose argmax (first maximum) equals the label t[i]. */
  argmax_correct(x: Float32Array, t: Int32Array, B: number, C: number): number;

  // ---- batchnorm.ts ---------------------------------------------------------------------------
  /**
   * Training mode over x[B×D], per feature j:
   *   mean[j] = Σ_i x / B,  var = Σ_i (x − mean)² / B (biased),  invStd[j] = 1 / sqrt(var + eps),
   *   xn = (x − mean) · invStd,  y = gamma · xn + beta,
   *   runningMean = momentum · runningMean + (1 − momentum) · mean   (likewise runningVar with var).
   * Keeps xn[B×D] and invStd[D] for backward. The book: eps 10e-7 (= 1e-6), momentum 0.9.
   * y may alias x (the net normalises in place): the statistics are computed before y is written.
   */
  batchnorm_forward_train(
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
  ): void;
  /** Inference mode: y = gamma · (x − runningMean) / sqrt(runningVar + eps) + beta. y may alias x. */
  batchnorm_forward_infer(
    y: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    runningMean: Float32Array,
    runningVar: Float32Array,
    B: number,
    D: number,
    eps: number,
  ): void;
  /**
   * dbeta = Σ_i dy,  dgamma = Σ_i dy · xn,
   * dx = gamma · invStd / B · (B · dy − dbeta − xn · dgamma)   (the book's chain of steps, collapsed).
   * dx may alias dy.
   */
  batchnorm_backward(
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    dy: Float32Array,
    xn: Float32Array,
    invStd: Float32Array,
    gamma: Float32Array,
    B: number,
    D: number,
  ): void;

  // ---- dropout.ts -----------------------------------------------------------------------------
  /**
   * Training mode: for each element draw u = uniform [0, 1) from the mulberry32 stream in rng[0] (advancing it),
   * mask = u > ratio ? 1 : 0, y = x · mask. u = (next >>> 8) · 2⁻²⁴. y may alias x.
   */
  dropout_forward_train(
    y: Float32Array,
    mask: Float32Array,
    x: Float32Array,
    rng: Int32Array,
    n: number,
    ratio: number,
  ): void;
  /** Test mode: y = x · (1 − ratio). y may alias x. */
  dropout_forward_infer(y: Float32Array, x: Float32Array, n: number, ratio: number): void;
  /** dx = dy · mask. dx may alias dy. */
  dropout_backward(dx: Float32Array, dy: Float32Array, mask: Float32Array, n: number): void;

  // ---- optim.ts (in place; the book's common/optimizer.py) -------------------------------------
  /** p −= lr · g */
  sgd_update(p: Float32Array, g: Float32Array, n: number, lr: number): void;
  /** v = momentum · v − lr · g;  p += v */
  momentum_update(p: Float32Array, g: Float32Array, v: Float32Array, n: number, lr: number, momentum: number): void;
  /**
   * p += momentum² · v − (1 + momentum) · lr · g  with the OLD v, then  v = momentum · v − lr · g
   * (the book's Nesterov since its commit "Fix Nesterov update function", 2021-01-18).
   */
  nesterov_update(p: Float32Array, g: Float32Array, v: Float32Array, n: number, lr: number, momentum: number): void;
  /** h += g²;  p −= lr · g / (sqrt(h) + 1e-7) */
  adagrad_update(p: Float32Array, g: Float32Array, h: Float32Array, n: number, lr: number): void;
  /** h = decay · h + (1 − decay) · g²;  p −= lr · g / (sqrt(h) + 1e-7) */
  rmsprop_update(p: Float32Array, g: Float32Array, h: Float32Array, n: number, lr: number, decay: number): void;
  /**
   * m += (1 − beta1)(g − m);  v += (1 − beta2)(g² − v);  p −= lrT · m / (sqrt(v) + 1e-7),
   * with the bias-corrected lrT = lr · sqrt(1 − beta2^t) / (1 − beta1^t) computed by the caller.
   */
  adam_update(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    n: number,
    lrT: number,
    beta1: number,
    beta2: number,
  ): void;
  /** dw += lambda · w (the gradient of the L2 term 0.5 · lambda · Σ w²). */
  weight_decay_backward(dw: Float32Array, w: Float32Array, n: number, lambda: number): void;
  /** Σ w² (accumulated in f64). */
  sum_squares(w: Float32Array, n: number): number;
  /** How many of x[0..n) are NaN or ±∞ (one cheap pass: the Trainer's check after every update). */
  count_nonfinite(x: Float32Array, n: number): number;
}

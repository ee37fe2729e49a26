// The book's MultiLayerNet and MultiLayerNetExtend in one: fully connected layers
//   Affine → [BatchNorm] → activation → [Dropout]   (× hidden layers)   → Affine → SoftmaxWithLoss
// with He / Xavier / fixed-std initial weights and L2 weight decay.
//
// Memory: every buffer (parameters, gradients, activations for `maxBatchSize` rows, optimizer state room; listed by
// name and size in src/net/layout.ts) is allocated once, from the net's own backend, when the net is made. A training
// step then allocates nothing and never grows wasm memory. Larger batches are split into chunks for
// predict/accuracy/loss (inChunks); a gradient over more rows than the capacity re-makes the activation buffers once
// for the larger size.
// Both are all-or-nothing: the floats needed are counted (float64) and reserved before the first allocation, so a
// net or batch too large for memory is a MemoryError that leaves the backend (and this net) as it was.
// `dispose()` returns the net's memory at once (with threads, to the shared memory other nets allocate from).
import { createBackend } from '../backend/index.js';
import type { Backend, BackendName } from '../backend/types.js';
import { BackendError, FormatError, MemoryError, ShapeError, ValueError, ZerodlError } from '../errors.js';
import { nodeHost } from '../host.js';
import { Affine } from '../layers/Affine.js';
import { BatchNormalization } from '../layers/BatchNormalization.js';
import { Dropout } from '../layers/Dropout.js';
import type { Layer } from '../layers/Layer.js';
import { Relu } from '../layers/Relu.js';
import { Sigmoid } from '../layers/Sigmoid.js';
import { SoftmaxWithLoss } from '../layers/SoftmaxWithLoss.js';
import { argmaxRow } from '../math.js';
import { decodeModel, encodeModel, type LoadNetOptions } from '../io/model.js';
import { Rng, seedState } from '../rng.js';
import {
  initScale,
  resolveConfig,
  type DropoutMaskSource,
  type MultiLayerNetOptions,
  type NetConfig,
  type ParamRecord,
} from './config.js';
import {
  activationLayout,
  allocatedFloats,
  checkLayerBuffers,
  layerSizes,
  parameterLayout,
  reservation,
} from './layout.js';
import { STAGING, type NetStaging } from './staging.js';
import { checkInput, checkPositiveInt, checkRowIndices, checkTargets, type Targets } from './validate.js';

export type {
  Activation,
  DropoutMaskSource,
  MultiLayerNetOptions,
  NetConfig,
  ParamRecord,
  WeightInit,
} from './config.js';
export { initScale } from './config.js';

/** Reading and writing model files by path: installNode() gives them (src/host.ts), absent in browsers. */
export interface ModelFileIO {
  save(net: MultiLayerNet, path: string): Promise<void>;
  load(path: string, options?: LoadNetOptions): Promise<MultiLayerNet>;
}
function needFileIO(what: string): ModelFileIO {
  const fileIO = nodeHost()?.modelFiles as ModelFileIO | undefined;
  if (!fileIO) {
    throw new BackendError(
      `${what} reads or writes files: import zerodl's Node entry ('zerodl/node'); ` +
        'in a browser use net.toBytes() / MultiLayerNet.fromBytes(bytes)',
    );
  }
  return fileIO;
}

export class MultiLayerNet {
  readonly config: NetConfig;
  readonly backend: Backend;
  /** Parameters by the book's names: W1, b1, gamma1, beta1, …, W{L}, b{L}. Views into the backend's memory. */
  readonly params: ParamRecord = {};
  /** Gradients of the last `gradient` call, by the same names. */
  readonly grads: ParamRecord = {};
  /** BatchNorm running statistics: runningMean1, runningVar1, … (not trained by the optimizer; saved with the model). */
  readonly buffers: ParamRecord = {};
  /** Shapes of params (W: [n_in, n_out], others [n]). */
  readonly shapes: Record<string, number[]> = {};
  /** Loss of the last forward pass through `gradient` or `loss` (cross-entropy + L2 term). */
  lastLoss = NaN;
  /**
   * Where training-mode forwards take their dropout masks from; undefined (the default): the net's own seeded
   * stream. While set, the stream is not drawn from. A net without dropout never calls it.
   */
  dropoutMaskSource: DropoutMaskSource | undefined;

  /** Internal: the Trainer's path (src/net/staging.ts); not part of the public API. */
  readonly [STAGING]: NetStaging = {
    gatherBatch: (x, t, onehot, idx, B) => this.gatherBatch(x, t, onehot, idx, B),
    gradient: (B) => this.gradientStaged(B),
    loss: (B) => this.stagedLoss(B),
  };

  private layers: Layer[] = [];
  private affines: Affine[] = [];
  private lastLayer!: SoftmaxWithLoss;
  private input!: Float32Array;
  private dropoutRng!: Int32Array;
  private disposed = false;
  private capacity = 0;
  private generation = -1;
  readonly sizes: number[];

  constructor(options: MultiLayerNetOptions) {
    this.config = resolveConfig(options);
    if (options.dropoutMaskSource !== undefined && typeof options.dropoutMaskSource !== 'function') {
      throw new ValueError(
        `dropoutMaskSource must be a function (layer, rows, units) => masks, got ${typeof options.dropoutMaskSource}`,
      );
    }
    this.dropoutMaskSource = options.dropoutMaskSource;
    const c = this.config;
    this.sizes = layerSizes(c);
    this.backend = createBackend(c.backend);
    try {
      this.allocate();
    } catch (e) {
      this.backend.dispose(); // nothing of a net that was never made stays allocated
      throw e instanceof MemoryError
        ? new MemoryError(
            `MultiLayerNet ${this.sizes.join('-')} with maxBatchSize ` + `${c.maxBatchSize}: ${e.message}`,
          )
        : e;
    }
  }

  private allocate(): void {
    const c = this.config,
      k = this.backend;
    const L = this.sizes.length - 1;
    // One reservation for everything the net holds (src/net/layout.ts), so that nothing grows memory later and no
    // allocation below can fail half-way; room for an optimizer's state too, if memory has it.
    const room = reservation(c);
    try {
      k.reserve(room.own + room.activations + room.optimizer);
    } catch (e) {
      if (!(e instanceof MemoryError)) throw e;
      k.reserve(room.own + room.activations);
    }

    const layout = parameterLayout(c);
    for (const p of layout.params) {
      this.shapes[p.name] = [...p.shape!];
      this.params[p.name] = k.alloc(p.floats);
      this.grads[p.name] = k.alloc(p.floats);
    }
    for (const s of layout.stats) this.buffers[s.name] = k.alloc(s.floats);
    this.dropoutRng = k.allocInt32(1);
    const rng = new Rng(c.seed);
    for (let l = 1; l <= L; l++) {
      const W = this.params[`W${l}`],
        scale = initScale(c.weightInit, this.sizes[l - 1]);
      for (let i = 0; i < W.length; i++) W[i] = scale * rng.normal();
      this.params[`gamma${l}`]?.fill(1);
    }
    this.dropoutRng[0] = seedState(rng.fork());
    this.buildLayers(c.maxBatchSize);
  }

  get inputSize(): number {
    return this.config.inputSize;
  }
  get outputSize(): number {
    return this.config.outputSize;
  }
  /** Rows the activation buffers currently hold. */
  get maxBatchSize(): number {
    return this.capacity;
  }
  /** Names of the trainable parameters, in the book's order. */
  get paramNames(): string[] {
    return Object.keys(this.params);
  }
  /** The dropout stream's state (mulberry32), to save and restore masks. */
  get dropoutState(): number {
    return this.dropoutRng[0];
  }
  set dropoutState(s: number) {
    if (this.disposed) throw disposedError();
    this.dropoutRng[0] = s;
  }
  /** True after dispose(). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Frees the net's memory now: with `init({ threads })` its blocks go back to the shared memory (else they wait
   * for the garbage collector); without threads its wasm instance is dropped. `params`, `grads` and `buffers` are
   * emptied (views into freed memory must not be written), and every later call is a BackendError. Idempotent;
   * also `using net = new MultiLayerNet(…)` where the engine has `Symbol.dispose`. An optimizer that updated this
   * net's params loses its state with it.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const rec of [this.params, this.grads, this.buffers]) for (const key in rec) rec[key] = EMPTY;
    this.layers = [];
    this.affines = [];
    this.input = EMPTY;
    this.dropoutRng = new Int32Array(1);
    this.backend.dispose();
  }

  /**
   * (Re)makes the layers and their activation buffers for `rows` rows; parameters are shared, not copied.
   * All or nothing: room is reserved first (a MemoryError there changes nothing), and a failure after it frees
   * what was allocated and keeps the old layers.
   */
  private buildLayers(rows: number): void {
    const c = this.config,
      k = this.backend;
    const L = this.sizes.length - 1;
    if (this.capacity > 0) {
      try {
        k.reserve(allocatedFloats(activationLayout(c, rows)));
      } catch (e) {
        throw e instanceof MemoryError
          ? new MemoryError(
              `MultiLayerNet ${this.sizes.join('-')}: activation ` +
                `buffers for ${rows} rows (a batch of more than maxBatchSize ${this.capacity}): ${e.message}`,
            )
          : e;
      }
    }
    this.sync();
    const mark = k.mark();
    const layers: Layer[] = [],
      affines: Affine[] = [];
    let input: Float32Array, lastLayer: SoftmaxWithLoss;
    try {
      input = k.alloc(rows * c.inputSize);
      for (let l = 1; l <= L; l++) {
        const nIn = this.sizes[l - 1],
          nOut = this.sizes[l];
        const affine = new Affine(
          k,
          `Affine${l}`,
          this.params[`W${l}`],
          this.params[`b${l}`],
          this.grads[`W${l}`],
          this.grads[`b${l}`],
          nIn,
          nOut,
          rows,
          l > 1,
        );
        affines.push(affine);
        layers.push(affine);
        if (l === L) break;
        if (c.useBatchNorm) {
          layers.push(
            new BatchNormalization(
              k,
              `BatchNorm${l}`,
              this.params[`gamma${l}`],
              this.params[`beta${l}`],
              this.grads[`gamma${l}`],
              this.grads[`beta${l}`],
              this.buffers[`runningMean${l}`],
              this.buffers[`runningVar${l}`],
              nOut,
              rows,
            ),
          );
        }
        layers.push(c.activation === 'relu' ? new Relu(k, `Relu${l}`, nOut) : new Sigmoid(k, `Sigmoid${l}`, nOut));
        if (c.useDropout) layers.push(new Dropout(k, `Dropout${l}`, nOut, rows, c.dropoutRatio, this.dropoutRng));
      }
      lastLayer = new SoftmaxWithLoss(k, c.outputSize, rows);
      const owners = new Map<string, object>([
        ['net', { input }],
        ['SoftmaxWithLoss', lastLayer],
      ]);
      for (const layer of layers) owners.set(layer.name, layer);
      checkLayerBuffers(activationLayout(c, rows), owners);
    } catch (e) {
      if (this.capacity > 0) k.rollback(mark); // (a constructor's backend is disposed by the constructor)
      this.sync();
      throw e;
    }
    this.input = input;
    this.layers = layers;
    this.affines = affines;
    this.lastLayer = lastLayer;
    this.capacity = rows;
    this.sync();
  }

  /** Re-makes every view if the backend's memory grew since we last looked (never, in normal use). */
  private sync(): void {
    const k = this.backend;
    if (this.disposed) throw disposedError();
    if (this.generation === k.generation) return;
    for (const rec of [this.params, this.grads, this.buffers]) for (const key in rec) rec[key] = k.refresh(rec[key]);
    this.dropoutRng = k.refresh(this.dropoutRng);
    if (this.input) this.input = k.refresh(this.input);
    for (const layer of this.layers) layer.refresh(k);
    this.lastLayer?.refresh(k);
    this.generation = k.generation;
  }

  // ---- the forward and backward passes over rows already staged in the input buffers ---------------------------

  private forwardStaged(B: number, train: boolean): Float32Array {
    if (train && this.dropoutMaskSource && this.config.useDropout) this.presetMasks(B);
    let x = this.input;
    for (const layer of this.layers) x = layer.forward(x, B, train);
    return x;
  }

  /**
   * Asks dropoutMaskSource for every Dropout layer's mask of this B-row forward and checks them all (length, values
   * 0/1) before any is copied in, so that a bad mask throws with the net unchanged.
   */
  private presetMasks(B: number): void {
    const source = this.dropoutMaskSource!;
    const dropouts = this.layers.filter((layer): layer is Dropout => layer instanceof Dropout);
    const masks = dropouts.map((layer, i) => {
      const m = source(i + 1, B, layer.D);
      if (m === null || typeof m !== 'object' || typeof m.length !== 'number') {
        throw new ValueError(
          `dropoutMaskSource(${i + 1}, ${B}, ${layer.D}) must return an array of ${B * layer.D} values, got ${String(m)}`,
        );
      }
      if (m.length !== B * layer.D) {
        throw new ShapeError(
          `dropoutMaskSource(${i + 1}, ${B}, ${layer.D}): expected ${B} × ${layer.D} = ${B * layer.D} values, got ${m.length}`,
        );
      }
      for (let j = 0; j < m.length; j++) {
        const v = m[j];
        if (v !== 0 && v !== 1) {
          throw new ValueError(
            `dropoutMaskSource(${i + 1}, ${B}, ${layer.D}): value [${j}] (row ${Math.floor(j / layer.D)}, ` +
              `unit ${j % layer.D}) is ${String(v)}: masks must be 0 (dropped) or 1 (kept)`,
          );
        }
      }
      return m;
    });
    dropouts.forEach((layer, i) => layer.presetMask(masks[i], B));
  }

  /** The L2 term 0.5·λ·ΣW² over the weights W1…W{L} (not biases, γ, β). */
  weightDecayTerm(): number {
    const lambda = this.config.weightDecayLambda;
    if (lambda === 0) return 0;
    let s = 0;
    for (const a of this.affines) s += this.backend.sum_squares(a.W, a.W.length);
    return 0.5 * lambda * s;
  }

  private lossStaged(B: number, train: boolean): number {
    const scores = this.forwardStaged(B, train);
    return this.lastLayer.forward(scores, B);
  }

  private backwardStaged(B: number): void {
    let dout = this.lastLayer.backward(B);
    for (let i = this.layers.length - 1; i >= 0; i--) dout = this.layers[i].backward(dout, B);
    const lambda = this.config.weightDecayLambda;
    if (lambda !== 0) for (const a of this.affines) this.backend.weight_decay_backward(a.dW, a.W, a.W.length, lambda);
  }

  // ---- staging: copying user rows into the net's input buffers --------------------------------------------------

  private stageRows(x: Float32Array, from: number, B: number): void {
    const I = this.config.inputSize;
    this.input.set(x.subarray(from * I, (from + B) * I));
  }

  private stageTargets(t: Targets, onehot: boolean, from: number, B: number): void {
    const C = this.config.outputSize;
    this.lastLayer.setTargetKind(onehot);
    if (onehot) {
      this.lastLayer.onehot.set((t as Float32Array).subarray(from * C, (from + B) * C));
    } else {
      const labels = this.lastLayer.labels;
      for (let i = 0; i < B; i++) labels[i] = t[from + i];
    }
  }

  /** See NetStaging.gatherBatch (src/net/staging.ts). */
  private gatherBatch(x: Float32Array, t: Targets, onehot: boolean, idx: Int32Array, B: number): void {
    if (this.disposed) throw disposedError();
    const I = this.config.inputSize,
      C = this.config.outputSize;
    checkPositiveInt(B, 'gatherBatch: B');
    if (x.length % I !== 0 || t.length !== (onehot ? (x.length / I) * C : x.length / I)) {
      throw new ShapeError(
        `gatherBatch: ${x.length} inputs and ${t.length} targets are not the same whole number of rows of ` +
          `inputSize ${I}${onehot ? ` and ${C} one-hot classes` : ' and one label'}`,
      );
    }
    checkRowIndices(idx, B, x.length / I, 'gatherBatch'); // B comparisons: nothing next to the forward pass
    this.ensureCapacity(B);
    const input = this.input,
      rows = rowViews(x, I);
    this.lastLayer.setTargetKind(onehot);
    for (let r = 0; r < B; r++) input.set(rows[idx[r]], r * I); // a memcpy per row, no allocation
    if (onehot) {
      const oh = this.lastLayer.onehot,
        tf = t as Float32Array;
      for (let r = 0; r < B; r++) for (let j = 0; j < C; j++) oh[r * C + j] = tf[idx[r] * C + j];
    } else {
      const labels = this.lastLayer.labels;
      for (let r = 0; r < B; r++) labels[r] = t[idx[r]];
    }
  }

  /** Gradient over the B rows staged by gatherBatch; returns the loss. Allocates nothing. */
  private gradientStaged(B: number): number {
    this.sync();
    const loss = this.lossStaged(B, true) + this.weightDecayTerm();
    this.backwardStaged(B);
    this.lastLoss = loss;
    return loss;
  }

  /** Loss (test mode, plus the L2 term) over the B rows staged by gatherBatch. Allocates nothing. */
  private stagedLoss(B: number): number {
    this.sync();
    this.lastLoss = this.lossStaged(B, false) + this.weightDecayTerm();
    return this.lastLoss;
  }

  /** Makes the activation buffers hold at least `rows` rows (grows them, at least doubling). */
  ensureCapacity(rows: number): void {
    if (rows > this.capacity) this.buildLayers(Math.max(rows, 2 * this.capacity));
  }

  /**
   * Runs `each(from, n)` over x's B rows in chunks of at most the capacity, rows [from, from + n) staged in the
   * input buffers first (predict, loss and accuracy of more rows than maxBatchSize, without growing memory).
   */
  private inChunks(x: Float32Array, B: number, each: (from: number, n: number) => void): void {
    for (let from = 0; from < B; from += this.capacity) {
      const n = Math.min(this.capacity, B - from);
      this.stageRows(x, from, n);
      each(from, n);
    }
  }

  // ---- the public API (the book's names) -------------------------------------------------------------------------

  /** Scores (B × outputSize, before softmax) for x (B × inputSize). `train` runs Dropout/BatchNorm in training mode. */
  predict(x: Float32Array, { train = false }: { train?: boolean } = {}): Float32Array {
    const B = checkInput(x, this.config.inputSize);
    this.sync();
    const O = this.config.outputSize;
    let out: Float32Array;
    try {
      out = new Float32Array(B * O);
    } catch (e) {
      throw new MemoryError(
        `predict: the scores of ${B} rows × ${O} classes (${4 * B * O} bytes) do not fit: ` + `${(e as Error).message}`,
      );
    }
    this.inChunks(x, B, (from, n) => {
      out.set(this.forwardStaged(n, train).subarray(0, n * O), from * O);
    });
    return out;
  }

  /** Mean cross-entropy over x (chunked if larger than the capacity) plus the L2 term. */
  loss(x: Float32Array, t: Targets, { train = false }: { train?: boolean } = {}): number {
    const B = checkInput(x, this.config.inputSize);
    const onehot = checkTargets(t, B, this.config.outputSize);
    this.sync();
    let sum = 0;
    this.inChunks(x, B, (from, n) => {
      this.stageTargets(t, onehot, from, n);
      sum += n * this.lossStaged(n, train);
    });
    this.lastLoss = sum / B + this.weightDecayTerm();
    return this.lastLoss;
  }

  /** Share of rows whose highest score is the target class (test mode). */
  accuracy(x: Float32Array, t: Targets): number {
    const B = checkInput(x, this.config.inputSize);
    const onehot = checkTargets(t, B, this.config.outputSize);
    this.sync();
    const C = this.config.outputSize;
    let correct = 0;
    this.inChunks(x, B, (from, n) => {
      const labels = this.lastLayer.labels;
      for (let i = 0; i < n; i++) labels[i] = onehot ? argmaxRow(t as Float32Array, from + i, C) : t[from + i];
      correct += this.backend.argmax_correct(this.forwardStaged(n, false), labels, n, C);
    });
    return correct / B;
  }

  /** Gradients of loss(x, t, { train: true }) by backprop, by parameter name (views, overwritten by the next call). */
  gradient(x: Float32Array, t: Targets): ParamRecord {
    const B = checkInput(x, this.config.inputSize);
    const onehot = checkTargets(t, B, this.config.outputSize);
    this.ensureCapacity(B);
    this.sync();
    this.stageRows(x, 0, B);
    this.stageTargets(t, onehot, 0, B);
    this.gradientStaged(B);
    return this.grads;
  }

  /**
   * Central differences (f(p+h) − f(p−h)) / 2h of loss(x, t, { train: true }) for every parameter, as the book's
   * numerical_gradient. Each evaluation replays the same dropout masks, and running statistics and the dropout
   * stream are restored afterwards, so that the next `gradient` call sees the same masks and the net is unchanged.
   */
  numericalGradient(x: Float32Array, t: Targets, h = 1e-3): ParamRecord {
    if (typeof h !== 'number' || !Number.isFinite(h) || h <= 0) {
      throw new ValueError(`numericalGradient: h must be a finite number > 0, got ${String(h)}`);
    }
    const B = checkInput(x, this.config.inputSize);
    checkTargets(t, B, this.config.outputSize);
    this.ensureCapacity(B);
    this.sync();
    const rngState = this.dropoutState;
    const saved = Object.fromEntries(Object.entries(this.buffers).map(([k, v]) => [k, v.slice()]));
    const f = (): number => {
      this.dropoutState = rngState;
      return this.loss(x, t, { train: true });
    };
    const out: ParamRecord = {};
    for (const [name, p] of Object.entries(this.params)) {
      const g = new Float32Array(p.length);
      for (let i = 0; i < p.length; i++) {
        const orig = p[i];
        const plus = Math.fround(orig + h),
          minus = Math.fround(orig - h);
        p[i] = plus;
        const fPlus = f();
        p[i] = minus;
        const fMinus = f();
        p[i] = orig;
        g[i] = (fPlus - fMinus) / (plus - minus);
      }
      out[name] = g;
    }
    this.dropoutState = rngState;
    for (const [k, v] of Object.entries(saved)) this.buffers[k].set(v);
    return out;
  }

  /** Copies parameters (and, if present, BatchNorm running statistics) in, after checking every name and length. */
  setParams(record: Record<string, ArrayLike<number>>): void {
    const known = new Map(Object.entries({ ...this.params, ...this.buffers }));
    for (const [name, src] of Object.entries(record)) {
      const dst = known.get(name); // a Map: 'constructor' or 'toString' must not find Object.prototype's members
      if (!dst)
        throw new ShapeError(`setParams: the net has no parameter '${name}' (it has ${[...known.keys()].join(', ')})`);
      if (!src || typeof src.length !== 'number' || src.length !== dst.length) {
        throw new ShapeError(
          `setParams: '${name}' must hold ${dst.length} values` +
            (this.shapes[name] ? ` (shape [${this.shapes[name].join(', ')}])` : '') +
            `, got ${src?.length}`,
        );
      }
      for (let i = 0; i < src.length; i++) {
        if (!Number.isFinite(src[i]))
          throw new ValueError(`setParams: '${name}'[${i}] is ${src[i]}: parameters must be finite`);
      }
    }
    for (const name of Object.keys(this.params)) {
      if (!Object.hasOwn(record, name)) throw new ShapeError(`setParams: '${name}' is missing`);
    }
    this.sync();
    for (const [name, src] of Object.entries(record)) {
      (Object.hasOwn(this.params, name) ? this.params : this.buffers)[name].set(src); // views re-made by sync()
    }
  }

  // ---- model files (safetensors: the params by the book's names, running statistics, the config) ------------------

  /** The net as safetensors bytes (browser-safe): params, running statistics and config (src/io/model.ts). */
  toBytes(): Uint8Array {
    this.sync();
    return encodeModel({ config: this.config, tensors: { ...this.params, ...this.buffers } });
  }

  /**
   * A net from bytes written by `toBytes`/`save`: the bytes are decoded and checked first (decodeModel), then the net
   * is built from their config and given their tensors. Every problem is a FormatError naming `options.name` (a path
   * or label), and nothing is half-loaded.
   */
  static fromBytes(bytes: Uint8Array, options: LoadNetOptions & { name?: string } = {}): MultiLayerNet {
    const name = options.name ?? 'model bytes';
    const { config, tensors } = decodeModel(bytes, name);
    let net: MultiLayerNet;
    try {
      net = new MultiLayerNet({ ...config, backend: options.backend ?? config.backend } as MultiLayerNetOptions);
    } catch (error) {
      // A missing wasm init() or memory that does not fit is the caller's problem, not the file's.
      if (error instanceof BackendError || error instanceof MemoryError) throw error;
      if (error instanceof ZerodlError || error instanceof RangeError) {
        throw new FormatError(`${name}: the metadata config is not a valid net config: ${error.message}`);
      }
      throw error;
    }
    try {
      // The net's own names must be those the codec checked (a guard against the two drifting apart).
      const own = [...Object.keys(net.params), ...Object.keys(net.buffers)];
      const expected = Object.keys(tensors);
      if (own.join() !== expected.join()) {
        throw new FormatError(`${name}: a net of this config has ${own.join(', ')}, not ${expected.join(', ')}`);
      }
      net.setParams(tensors);
    } catch (error) {
      net.dispose();
      throw error;
    }
    return net;
  }

  /** Writes the net to `path` atomically (Node: via `zerodl/node`). */
  save(path: string): Promise<void> {
    return needFileIO('net.save').save(this, path);
  }

  /** Reads a net saved by `save` (Node: via `zerodl/node`). */
  static load(path: string, options: LoadNetOptions = {}): Promise<MultiLayerNet> {
    return needFileIO('MultiLayerNet.load').load(path, options);
  }

  /** Outputs of every hidden layer's activation for x, in test mode (for the activation-histogram study). */
  hiddenActivations(x: Float32Array): Float32Array[] {
    const B = checkInput(x, this.config.inputSize);
    this.ensureCapacity(B);
    this.sync();
    this.stageRows(x, 0, B);
    const acts: Float32Array[] = [];
    let h = this.input;
    for (const layer of this.layers) {
      h = layer.forward(h, B, false);
      if (layer instanceof Relu || layer instanceof Sigmoid) acts.push(h.slice(0, B * (layer as Relu).D));
    }
    return acts;
  }
}

// `using net = …` (explicit resource management) where the engine has Symbol.dispose (Node 20, recent browsers).
const disposeSymbol = (Symbol as { dispose?: symbol }).dispose;
if (typeof disposeSymbol === 'symbol') {
  Object.defineProperty(MultiLayerNet.prototype, disposeSymbol, {
    value(this: MultiLayerNet) {
      this.dispose();
    },
    writable: true,
    configurable: true,
  });
}

const EMPTY = new Float32Array(0);

function disposedError(): BackendError {
  return new BackendError(
    'this MultiLayerNet was disposed: its memory is freed (make a new net, or load the model again)',
  );
}

/** Views of each row of a dataset, made once per (dataset, row size) and kept while the dataset lives. */
const rowViewCache = new WeakMap<Float32Array, Float32Array[]>();
function rowViews(x: Float32Array, I: number): Float32Array[] {
  let rows = rowViewCache.get(x);
  if (!rows || rows[0]?.length !== I) {
    rows = [];
    for (let from = 0; from + I <= x.length; from += I) rows.push(x.subarray(from, from + I));
    rowViewCache.set(x, rows);
  }
  return rows;
}

/** The net as model bytes (the same as `net.toBytes()`). */
export function netToBytes(net: MultiLayerNet): Uint8Array {
  return net.toBytes();
}

/** A net from model bytes (the same as `MultiLayerNet.fromBytes(bytes, { ...options, name })`). */
export function netFromBytes(bytes: Uint8Array, name?: string, options: LoadNetOptions = {}): MultiLayerNet {
  return MultiLayerNet.fromBytes(bytes, { ...options, name });
}

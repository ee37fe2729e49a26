// The book's MultiLayerNet and MultiLayerNetExtend in one: fully connected layers
//   Affine → [BatchNorm] → activation → [Dropout]   (× hidden layers)   → Affine → SoftmaxWithLoss
// with He / Xavier / fixed-std initial weights and L2 weight decay.
//
// Memory: every buffer (parameters, gradients, activations for `maxBatchSize` rows, optimizer state room) is
// allocated once, from the net's own backend, when the net is made. A training step then allocates nothing and
// never grows wasm memory. Larger batches are split into chunks for predict/accuracy/loss; a gradient over more
// rows than the capacity re-makes the activation buffers once for the larger size.
import { createBackend } from '../backend/index.js';
import type { Backend, BackendName } from '../backend/types.js';
import { BackendError, NameError, ShapeError, ValueError } from '../errors.js';
import { Affine } from '../layers/Affine.js';
import { BatchNormalization } from '../layers/BatchNormalization.js';
import { Dropout } from '../layers/Dropout.js';
import type { Layer } from '../layers/Layer.js';
import { Relu } from '../layers/Relu.js';
import { Sigmoid } from '../layers/Sigmoid.js';
import { SoftmaxWithLoss } from '../layers/SoftmaxWithLoss.js';
import { netFromBytes, netToBytes, type LoadNetOptions } from '../io/model.js';
import { Rng, seedState } from '../rng.js';
import { checkInput, checkPositiveInt, checkTargets, type Targets } from './validate.js';

export type Activation = 'relu' | 'sigmoid';
export type WeightInit = number | 'relu' | 'he' | 'sigmoid' | 'xavier';
export type ParamRecord = Record<string, Float32Array>;

export interface MultiLayerNetOptions {
  inputSize: number;
  hiddenSizes: readonly number[];
  outputSize: number;
  /** Hidden activation (default 'relu'). */
  activation?: Activation;
  /** A number is the std of the initial weights; 'he'/'relu' → sqrt(2/n_in); 'xavier'/'sigmoid' → sqrt(1/n_in). Default 'relu'. */
  weightInit?: WeightInit;
  useBatchNorm?: boolean;
  useDropout?: boolean;
  /** Share of units dropped in training, in [0, 1) (default 0.5, as the book). */
  dropoutRatio?: number;
  /** λ of the L2 term 0.5·λ·ΣW² (default 0). */
  weightDecayLambda?: number;
  /** Fixes the initial weights and the dropout masks (default 0). */
  seed?: number;
  backend?: BackendName;
  /** Rows the activation buffers are made for (default 256); larger batches are chunked or grow them once. */
  maxBatchSize?: number;
}

/** The options with every default filled in: what a saved model records. */
export type NetConfig = Required<Omit<MultiLayerNetOptions, 'weightInit'>> & { weightInit: WeightInit };

const ACTIVATIONS: readonly Activation[] = ['relu', 'sigmoid'];
const INIT_NAMES = ['relu', 'he', 'sigmoid', 'xavier'] as const;

/** The std of layer weights with n_in inputs for a weightInit setting (the book's __init_weight). */
export function initScale(weightInit: WeightInit, nIn: number): number {
  if (typeof weightInit === 'number') return weightInit;
  const name = String(weightInit).toLowerCase();
  if (name === 'relu' || name === 'he') return Math.sqrt(2 / nIn);
  if (name === 'sigmoid' || name === 'xavier') return Math.sqrt(1 / nIn);
  throw new NameError(`unknown weightInit '${weightInit}': expected a number (std) or one of ${INIT_NAMES.join(', ')}`);
}

function resolveConfig(o: MultiLayerNetOptions): NetConfig {
  if (o === null || typeof o !== 'object') throw new ValueError('MultiLayerNet needs an options object');
  checkPositiveInt(o.inputSize, 'inputSize');
  checkPositiveInt(o.outputSize, 'outputSize');
  if (!Array.isArray(o.hiddenSizes)) throw new ValueError(`hiddenSizes must be an array of positive integers, got ${String(o.hiddenSizes)}`);
  o.hiddenSizes.forEach((h, i) => checkPositiveInt(h, `hiddenSizes[${i}]`));
  const activation = o.activation ?? 'relu';
  if (!ACTIVATIONS.includes(activation)) {
    throw new NameError(`unknown activation '${String(activation)}': expected one of ${ACTIVATIONS.join(', ')}`);
  }
  const weightInit = o.weightInit ?? 'relu';
  if (typeof weightInit === 'number') {
    if (!Number.isFinite(weightInit) || weightInit <= 0) throw new ValueError(`weightInit std must be a finite number > 0, got ${weightInit}`);
  } else {
    initScale(weightInit, 1); // throws NameError for an unknown name
  }
  const dropoutRatio = o.dropoutRatio ?? 0.5;
  if (typeof dropoutRatio !== 'number' || !(dropoutRatio >= 0 && dropoutRatio < 1)) {
    throw new ValueError(`dropoutRatio must be in [0, 1), got ${String(dropoutRatio)}`);
  }
  const weightDecayLambda = o.weightDecayLambda ?? 0;
  if (typeof weightDecayLambda !== 'number' || !(weightDecayLambda >= 0) || !Number.isFinite(weightDecayLambda)) {
    throw new ValueError(`weightDecayLambda must be a finite number ≥ 0, got ${String(weightDecayLambda)}`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ValueError(`seed must be an integer, got ${String(seed)}`);
  const backend = o.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'js') throw new NameError(`unknown backend '${String(backend)}': expected wasm or js`);
  const maxBatchSize = checkPositiveInt(o.maxBatchSize ?? 256, 'maxBatchSize');
  return {
    inputSize: o.inputSize, hiddenSizes: [...o.hiddenSizes], outputSize: o.outputSize, activation, weightInit,
    useBatchNorm: !!o.useBatchNorm, useDropout: !!o.useDropout, dropoutRatio, weightDecayLambda, seed, backend,
    maxBatchSize,
  };
}

/** Reading and writing model files by path: installed by the Node entry (`zerodl/node`), absent in browsers. */
export interface ModelFileIO {
  save(net: MultiLayerNet, path: string): Promise<void>;
  load(path: string, options?: LoadNetOptions): Promise<MultiLayerNet>;
}
let fileIO: ModelFileIO | undefined;
export function installModelFileIO(io: ModelFileIO): void {
  fileIO = io;
}
function needFileIO(what: string): ModelFileIO {
  if (!fileIO) {
    throw new BackendError(`${what} reads or writes files: import zerodl's Node entry ('zerodl/node'); ` +
      'in a browser use net.toBytes() / MultiLayerNet.fromBytes(bytes)');
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

  private layers: Layer[] = [];
  private affines: Affine[] = [];
  private lastLayer!: SoftmaxWithLoss;
  private input!: Float32Array;
  private dropoutRng: Int32Array;
  private capacity = 0;
  private generation = -1;
  readonly sizes: number[];

  constructor(options: MultiLayerNetOptions) {
    this.config = resolveConfig(options);
    const c = this.config;
    this.backend = createBackend(c.backend);
    this.sizes = [c.inputSize, ...c.hiddenSizes, c.outputSize];
    // One reservation for everything the net and an optimizer will hold, so that nothing grows memory later.
    let paramCount = 0;
    for (let i = 1; i < this.sizes.length; i++) paramCount += this.sizes[i - 1] * this.sizes[i] + 3 * this.sizes[i];
    this.backend.reserve(5 * paramCount + this.activationFloats(c.maxBatchSize) + 1024);

    const rng = new Rng(c.seed);
    const L = this.sizes.length - 1;
    for (let l = 1; l <= L; l++) {
      const nIn = this.sizes[l - 1], nOut = this.sizes[l];
      this.addParam(`W${l}`, [nIn, nOut]);
      this.addParam(`b${l}`, [nOut]);
      const scale = initScale(c.weightInit, nIn);
      const W = this.params[`W${l}`];
      for (let i = 0; i < W.length; i++) W[i] = scale * rng.normal();
      if (c.useBatchNorm && l < L) {
        this.addParam(`gamma${l}`, [nOut]).fill(1);
        this.addParam(`beta${l}`, [nOut]);
        this.buffers[`runningMean${l}`] = this.backend.alloc(nOut);
        this.buffers[`runningVar${l}`] = this.backend.alloc(nOut);
      }
    }
    this.dropoutRng = this.backend.allocInt32(1);
    this.dropoutRng[0] = seedState(rng.fork());
    this.buildLayers(c.maxBatchSize);
  }

  get inputSize(): number { return this.config.inputSize; }
  get outputSize(): number { return this.config.outputSize; }
  /** Rows the activation buffers currently hold. */
  get maxBatchSize(): number { return this.capacity; }
  /** Names of the trainable parameters, in the book's order. */
  get paramNames(): string[] { return Object.keys(this.params); }
  /** The dropout stream's state (mulberry32), to save and restore masks. */
  get dropoutState(): number { return this.dropoutRng[0]; }
  set dropoutState(s: number) { this.dropoutRng[0] = s; }

  private addParam(name: string, shape: number[]): Float32Array {
    const n = shape.reduce((a, b) => a * b, 1);
    this.shapes[name] = shape;
    this.params[name] = this.backend.alloc(n);
    this.grads[name] = this.backend.alloc(n);
    return this.params[name];
  }

  private activationFloats(rows: number): number {
    const c = this.config;
    let n = rows * c.inputSize + 3 * rows * c.outputSize + rows; // input, softmax y/dx/one-hot, labels
    for (let l = 1; l < this.sizes.length; l++) {
      const nOut = this.sizes[l];
      n += rows * nOut + (l > 1 ? rows * this.sizes[l - 1] : 0); // affine out, dx
      if (l < this.sizes.length - 1) n += rows * nOut * (+c.useBatchNorm + +c.useDropout) + 2 * nOut;
    }
    return n;
  }

  /** (Re)makes the layers and their activation buffers for `rows` rows; parameters are shared, not copied. */
  private buildLayers(rows: number): void {
    const c = this.config, k = this.backend;
    if (this.capacity > 0) k.reserve(this.activationFloats(rows));
    this.sync();
    this.layers = [];
    this.affines = [];
    this.input = k.alloc(rows * c.inputSize);
    const L = this.sizes.length - 1;
    for (let l = 1; l <= L; l++) {
      const nIn = this.sizes[l - 1], nOut = this.sizes[l];
      const affine = new Affine(k, `Affine${l}`, this.params[`W${l}`], this.params[`b${l}`],
        this.grads[`W${l}`], this.grads[`b${l}`], nIn, nOut, rows, l > 1);
      this.affines.push(affine);
      this.layers.push(affine);
      if (l === L) break;
      if (c.useBatchNorm) {
        this.layers.push(new BatchNormalization(k, `BatchNorm${l}`, this.params[`gamma${l}`], this.params[`beta${l}`],
          this.grads[`gamma${l}`], this.grads[`beta${l}`], this.buffers[`runningMean${l}`], this.buffers[`runningVar${l}`],
          nOut, rows));
      }
      this.layers.push(c.activation === 'relu' ? new Relu(k, `Relu${l}`, nOut) : new Sigmoid(k, `Sigmoid${l}`, nOut));
      if (c.useDropout) this.layers.push(new Dropout(k, `Dropout${l}`, nOut, rows, c.dropoutRatio, this.dropoutRng));
    }
    this.lastLayer = new SoftmaxWithLoss(k, c.outputSize, rows);
    this.capacity = rows;
    this.sync();
  }

  /** Re-makes every view if the backend's memory grew since we last looked (never, in normal use). */
  private sync(): void {
    const k = this.backend;
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
    let x = this.input;
    for (const layer of this.layers) x = layer.forward(x, B, train);
    return x;
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

  /**
   * Copies rows idx[0..B) of a dataset into the input buffers (the Trainer's zero-allocation path). The data
   * must have been checked once beforehand (see checkInput / checkTargets).
   */
  gatherBatch(x: Float32Array, t: Targets, onehot: boolean, idx: Int32Array, B: number): void {
    this.ensureCapacity(B);
    const I = this.config.inputSize, C = this.config.outputSize;
    const input = this.input, rows = rowViews(x, I);
    this.lastLayer.setTargetKind(onehot);
    for (let r = 0; r < B; r++) input.set(rows[idx[r]], r * I); // a memcpy per row, no allocation
    if (onehot) {
      const oh = this.lastLayer.onehot, tf = t as Float32Array;
      for (let r = 0; r < B; r++) for (let j = 0; j < C; j++) oh[r * C + j] = tf[idx[r] * C + j];
    } else {
      const labels = this.lastLayer.labels;
      for (let r = 0; r < B; r++) labels[r] = t[idx[r]];
    }
  }

  /** Gradient over the B rows staged by gatherBatch; returns the loss. Allocates nothing. */
  gradientStaged(B: number): number {
    this.sync();
    const loss = this.lossStaged(B, true) + this.weightDecayTerm();
    this.backwardStaged(B);
    this.lastLoss = loss;
    return loss;
  }

  /**
   * Loss (test mode, plus the L2 term) over the B rows staged by gatherBatch — after an update, the book Trainer's
   * second `network.loss(x_batch, t_batch)`. Test mode draws no dropout mask and leaves running statistics alone.
   * Allocates nothing.
   */
  stagedLoss(B: number): number {
    this.sync();
    this.lastLoss = this.lossStaged(B, false) + this.weightDecayTerm();
    return this.lastLoss;
  }

  /** Makes the activation buffers hold at least `rows` rows (grows them, at least doubling). */
  ensureCapacity(rows: number): void {
    if (rows > this.capacity) this.buildLayers(Math.max(rows, 2 * this.capacity));
  }

  // ---- the public API (the book's names) -------------------------------------------------------------------------

  /** Scores (B × outputSize, before softmax) for x (B × inputSize). `train` runs Dropout/BatchNorm in training mode. */
  predict(x: Float32Array, { train = false }: { train?: boolean } = {}): Float32Array {
    const B = checkInput(x, this.config.inputSize);
    this.sync();
    const O = this.config.outputSize;
    const out = new Float32Array(B * O);
    for (let from = 0; from < B; from += this.capacity) {
      const n = Math.min(this.capacity, B - from);
      this.stageRows(x, from, n);
      const scores = this.forwardStaged(n, train);
      out.set(scores.subarray(0, n * O), from * O);
    }
    return out;
  }

  /** Mean cross-entropy over x (chunked if larger than the capacity) plus the L2 term. */
  loss(x: Float32Array, t: Targets, { train = false }: { train?: boolean } = {}): number {
    const B = checkInput(x, this.config.inputSize);
    const onehot = checkTargets(t, B, this.config.outputSize);
    this.sync();
    let sum = 0;
    for (let from = 0; from < B; from += this.capacity) {
      const n = Math.min(this.capacity, B - from);
      this.stageRows(x, from, n);
      this.stageTargets(t, onehot, from, n);
      sum += n * this.lossStaged(n, train);
    }
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
    for (let from = 0; from < B; from += this.capacity) {
      const n = Math.min(this.capacity, B - from);
      this.stageRows(x, from, n);
      const labels = this.lastLayer.labels;
      for (let i = 0; i < n; i++) labels[i] = onehot ? argmaxRow(t as Float32Array, from + i, C) : t[from + i];
      correct += this.backend.argmax_correct(this.forwardStaged(n, false), labels, n, C);
    }
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
        const plus = Math.fround(orig + h), minus = Math.fround(orig - h);
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
    const known = { ...this.params, ...this.buffers };
    for (const [name, src] of Object.entries(record)) {
      const dst = known[name];
      if (!dst) throw new ShapeError(`setParams: the net has no parameter '${name}' (it has ${Object.keys(known).join(', ')})`);
      if (!src || typeof src.length !== 'number' || src.length !== dst.length) {
        throw new ShapeError(`setParams: '${name}' must hold ${dst.length} values` +
          (this.shapes[name] ? ` (shape [${this.shapes[name].join(', ')}])` : '') + `, got ${src?.length}`);
      }
      for (let i = 0; i < src.length; i++) {
        if (!Number.isFinite(src[i])) throw new ValueError(`setParams: '${name}'[${i}] is ${src[i]}: parameters must be finite`);
      }
    }
    for (const name of Object.keys(this.params)) {
      if (!(name in record)) throw new ShapeError(`setParams: '${name}' is missing`);
    }
    this.sync();
    for (const [name, src] of Object.entries(record)) known[name].set(src);
  }

  // ---- model files (safetensors: the params by the book's names, running statistics, the config) ------------------

  /** The net as safetensors bytes (browser-safe). */
  toBytes(): Uint8Array {
    this.sync();
    return netToBytes(this);
  }

  /** A net from bytes written by `toBytes`/`save`; every problem is a FormatError, and nothing is half-loaded. */
  static fromBytes(bytes: Uint8Array, options: LoadNetOptions & { name?: string } = {}): MultiLayerNet {
    return netFromBytes(bytes, options.name, options);
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

function argmaxRow(t: Float32Array, row: number, C: number): number {
  let best = 0;
  for (let j = 1; j < C; j++) if (t[row * C + j] > t[row * C + best]) best = j;
  return best;
}

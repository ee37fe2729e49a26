// The book's Trainer (common/trainer.py): minibatches drawn with replacement, iterPerEpoch = max(N / batch, 1),
// train and test accuracy every iterPerEpoch iterations on the first `evaluateSampleNumPerEpoch` samples.
// Two of the book's choices are options, whose defaults differ from the book's on purpose (the CLI's progress and
// reports read better so; the experiments that reproduce book figures use the book's, see docs/fidelity.md):
//   evaluate    'epoch-end' (default): accuracy after updates iterPerEpoch, 2·iterPerEpoch, …, and after the last;
//               'book': after updates 1, 1 + iterPerEpoch, 1 + 2·iterPerEpoch, … — the book tests
//               `current_iter % iter_per_epoch == 0` right after the update, with current_iter counted from 0.
//   recordLoss  'gradient' (default): the loss of the gradient's own forward pass (train mode, before the update),
//               free; 'book': the loss of a second forward after the update, in test mode, on the same batch (the
//               book's `network.loss(x_batch, t_batch)`: MultiLayerNetExtend.loss defaults to train_flg=False) —
//               one more forward per step, no allocation.
// `batchIndices` replaces the seeded draw of a batch's row indices (e.g. by numpy's `np.random.choice`, replayed by
// RandomState in numpy-random.ts), so a run can follow externally drawn batches. And training yields to the event
// loop now and then, so progress bars redraw and an AbortSignal (Ctrl-C) can stop it between two steps.
import { DivergenceError, ValueError } from '../errors.js';
import type { MultiLayerNet } from '../net/MultiLayerNet.js';
import { STAGING } from '../net/staging.js';
import { checkInput, checkPositiveInt, checkTargets, type Targets } from '../net/validate.js';
import { createOptimizer, Optimizer, type OptimizerOptions } from '../optim/index.js';
import { Rng } from '../rng.js';
import { drawRows } from './minibatch.js';
import { YIELD_EVERY_MS, yieldToEventLoop } from './yield.js';

export interface IterationInfo {
  iter: number; // 1-based count of steps done
  epoch: number; // epochs completed before this step
  loss: number;
  maxIter: number;
}

export interface EpochInfo {
  epoch: number; // 1-based
  iter: number;
  trainAcc: number;
  testAcc: number;
  seconds: number; // since train() began
}

export interface TrainerOptions {
  epochs?: number;
  batchSize?: number;
  /** An optimizer name ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam') or instance (default 'sgd'). */
  optimizer?: string | Optimizer;
  optimizerParams?: OptimizerOptions;
  /** Accuracy per epoch on the first n train/test samples (default: all). */
  evaluateSampleNumPerEpoch?: number | null;
  /** Fixes the batch order (default 0). */
  seed?: number;
  /** When accuracy is measured: 'epoch-end' (default) or 'book' (after updates 1, 1 + iterPerEpoch, …). */
  evaluate?: EvaluateSchedule;
  /** Which loss trainLoss records: 'gradient' (default, before the update) or 'book' (a forward after it). */
  recordLoss?: LossRecord;
  /**
   * Fills idx (length batchSize) with the next batch's row indices in [0, trainSize), instead of the seeded draw;
   * called once per step. Out-of-range indices stop training with a ValueError.
   */
  batchIndices?: (idx: Int32Array, trainSize: number) => void;
  onIteration?: (info: IterationInfo) => void;
  onEpoch?: (info: EpochInfo) => void;
  /** Stops training cleanly between two steps. */
  signal?: AbortSignal;
  /** Print a line per epoch to the console, as the book's verbose mode (default false). */
  verbose?: boolean;
}

export type EvaluateSchedule = 'epoch-end' | 'book';
export type LossRecord = 'gradient' | 'book';

export interface TrainResult {
  trainLoss: number[];
  trainAcc: number[];
  testAcc: number[];
  /** Accuracy on the whole test set after training. */
  finalTestAccuracy: number;
  iterations: number;
  epochs: number;
  seconds: number;
  /** Training samples per second over the gradient+update steps (evaluation excluded). */
  samplesPerSecond: number;
  aborted: boolean;
}

export class Trainer {
  readonly optimizer: Optimizer;
  readonly epochs: number;
  readonly batchSize: number;
  readonly iterPerEpoch: number;
  readonly maxIter: number;
  private readonly onehotTrain: boolean;
  private readonly onehotTest: boolean;
  private readonly rng: Rng;
  private readonly idx: Int32Array;
  private readonly evaluateSchedule: EvaluateSchedule;
  private readonly lossRecord: LossRecord;
  /** Parameters and running statistics as they were before the last update: what a divergence rolls back to. */
  private readonly backup: { live: () => Float32Array; copy: Float32Array }[] = [];
  private backedUp = false;

  constructor(
    readonly net: MultiLayerNet,
    readonly xTrain: Float32Array,
    readonly tTrain: Targets,
    readonly xTest: Float32Array,
    readonly tTest: Targets,
    readonly options: TrainerOptions = {},
  ) {
    const I = net.inputSize,
      C = net.outputSize;
    const nTrain = checkInput(xTrain, I, 'xTrain');
    this.onehotTrain = checkTargets(tTrain, nTrain, C, 'tTrain');
    const nTest = checkInput(xTest, I, 'xTest');
    this.onehotTest = checkTargets(tTest, nTest, C, 'tTest');
    this.epochs = checkPositiveInt(options.epochs ?? 20, 'epochs');
    this.batchSize = checkPositiveInt(options.batchSize ?? 100, 'batchSize');
    const n = options.evaluateSampleNumPerEpoch;
    if (n !== undefined && n !== null) checkPositiveInt(n, 'evaluateSampleNumPerEpoch');
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new ValueError(`seed must be an integer, got ${String(seed)}`);
    const opt = options.optimizer ?? 'sgd';
    this.optimizer = opt instanceof Optimizer ? opt : createOptimizer(opt, options.optimizerParams);
    this.iterPerEpoch = Math.max(nTrain / this.batchSize, 1);
    this.maxIter = Math.floor(this.epochs * this.iterPerEpoch);
    this.evaluateSchedule = oneOf(options.evaluate ?? 'epoch-end', 'evaluate', ['epoch-end', 'book'] as const);
    this.lossRecord = oneOf(options.recordLoss ?? 'gradient', 'recordLoss', ['gradient', 'book'] as const);
    if (options.batchIndices !== undefined && typeof options.batchIndices !== 'function') {
      throw new ValueError(
        `batchIndices must be a function (idx, trainSize) => void, got ${typeof options.batchIndices}`,
      );
    }
    this.rng = new Rng(seed);
    this.idx = new Int32Array(this.batchSize);
    net.ensureCapacity(this.batchSize);
    // The copies live on the JS heap: they are only ever copied to and from, never handed to a kernel.
    for (const rec of [net.params, net.buffers]) {
      for (const key of Object.keys(rec))
        this.backup.push({ live: () => rec[key], copy: new Float32Array(rec[key].length) });
    }
  }

  get trainSize(): number {
    return this.xTrain.length / this.net.inputSize;
  }

  /**
   * One step: a minibatch (the seeded draw or `batchIndices`), its gradient, the update. Returns the loss
   * `recordLoss` asks for (with 'book', that of a test-mode forward on the same batch after the update).
   * Allocates nothing.
   * Divergence guard: a non-finite loss, a non-finite BatchNorm running statistic (after the forward pass) or a
   * non-finite parameter (after the update) throws a DivergenceError with the net rolled back to the parameters and
   * statistics from before the step that went wrong (on the first step: the net as it was when training began).
   */
  step(): number {
    const B = this.batchSize,
      idx = this.idx;
    if (!this.backedUp) this.saveBackup(); // the first step rolls back to the initial state, not to zeros
    this.drawBatch();
    const staged = this.net[STAGING];
    staged.gatherBatch(this.xTrain, this.tTrain, this.onehotTrain, idx, B);
    const loss = staged.gradient(B);
    if (!Number.isFinite(loss)) this.diverged(`the loss became ${loss}`);
    const stat = this.firstNonFinite(this.net.buffers);
    if (stat !== undefined) this.diverged(`BatchNorm's ${stat} became non-finite (the loss was still ${loss})`);
    this.saveBackup();
    try {
      this.optimizer.updateUnchecked(this.net.params, this.net.grads); // the params are checked instead
    } catch (e) {
      for (const b of this.backup) b.live().set(b.copy); // never half an update (a kernel thread died mid-way…)
      throw e;
    }
    const param = this.firstNonFinite(this.net.params);
    if (param !== undefined) this.diverged(`the update made ${param} non-finite (the loss was ${loss})`);
    return this.lossRecord === 'book' ? staged.loss(B) : loss;
  }

  /** idx[0..B) ← the next batch's rows: the seeded draw, or the caller's `batchIndices` (checked). */
  private drawBatch(): void {
    const N = this.trainSize,
      B = this.batchSize,
      idx = this.idx;
    const source = this.options.batchIndices;
    if (!source) {
      drawRows(idx, N, this.rng, B);
      return;
    }
    source(idx, N);
    for (let i = 0; i < B; i++) {
      if (!(idx[i] >= 0 && idx[i] < N)) {
        throw new ValueError(`batchIndices: index ${idx[i]} at position ${i} is outside the ${N} training rows`);
      }
    }
  }

  /** Whether accuracy is measured after the update of 0-based iteration `iter`. */
  private evaluatesAfter(iter: number): boolean {
    // The book's test, `current_iter % iter_per_epoch == 0`, also for a fractional iterPerEpoch (Python's float %).
    if (this.evaluateSchedule === 'book') return iter % this.iterPerEpoch === 0;
    return (
      Math.floor((iter + 1) / this.iterPerEpoch) > Math.floor(iter / this.iterPerEpoch) || iter + 1 === this.maxIter
    );
  }

  /** Name of the first buffer of `rec` holding NaN or ±∞ (a count_nonfinite pass each, in the net's backend). */
  private firstNonFinite(rec: Record<string, Float32Array>): string | undefined {
    const k = this.net.backend;
    for (const key in rec) if (k.count_nonfinite(rec[key], rec[key].length) > 0) return key;
    return undefined;
  }

  private saveBackup(): void {
    for (const b of this.backup) b.copy.set(b.live());
    this.backedUp = true;
  }

  /** Rolls the net back to the last backup and throws. */
  private diverged(what: string): never {
    for (const b of this.backup) b.live().set(b.copy);
    throw new DivergenceError(
      `${what}: training stopped, and the net is back at its last parameters whose loss was ` +
        'finite (try a smaller learning rate)',
    );
  }

  private evaluate(): { trainAcc: number; testAcc: number } {
    const n = this.options.evaluateSampleNumPerEpoch;
    const I = this.net.inputSize,
      C = this.net.outputSize;
    const head = (x: Float32Array, t: Targets, onehot: boolean): [Float32Array, Targets] => {
      const rows = x.length / I;
      if (!n || n >= rows) return [x, t];
      return [x.subarray(0, n * I), onehot ? (t as Float32Array).subarray(0, n * C) : (t.slice(0, n) as Targets)];
    };
    return {
      trainAcc: this.net.accuracy(...head(this.xTrain, this.tTrain, this.onehotTrain)),
      testAcc: this.net.accuracy(...head(this.xTest, this.tTest, this.onehotTest)),
    };
  }

  async train(): Promise<TrainResult> {
    const { onIteration, onEpoch, signal, verbose } = this.options;
    const trainLoss: number[] = [],
      trainAcc: number[] = [],
      testAcc: number[] = [];
    const t0 = now();
    let stepSeconds = 0,
      steps = 0,
      lastYield = t0,
      aborted = false;
    for (let iter = 0; iter < this.maxIter; iter++) {
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      const s0 = now();
      let loss: number;
      try {
        loss = this.step();
      } catch (e) {
        if (e instanceof DivergenceError)
          e.result = this.result(trainLoss, trainAcc, testAcc, NaN, t0, stepSeconds, steps, false);
        throw e;
      }
      stepSeconds += (now() - s0) / 1000;
      steps++;
      trainLoss.push(loss);
      onIteration?.({ iter: iter + 1, epoch: Math.floor(iter / this.iterPerEpoch), loss, maxIter: this.maxIter });
      if (this.evaluatesAfter(iter)) {
        const acc = this.evaluate();
        trainAcc.push(acc.trainAcc);
        testAcc.push(acc.testAcc);
        const info = { epoch: trainAcc.length, iter: iter + 1, ...acc, seconds: (now() - t0) / 1000 };
        if (verbose)
          console.log(
            `=== epoch:${info.epoch}, train acc:${acc.trainAcc.toFixed(4)}, test acc:${acc.testAcc.toFixed(4)} ===`,
          );
        onEpoch?.(info);
      }
      if (now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    const finalTestAccuracy = this.net.accuracy(this.xTest, this.tTest);
    return this.result(trainLoss, trainAcc, testAcc, finalTestAccuracy, t0, stepSeconds, steps, aborted);
  }

  private result(
    trainLoss: number[],
    trainAcc: number[],
    testAcc: number[],
    finalTestAccuracy: number,
    t0: number,
    stepSeconds: number,
    steps: number,
    aborted: boolean,
  ): TrainResult {
    return {
      trainLoss,
      trainAcc,
      testAcc,
      finalTestAccuracy,
      iterations: steps,
      epochs: trainAcc.length,
      seconds: (now() - t0) / 1000,
      samplesPerSecond: stepSeconds > 0 ? (steps * this.batchSize) / stepSeconds : 0,
      aborted,
    };
  }
}

function oneOf<T extends string>(value: T, what: string, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ValueError(
      `${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function now(): number {
  return performance.now();
}

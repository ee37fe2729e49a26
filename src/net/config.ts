// A net's options, their defaults and the names they accept: what `new MultiLayerNet(options)` checks and fills in,
// and what a model file records (`NetConfig`). One place for these facts; the net, the model codec and the CLI read
// them from here.
import { BACKEND_NAMES } from '../backend/index.js';
import type { BackendName } from '../backend/types.js';
import { NameError, ValueError } from '../errors.js';
import { checkPositiveInt } from './validate.js';

export type Activation = 'relu' | 'sigmoid';
export type WeightInit = number | 'relu' | 'he' | 'sigmoid' | 'xavier';
export type ParamRecord = Record<string, Float32Array>;

/**
 * Where training-mode Dropout takes its masks from instead of the net's own stream: called once per Dropout layer
 * (`layer` = 1, 2, … as the book's Dropout1, Dropout2) on every training-mode forward pass (a call of more rows than
 * the net's capacity is several passes), with the pass's `rows` and the layer's `units`; returns rows × units values, each 0 (dropped) or 1 (kept), row-major — e.g. the book's
 * `np.random.rand(rows, units) > ratio`. The net copies it at once (the array may be reused).
 */
export type DropoutMaskSource = (layer: number, rows: number, units: number) => ArrayLike<number>;

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
  /** Replays externally drawn dropout masks (see DropoutMaskSource); sets `net.dropoutMaskSource`. Not saved. */
  dropoutMaskSource?: DropoutMaskSource;
}

/** The options with every default filled in: what a saved model records. */
export type NetConfig = Required<Omit<MultiLayerNetOptions, 'weightInit' | 'dropoutMaskSource'>> & {
  weightInit: WeightInit;
};

/** The hidden activations a net accepts. */
export const ACTIVATIONS: readonly Activation[] = ['relu', 'sigmoid'];
/** The weightInit names a net accepts (besides a number, the std). */
export const INIT_NAMES = ['he', 'relu', 'xavier', 'sigmoid'] as const;

/** The std of layer weights with n_in inputs for a weightInit setting (the book's __init_weight). */
export function initScale(weightInit: WeightInit, nIn: number): number {
  if (typeof weightInit === 'number') return weightInit;
  if (typeof weightInit !== 'string') {
    throw new ValueError(
      `weightInit must be a number (std) or one of ${INIT_NAMES.join(', ')}, got ` +
        `${Array.isArray(weightInit) ? 'an array' : typeof weightInit}`,
    );
  }
  const name = String(weightInit).toLowerCase();
  if (name === 'relu' || name === 'he') return Math.sqrt(2 / nIn);
  if (name === 'sigmoid' || name === 'xavier') return Math.sqrt(1 / nIn);
  throw new NameError(`unknown weightInit '${weightInit}': expected a number (std) or one of ${INIT_NAMES.join(', ')}`);
}

/** The options checked, with every default filled in. Throws ValueError / NameError naming the option. */
export function resolveConfig(o: MultiLayerNetOptions): NetConfig {
  if (o === null || typeof o !== 'object') throw new ValueError('MultiLayerNet needs an options object');
  checkPositiveInt(o.inputSize, 'inputSize');
  checkPositiveInt(o.outputSize, 'outputSize');
  if (!Array.isArray(o.hiddenSizes))
    throw new ValueError(`hiddenSizes must be an array of positive integers, got ${String(o.hiddenSizes)}`);
  o.hiddenSizes.forEach((h, i) => checkPositiveInt(h, `hiddenSizes[${i}]`));
  const activation = o.activation ?? 'relu';
  if (!ACTIVATIONS.includes(activation)) {
    throw new NameError(`unknown activation '${String(activation)}': expected one of ${ACTIVATIONS.join(', ')}`);
  }
  const weightInit = o.weightInit ?? 'relu';
  if (typeof weightInit === 'number') {
    if (!Number.isFinite(weightInit) || weightInit <= 0)
      throw new ValueError(`weightInit std must be a finite number > 0, got ${weightInit}`);
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
  if (!BACKEND_NAMES.includes(backend)) {
    throw new NameError(`unknown backend '${String(backend)}': expected ${BACKEND_NAMES.join(' or ')}`);
  }
  const maxBatchSize = checkPositiveInt(o.maxBatchSize ?? 256, 'maxBatchSize');
  return {
    inputSize: o.inputSize,
    hiddenSizes: [...o.hiddenSizes],
    outputSize: o.outputSize,
    activation,
    weightInit,
    useBatchNorm: !!o.useBatchNorm,
    useDropout: !!o.useDropout,
    dropoutRatio,
    weightDecayLambda,
    seed,
    backend,
    maxBatchSize,
  };
}

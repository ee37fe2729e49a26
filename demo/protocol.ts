// Messages between the page (main.ts) and the training worker (worker.ts).
import type { OptimizerName } from 'zerodl';

/** Every chapter-6 knob the page offers. */
export interface TrainConfig {
  hiddenSizes: number[];
  activation: 'relu' | 'sigmoid';
  /** a number is the std of the initial weights */
  weightInit: 'he' | 'xavier' | number;
  useBatchNorm: boolean;
  useDropout: boolean;
  dropoutRatio: number;
  weightDecayLambda: number;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

export type ToWorker =
  | { type: 'start'; config: TrainConfig }
  | { type: 'stop' }
  | { type: 'predict'; id: number; x: Float32Array }
  | { type: 'activations' }
  /** The current net as model bytes (net.toBytes()), answered by `model`. */
  | { type: 'download' }
  /** The next image of the test subset (0, 1, 2, …) for the pad: a way to try the net without drawing. */
  | { type: 'sample' }
  /** A model file dropped or chosen on the page: the worker builds it with MultiLayerNet.fromBytes. */
  | { type: 'load'; name: string; bytes: Uint8Array };

/** What the page shows of a net: its config as the model file records it, and its accuracy on the test subset. */
export interface ModelInfo {
  /** Where the net came from: "untrained", "trained here" or the loaded file's name. */
  source: string;
  config: Record<string, unknown>;
  testAcc: number;
}

export type FromWorker =
  | { type: 'ready'; variant: string; trainSize: number; testSize: number }
  | { type: 'progress'; iter: number; maxIter: number; losses: number[]; samplesPerSecond: number }
  | { type: 'epoch'; epoch: number; trainAcc: number; testAcc: number }
  | { type: 'done'; aborted: boolean; finalTestAccuracy: number; samplesPerSecond: number; seconds: number }
  | { type: 'prediction'; id: number; probs: number[] }
  | { type: 'activations'; layers: Float32Array[]; activation: 'relu' | 'sigmoid' }
  | { type: 'model'; bytes: Uint8Array; info: ModelInfo }
  | { type: 'loaded'; info: ModelInfo }
  | { type: 'sample'; index: number; label: number; pixels: Uint8Array }
  /** The file was refused (e.g. a FormatError: "FormatError: <message>"); the current net is unchanged. */
  | { type: 'load-error'; name: string; message: string }
  | { type: 'error'; message: string };

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
  | { type: 'activations' };

export type FromWorker =
  | { type: 'ready'; variant: string; trainSize: number; testSize: number }
  | { type: 'progress'; iter: number; maxIter: number; losses: number[]; samplesPerSecond: number }
  | { type: 'epoch'; epoch: number; trainAcc: number; testAcc: number }
  | { type: 'done'; aborted: boolean; finalTestAccuracy: number; samplesPerSecond: number; seconds: number }
  | { type: 'prediction'; id: number; probs: number[] }
  | { type: 'activations'; layers: Float32Array[]; activation: 'relu' | 'sigmoid' }
  | { type: 'error'; message: string };

// One trial of the hyperparameter search as a pure function of its spec (lr, weight decay, seeds) and the data:
// a 784-(100×6)-10 ReLU He net with that weight decay, trained with SGD at that lr, scored by the validation
// accuracy of its last evaluation. Evaluated on the book's schedule (after updates 1, 5, 9, …, 197 of 200 with
// 400 training rows), as the book's Trainer. The same code runs inline and in a pool worker; the result is plain JSON.
// Browser-safe (the wasm backend needs `init()` first).
import { DivergenceError } from '../../errors.js';
import { MultiLayerNet } from '../../net/MultiLayerNet.js';
import { Trainer } from '../../train/Trainer.js';
import type { SearchConfig, TrialSpec } from './plan.js';

/** The search's data after the validation split: N×I images and integer labels. */
export interface TrialData {
  xTrain: Float32Array;
  tTrain: Uint8Array;
  xVal: Float32Array;
  tVal: Uint8Array;
  inputSize: number;
}

/** What a trial needs of the config. */
export type TrialSettings = Pick<SearchConfig, 'epochs' | 'batchSize' | 'hiddenSizes' | 'backend'>;

/** A trial's outcome. valAcc/trainAcc per epoch (empty, and finalVal 0, if the loss diverged). */
export interface Trial {
  trial: number;
  lr: number;
  weightDecay: number;
  valAcc: number[];
  trainAcc: number[];
  finalVal: number;
  diverged: boolean;
}

export async function runTrial(
  spec: TrialSpec,
  settings: TrialSettings,
  data: TrialData,
  signal?: AbortSignal,
): Promise<Trial> {
  const { trial, lr, weightDecay } = spec;
  const net = new MultiLayerNet({
    inputSize: data.inputSize,
    hiddenSizes: settings.hiddenSizes,
    outputSize: 10,
    activation: 'relu',
    weightInit: 'he',
    weightDecayLambda: weightDecay,
    seed: spec.netSeed,
    backend: settings.backend,
    maxBatchSize: settings.batchSize,
  });
  const trainer = new Trainer(net, data.xTrain, data.tTrain, data.xVal, data.tVal, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    optimizer: 'sgd',
    optimizerParams: { lr },
    seed: spec.batchSeed,
    signal,
    evaluate: 'book',
  });
  try {
    const r = await trainer.train();
    signal?.throwIfAborted();
    return {
      trial,
      lr,
      weightDecay,
      valAcc: r.testAcc,
      trainAcc: r.trainAcc,
      finalVal: r.testAcc[r.testAcc.length - 1],
      diverged: false,
    };
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e;
    return { trial, lr, weightDecay, valAcc: [], trainAcc: [], finalVal: 0, diverged: true };
  } finally {
    net.dispose(); // with threads, its blocks go back to the shared memory for the next trial at once
  }
}

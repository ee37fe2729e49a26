// `zerodl train`: the book's MultiLayerNet(Extend) trained by its Trainer on MNIST (or any IDX folder), with a flag
// for every net and trainer option; progress, a summary, --json, a report folder and a saved model.
import { dirname } from 'node:path';
import { BACKEND_NAMES, gemmVariant, init, simdVariant, threadCount } from '../backend/index.js';
import { DivergenceError, ValueError } from '../errors.js';
import { checkSaveTarget, makeDirectory } from '../io/file.node.js';
import { saveNet } from '../io/model.node.js';
import { ACTIVATIONS, INIT_NAMES, type MultiLayerNetOptions, type WeightInit } from '../net/config.js';
import { MultiLayerNet } from '../net/MultiLayerNet.js';
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerName, type OptimizerOptions } from '../optim/index.js';
import { Trainer, type TrainResult } from '../train/Trainer.js';
import {
  choice,
  type CliIO,
  intList,
  integer,
  nonNegativeNumber,
  type OptionSpec,
  parse,
  positiveInt,
  positiveNumber,
  str,
  threadsFlag,
  unitInterval,
  UsageError,
} from './args.js';
import { dataName, loadData } from './data.js';
import { fmtInt, Progress } from './progress.js';
import { type RunReport, skippedFigures, writeReport } from './report.js';

/** Epochs of `zerodl train` / `npm start`: enough for the default net to pass 97 % test accuracy on MNIST. */
export const DEFAULT_EPOCHS = 5;
export const DEFAULT_HIDDEN = [100, 100, 100, 100];
export const DEFAULT_OUT = 'report';

/** Which optimizer-specific flag goes with which optimizers. */
const OPTIMIZER_FLAGS: Record<string, { key: keyof OptimizerOptions; for: OptimizerName[] }> = {
  momentum: { key: 'momentum', for: ['momentum', 'nesterov'] },
  'decay-rate': { key: 'decayRate', for: ['rmsprop'] },
  beta1: { key: 'beta1', for: ['adam'] },
  beta2: { key: 'beta2', for: ['adam'] },
};

export const TRAIN_OPTIONS: OptionSpec = {
  hidden: { type: 'string' },
  activation: { type: 'string' },
  init: { type: 'string' },
  batchnorm: { type: 'boolean' },
  dropout: { type: 'string' },
  'weight-decay': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  'decay-rate': { type: 'string' },
  beta1: { type: 'string' },
  beta2: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'train-size': { type: 'string' },
  'eval-samples': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  data: { type: 'string' },
  save: { type: 'string' },
  out: { type: 'string' },
  'no-out': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

export const TRAIN_USAGE = `Usage: zerodl train [options]

Trains a fully connected net (Affine → [BatchNorm] → activation → [Dropout] per hidden layer) on MNIST.

Net
  --hidden SIZES        hidden layer sizes, comma-separated ('' = none)   [${DEFAULT_HIDDEN.join(',')}]
  --activation NAME     relu | sigmoid                                     [relu]
  --init INIT           he | relu | xavier | sigmoid, or a number (std)    [he]
  --batchnorm           Batch Normalization after every hidden Affine
  --dropout RATIO       enable Dropout with this ratio, in [0, 1)
  --weight-decay L      L2 weight decay λ ≥ 0                              [0]
Optimizer
  --optimizer NAME      ${OPTIMIZER_NAMES.join(' | ')}  [adam]
  --lr RATE             learning rate > 0                     [adam 0.001, others 0.01]
  --momentum M          momentum, nesterov: in (0, 1)                      [0.9]
  --decay-rate D        rmsprop: in (0, 1)                                 [0.99]
  --beta1 B, --beta2 B  adam: in (0, 1)                                    [0.9, 0.999]
Training
  --epochs N                                                               [${DEFAULT_EPOCHS}]
  --batch-size N                                                           [100]
  --train-size N        train on the first N training images               [all]
  --eval-samples N      per-epoch accuracy on the first N images only     [all]
  --seed N              initial weights, dropout masks and batch order     [0]
  --backend NAME        ${BACKEND_NAMES.join(' | ')}                                          [wasm]
  --threads N           kernel threads of the wasm backend (bit-identical
                        results; worth it for wide nets, e.g. 2x1024)      [1]
  --data DIR            a folder of the four IDX files (Fashion-MNIST…)  [MNIST]
Output
  --save FILE           save the trained net (safetensors; also on Ctrl-C or divergence)
  --out DIR             write results.json, loss.svg, accuracy.svg there   [${DEFAULT_OUT}/]
  --no-out              write no report
  --json                print the results as one JSON object, the last line of stdout
  -q, --quiet           no progress, only the summary
  -h, --help            show this help

Ctrl-C, SIGTERM or SIGHUP stops after the current step and still reports and saves; a second one quits at once.`;

export interface TrainArgs {
  help: boolean;
  net: Omit<MultiLayerNetOptions, 'inputSize' | 'outputSize'>;
  optimizer: OptimizerName;
  optimizerParams: OptimizerOptions;
  epochs: number;
  batchSize: number;
  trainSize?: number;
  evaluateSampleNumPerEpoch?: number;
  seed: number;
  threads: number;
  data?: string;
  save?: string;
  out?: string;
  json: boolean;
  quiet: boolean;
}

/** The command line → options, every value checked (a UsageError names the flag). */
export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values: v } = parse(argv, TRAIN_OPTIONS, 'train');
  const C = 'train';
  const s = (flag: string) => str(v, flag);
  const opt = <T>(flag: string, check: (value: string, flag: string, command: string) => T): T | undefined => {
    const value = s(flag);
    return value === undefined ? undefined : check(value, flag, C);
  };

  const init = s('init');
  let weightInit: WeightInit = 'he';
  if (init !== undefined) {
    weightInit = /^[\d.+-]/.test(init.trim()) ? positiveNumber(init, 'init', C) : choice(init, 'init', INIT_NAMES, C);
  }
  const dropout = opt('dropout', unitInterval);
  const seed = opt('seed', integer) ?? 0;
  const optimizer = choice(s('optimizer') ?? 'adam', 'optimizer', OPTIMIZER_NAMES, C);
  const optimizerParams: OptimizerOptions = {};
  const lr = opt('lr', positiveNumber);
  if (lr !== undefined) optimizerParams.lr = lr;
  for (const [flag, { key, for: owners }] of Object.entries(OPTIMIZER_FLAGS)) {
    const value = opt(flag, (x, f, c) => unitInterval(x, f, c, true));
    if (value === undefined) continue;
    if (!owners.includes(optimizer)) {
      throw new UsageError(
        `--${flag} applies to the ${owners.join(' and ')} optimizer${owners.length > 1 ? 's' : ''}, ` +
          `not to ${optimizer}`,
        C,
      );
    }
    optimizerParams[key] = value;
  }
  if (v.out !== undefined && v['no-out']) throw new UsageError('--out and --no-out contradict each other', C);
  const backend = choice(s('backend') ?? 'wasm', 'backend', BACKEND_NAMES, C);
  const threads = opt('threads', threadsFlag) ?? 1;
  if (threads > 1 && backend !== 'wasm') throw new UsageError('--threads applies to the wasm backend only', C);

  return {
    help: !!v.help,
    net: {
      hiddenSizes: opt('hidden', intList) ?? DEFAULT_HIDDEN,
      activation: choice(s('activation') ?? 'relu', 'activation', ACTIVATIONS, C),
      weightInit,
      useBatchNorm: !!v.batchnorm,
      useDropout: dropout !== undefined,
      ...(dropout !== undefined ? { dropoutRatio: dropout } : {}),
      weightDecayLambda: opt('weight-decay', nonNegativeNumber) ?? 0,
      seed,
      backend,
    },
    optimizer,
    optimizerParams,
    epochs: opt('epochs', positiveInt) ?? DEFAULT_EPOCHS,
    batchSize: opt('batch-size', positiveInt) ?? 100,
    trainSize: opt('train-size', positiveInt),
    evaluateSampleNumPerEpoch: opt('eval-samples', positiveInt),
    seed,
    threads,
    data: s('data'),
    save: s('save'),
    out: v['no-out'] ? undefined : (s('out') ?? DEFAULT_OUT),
    json: !!v.json,
    quiet: !!v.quiet,
  };
}

/** The optimizer's settings after its defaults are filled in (read back from the instance). */
function resolvedOptimizerParams(o: object): OptimizerOptions {
  const out: Record<string, number> = {};
  for (const key of ['lr', 'momentum', 'decayRate', 'beta1', 'beta2']) {
    const value = (o as Record<string, unknown>)[key];
    if (typeof value === 'number') out[key] = value;
  }
  return out;
}

/**
 * Runs `zerodl train`; returns the exit code (0 done, 1 diverged, 130 interrupted). With --json, stdout gets one
 * JSON object whatever happens after the command line was read: the report, or `{ error }` for a run that failed
 * before it had one.
 */
export async function runTrain(argv: string[], io: CliIO): Promise<number> {
  const a = parseTrainArgs(argv);
  if (a.help) {
    io.stdout.write(TRAIN_USAGE + '\n');
    return 0;
  }
  if (!a.json) return train(a, io);
  let printed = false;
  const stdout = {
    write: (chunk: string) => {
      printed = true;
      return io.stdout.write(chunk);
    },
  };
  try {
    return await train(a, { ...io, stdout });
  } catch (error) {
    if (!printed) stdout.write(JSON.stringify({ error: (error as Error).message }) + '\n');
    throw error;
  }
}

async function train(a: TrainArgs, io: CliIO): Promise<number> {
  // With --json, stdout carries only the JSON; people's lines go to stderr.
  const human = a.json ? io.stderr : io.stdout;
  const say = (line: string) => {
    if (!a.quiet) human.write(line + '\n');
  };
  const tell = (line: string) => {
    human.write(line + '\n');
  }; // also with --quiet: the outcome

  // Fail before training, not after it, if the output places cannot be made.
  if (a.out) await makeDirectory(a.out);
  if (a.save) {
    await makeDirectory(dirname(a.save));
    await checkSaveTarget(a.save); // a device or a folder there is refused now, not after training
  }
  if (a.net.backend === 'wasm') await init(a.threads > 1 ? { threads: a.threads } : {});
  const data = await loadData(a.data);
  const I = data.rows * data.cols;
  const nTrain = a.trainSize ?? data.trainSize;
  if (nTrain > data.trainSize) {
    throw new UsageError(
      `--train-size: expected at most ${data.trainSize} (the training set's size), got ${nTrain}`,
      'train',
    );
  }
  const xTrain = data.xTrain.subarray(0, nTrain * I);
  const tTrain = data.tTrain.subarray(0, nTrain);

  const net = new MultiLayerNet({ ...a.net, inputSize: I, outputSize: 10 });
  const optimizer = createOptimizer(a.optimizer, a.optimizerParams);
  const config = {
    net: net.config,
    trainer: {
      epochs: a.epochs,
      batchSize: a.batchSize,
      optimizer: a.optimizer,
      optimizerParams: resolvedOptimizerParams(optimizer),
      evaluateSampleNumPerEpoch: a.evaluateSampleNumPerEpoch ?? null,
      seed: a.seed,
    },
    data: { source: dataName(a.data), trainSize: nTrain, testSize: data.testSize },
  };

  // Our own record of the run, so that a diverged run (the Trainer throws) can still be reported.
  const losses: number[] = [],
    trainAcc: number[] = [],
    testAcc: number[] = [];
  let progress: Progress | undefined;
  const trainer = new Trainer(net, xTrain, tTrain, data.xTest, data.tTest, {
    epochs: a.epochs,
    batchSize: a.batchSize,
    optimizer,
    evaluateSampleNumPerEpoch: a.evaluateSampleNumPerEpoch,
    seed: a.seed,
    signal: io.signal,
    onIteration: (info) => {
      losses.push(info.loss);
      progress!.iteration(info);
    },
    onEpoch: (info) => {
      trainAcc.push(info.trainAcc);
      testAcc.push(info.testAcc);
      progress!.epoch(info);
    },
  });
  progress = new Progress({
    stream: human,
    mode: a.quiet ? 'off' : human.isTTY ? 'bar' : 'lines',
    epochs: a.epochs,
    iterPerEpoch: trainer.iterPerEpoch,
    maxIter: trainer.maxIter,
    batchSize: a.batchSize,
  });

  const c = net.config;
  say(
    `training ${[I, ...c.hiddenSizes, 10].join('-')} ${c.activation}, init ${c.weightInit}` +
      `${c.useBatchNorm ? ', batchnorm' : ''}${c.useDropout ? `, dropout ${c.dropoutRatio}` : ''}` +
      `${c.weightDecayLambda ? `, weight decay ${c.weightDecayLambda}` : ''}; ${a.optimizer} ` +
      `${Object.entries(config.trainer.optimizerParams)
        .map(([k, x]) => `${k} ${x}`)
        .join(' ')}; batch ${a.batchSize}, ` +
      `${a.epochs} epochs (${trainer.maxIter} iterations) on ${nTrain} ${config.data.source} images; ${c.backend} backend` +
      `${a.net.backend === 'wasm' && threadCount() > 1 ? `, ${threadCount()} threads` : ''}`,
  );

  let result: TrainResult;
  try {
    result = await trainer.train();
  } catch (error) {
    progress.stopBar();
    if (!(error instanceof DivergenceError)) throw error;
    io.stderr.write(`zerodl: training diverged at iteration ${losses.length + 1}: ${error.message}\n`);
    const report = {
      trainLoss: losses,
      trainAcc,
      testAcc,
      finalTestAccuracy: null,
      diverged: true,
      error: error.message,
      iterations: losses.length,
      config,
      model: a.save ?? null,
    };
    await finish(a, net, report, io, tell);
    return 1;
  }
  progress.stopBar();
  if (result.aborted) {
    io.stderr.write(
      `interrupted after ${result.iterations} of ${trainer.maxIter} iterations: reporting the partial run\n`,
    );
  }
  const report = {
    trainLoss: result.trainLoss,
    trainAcc: result.trainAcc,
    testAcc: result.testAcc,
    finalTestAccuracy: result.finalTestAccuracy,
    samplesPerSecond: result.samplesPerSecond,
    seconds: result.seconds,
    iterations: result.iterations,
    epochs: result.epochs,
    aborted: result.aborted,
    config,
    kernels: a.net.backend === 'wasm' ? simdVariant() : 'js',
    gemm: a.net.backend === 'wasm' ? gemmVariant() : null,
    threads: a.net.backend === 'wasm' ? threadCount() : 1,
    model: a.save ?? null,
  };
  tell(
    `final test accuracy ${result.finalTestAccuracy.toFixed(4)}: ${result.epochs} epochs, ${result.iterations} ` +
      `iterations in ${result.seconds.toFixed(1)} s, ${fmtInt(result.samplesPerSecond)} samples/s (${report.kernels}${report.gemm ? `, gemm ${String(report.gemm)}` : ''}${report.threads > 1 ? `, ${report.threads} threads` : ''})`,
  );
  await finish(a, net, report, io, tell);
  return result.aborted ? 130 : 0;
}

/**
 * Saves the net and writes the report, as asked; a net that cannot be saved (non-finite) is said, not thrown.
 * With --json the report is then printed, always: also for a diverged run, and with `error` set if saving or
 * writing the report failed (that error is then rethrown, so the exit code is still 1).
 */
async function finish(
  a: TrainArgs,
  net: MultiLayerNet,
  report: RunReport,
  io: CliIO,
  tell: (line: string) => void,
): Promise<void> {
  try {
    await saveAndReport(a, net, report, io, tell);
  } catch (error) {
    if (a.json) io.stdout.write(JSON.stringify({ ...report, error: (error as Error).message }) + '\n');
    throw error;
  }
  if (a.json) io.stdout.write(JSON.stringify(report) + '\n');
}

async function saveAndReport(
  a: TrainArgs,
  net: MultiLayerNet,
  report: RunReport,
  io: CliIO,
  tell: (line: string) => void,
): Promise<void> {
  if (a.save && report.trainLoss.length === 0) {
    // Interrupted before the first step: an untrained net must not replace a model saved earlier at that path.
    io.stderr.write(`zerodl: nothing was trained, so ${a.save} was not written\n`);
  } else if (a.save) {
    try {
      await saveNet(net, a.save);
      tell(`saved the model to ${a.save}`);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      io.stderr.write(`zerodl: the model was not saved: ${error.message}\n`);
    }
  }
  if (a.out) {
    const written = await writeReport(a.out, report);
    tell(`wrote ${written.filter((p) => !p.endsWith('.vl.json')).join(', ')}`);
    if (skippedFigures.message) io.stderr.write(`zerodl: SVG figures skipped: ${skippedFigures.message}\n`);
  }
}

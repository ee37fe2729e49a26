// zerodl: chapter 6 of "Deep Learning from Scratch" — SIMD wasm kernels behind a small typed API.
export {
  init,
  isReady,
  simdVariant,
  gemmVariant,
  gemmVariantState,
  GEMM_VARIANTS,
  threadCount,
  hasRelaxedSimd,
  createBackend,
  getBackend,
  BACKEND_NAMES,
  KERNEL_NAMES,
  hostThreads,
} from './backend/index.js';
export type {
  Backend,
  BackendName,
  InitOptions,
  SimdVariant,
  WasmSource,
  GemmVariant,
  GemmCalibration,
  KernelName,
  ThreadHost,
  ThreadHostOptions,
  ThreadHostPort,
} from './backend/index.js';
export * from './errors.js';
export { Rng, mulberry32Next, seedState } from './rng.js';
export { softmax, argmax } from './math.js';
export { RandomState, drawInitialParams } from './numpy-random.js';
export { MultiLayerNet, initScale, netToBytes, netFromBytes } from './net/MultiLayerNet.js';
export type {
  Activation,
  WeightInit,
  MultiLayerNetOptions,
  NetConfig,
  ParamRecord,
  DropoutMaskSource,
} from './net/MultiLayerNet.js';
export { MODEL_FORMAT, MODEL_VERSION } from './io/model.js';
export type { LoadNetOptions } from './io/model.js';
export type { Targets } from './net/validate.js';
export {
  SGD,
  Momentum,
  Nesterov,
  AdaGrad,
  RMSprop,
  Adam,
  Optimizer,
  createOptimizer,
  OPTIMIZER_NAMES,
} from './optim/index.js';
export type { OptimizerName, OptimizerOptions } from './optim/index.js';
export { Trainer } from './train/Trainer.js';
export type {
  TrainerOptions,
  TrainResult,
  IterationInfo,
  EpochInfo,
  EvaluateSchedule,
  LossRecord,
} from './train/Trainer.js';
export { Affine } from './layers/Affine.js';
export { Relu } from './layers/Relu.js';
export { Sigmoid } from './layers/Sigmoid.js';
export { BatchNormalization, BATCHNORM_EPS, BATCHNORM_MOMENTUM } from './layers/BatchNormalization.js';
export { Dropout } from './layers/Dropout.js';
export { SoftmaxWithLoss } from './layers/SoftmaxWithLoss.js';
export { parseIdx, isGzip } from './data/idx.js';
export { shuffle, splitValidation, permutation } from './data/split.js';
export { encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export type { F32Tensor, Safetensors } from './io/safetensors.js';
export * from './plot/specs.js';

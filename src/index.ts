// zerodl: chapter 6 of "Deep Learning from Scratch" — SIMD wasm kernels behind a small typed API.
export { init, isReady, createBackend, getBackend, BACKEND_NAMES } from './backend/index.js';
export type { Backend, BackendName, InitOptions } from './backend/index.js';
export * from './errors.js';
export { Rng, mulberry32Next, seedState } from './rng.js';
export { MultiLayerNet, initScale } from './net/MultiLayerNet.js';
export type { Activation, WeightInit, MultiLayerNetOptions, NetConfig, ParamRecord } from './net/MultiLayerNet.js';
export type { Targets } from './net/validate.js';
export { SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, Optimizer, createOptimizer, OPTIMIZER_NAMES } from './optim/index.js';
export type { OptimizerName, OptimizerOptions } from './optim/index.js';
export { Trainer } from './train/Trainer.js';
export type { TrainerOptions, TrainResult, IterationInfo, EpochInfo } from './train/Trainer.js';
export { Affine } from './layers/Affine.js';
export { Relu } from './layers/Relu.js';
export { Sigmoid } from './layers/Sigmoid.js';
export { BatchNormalization, BATCHNORM_EPS, BATCHNORM_MOMENTUM } from './layers/BatchNormalization.js';
export { Dropout } from './layers/Dropout.js';
export { SoftmaxWithLoss } from './layers/SoftmaxWithLoss.js';

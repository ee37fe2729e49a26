// zerodl for Node: everything in the main entry, plus what reads and writes files (MNIST, model files, SVG plots).
// Kept out of the main entry so that browser bundles never pull in `node:` modules.
import { installNode } from './install.node.js';

export * from './index.js';
export { installNode } from './install.node.js';
export { saveNet, loadNet } from './io/model.node.js';

// What only Node gives, in one call: init() reads the kernels' wasm with node:fs, init({ threads }) starts
// worker_threads, net.save(path) / MultiLayerNet.load(path) work — once this entry is loaded.
installNode();
export { loadMnist } from './data/mnist.node.js';
export type { LoadMnistOptions, MnistData } from './data/mnist.node.js';
export { writeFileAtomic, readFileBytes } from './io/file.node.js';
export { renderSvg, writeSvg, writeSpec } from './plot/render.node.js';
export { experiments, listExperiments, runExperiment } from './experiments/index.js';
export type { Experiment, ExperimentOptions, ExperimentResult } from './experiments/types.js';
export type { HistogramBinning, InitHistogramOptions } from './experiments/init-histogram.js';
export type { OptimizerPathsOptions } from './experiments/optimizer-paths.js';
export type { OptimizerMnistOptions } from './experiments/optimizer-mnist.js';
export type { InitMnistOptions } from './experiments/init-mnist.js';
export type { BatchNormOptions } from './experiments/batchnorm.js';
export type { WeightDecayOptions } from './experiments/weight-decay.js';
export type { DropoutOptions } from './experiments/dropout.js';
export type { SearchOptions } from './experiments/hyperparameter-search.js';

// zerodl for Node: everything in the main entry, plus what reads and writes files (MNIST, model files, SVG plots).
// Kept out of the main entry so that browser bundles never pull in `node:` modules.
import { saveNet, loadNet } from './io/model.node.js';
import { installModelFileIO } from './net/MultiLayerNet.js';

export * from './index.js';
export { saveNet, loadNet } from './io/model.node.js';

// net.save(path) and MultiLayerNet.load(path) work once this entry is loaded.
installModelFileIO({ save: saveNet, load: loadNet });
export { loadMnist } from './data/mnist.node.js';
export type { LoadMnistOptions, MnistData } from './data/mnist.node.js';
export { writeFileAtomic, readFileBytes } from './io/file.node.js';
export { renderSvg, writeSvg, writeSpec } from './plot/render.node.js';
// init() reads the kernels' wasm with node:fs once this entry is loaded (load.ts itself names no Node module).
import './backend/wasm/load.node.js';
export { experiments, listExperiments, runExperiment } from './experiments/index.js';
export type { Experiment, ExperimentOptions, ExperimentResult } from './experiments/types.js';
export type { HistogramBinning, InitHistogramOptions } from './experiments/init-histogram.js';

// The kernels' wasm module: every export of the files beside this one. See src/backend/types.ts for the
// contract each kernel keeps, and src/backend/js/ for the same kernels written plainly.
export * from './gemm';
export * from './activation';
export * from './softmax_ce';
export * from './batchnorm';
export * from './dropout';
export * from './optim';

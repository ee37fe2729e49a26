// Batch Normalization (Ioffe & Szegedy), the book's semantics: biased batch variance, eps 10e-7 (= 1e-6),
// running mean/var starting at 0 and updated r = 0.9·r + 0.1·batch statistic; inference uses the running statistics.
// x, y: B×D. Training mode keeps xn (B×D) and invStd (D) for backward. y is written over x (in place).
import type { Backend } from '../backend/types.js';
import type { Layer } from './Layer.js';

export const BATCHNORM_EPS = 10e-7;
export const BATCHNORM_MOMENTUM = 0.9;

export class BatchNormalization implements Layer {
  xn: Float32Array;
  mean: Float32Array;
  invStd: Float32Array;

  constructor(
    private readonly backend: Backend,
    readonly name: string,
    public gamma: Float32Array,
    public beta: Float32Array,
    public dgamma: Float32Array,
    public dbeta: Float32Array,
    public runningMean: Float32Array,
    public runningVar: Float32Array,
    readonly D: number,
    capacity: number,
    readonly momentum = BATCHNORM_MOMENTUM,
    readonly eps = BATCHNORM_EPS,
  ) {
    this.xn = backend.alloc(capacity * D);
    this.mean = backend.alloc(D);
    this.invStd = backend.alloc(D);
  }

  forward(x: Float32Array, B: number, train: boolean): Float32Array {
    if (train) {
      this.backend.batchnorm_forward_train(
        x,
        this.xn,
        this.mean,
        this.invStd,
        this.runningMean,
        this.runningVar,
        x,
        this.gamma,
        this.beta,
        B,
        this.D,
        this.momentum,
        this.eps,
      );
    } else {
      this.backend.batchnorm_forward_infer(
        x,
        x,
        this.gamma,
        this.beta,
        this.runningMean,
        this.runningVar,
        B,
        this.D,
        this.eps,
      );
    }
    return x;
  }

  backward(dout: Float32Array, B: number): Float32Array {
    this.backend.batchnorm_backward(dout, this.dgamma, this.dbeta, dout, this.xn, this.invStd, this.gamma, B, this.D);
    return dout;
  }

  refresh(k: Backend): void {
    this.xn = k.refresh(this.xn);
    this.mean = k.refresh(this.mean);
    this.invStd = k.refresh(this.invStd);
    this.gamma = k.refresh(this.gamma);
    this.beta = k.refresh(this.beta);
    this.dgamma = k.refresh(this.dgamma);
    this.dbeta = k.refresh(this.dbeta);
    this.runningMean = k.refresh(this.runningMean);
    this.runningVar = k.refresh(this.runningVar);
  }
}

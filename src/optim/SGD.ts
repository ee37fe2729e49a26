// SGD: W ← W − lr·∂L/∂W.
import type { Backend } from '../backend/types.js';
import { checkRate, Optimizer } from './Optimizer.js';

export interface SGDOptions {
  lr?: number;
}

export class SGD extends Optimizer {
  readonly name = 'SGD';
  readonly lr: number;
  constructor({ lr = 0.01 }: SGDOptions = {}) {
    super([]);
    this.lr = checkRate(lr, 'SGD lr');
  }
  protected step(k: Backend, p: Float32Array, g: Float32Array, _s: Float32Array[], n: number): void {
    k.sgd_update(p, g, n, this.lr);
  }
}

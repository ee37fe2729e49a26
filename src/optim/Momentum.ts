// Momentum: v ← αv − lr·∂L/∂W;  W ← W + v.
import type { Backend } from '../backend/types.js';
import { checkRate, checkUnit, Optimizer } from './Optimizer.js';

export interface MomentumOptions {
  lr?: number;
  momentum?: number;
}

export class Momentum extends Optimizer {
  readonly name = 'Momentum';
  readonly lr: number;
  readonly momentum: number;
  constructor({ lr = 0.01, momentum = 0.9 }: MomentumOptions = {}) {
    super(['v']);
    this.lr = checkRate(lr, 'Momentum lr');
    this.momentum = checkUnit(momentum, 'Momentum momentum');
  }
  protected step(k: Backend, p: Float32Array, g: Float32Array, s: Float32Array[], n: number): void {
    k.momentum_update(p, g, s[0], n, this.lr, this.momentum);
  }
}

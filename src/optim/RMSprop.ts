// RMSprop: h ← ρh + (1 − ρ)g²;  W ← W − lr·g / (√h + 1e-7).
import type { Backend } from '../backend/types.js';
import { checkRate, checkUnit, Optimizer } from './Optimizer.js';

export interface RMSpropOptions {
  lr?: number;
  decayRate?: number;
}

export class RMSprop extends Optimizer {
  readonly name = 'RMSprop';
  readonly lr: number;
  readonly decayRate: number;
  constructor({ lr = 0.01, decayRate = 0.99 }: RMSpropOptions = {}) {
    super(['h']);
    this.lr = checkRate(lr, 'RMSprop lr');
    this.decayRate = checkUnit(decayRate, 'RMSprop decayRate');
  }
  protected step(k: Backend, p: Float32Array, g: Float32Array, s: Float32Array[], n: number): void {
    k.rmsprop_update(p, g, s[0], n, this.lr, this.decayRate);
  }
}

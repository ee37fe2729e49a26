// Nesterov's accelerated gradient in the book's form (arXiv:1212.0901):
// v ← αv − lr·g;  W ← W + α²v − (1 + α)·lr·g.
import type { Backend } from '../backend/types.js';
import { checkRate, checkUnit, Optimizer } from './Optimizer.js';

export interface NesterovOptions { lr?: number; momentum?: number }

export class Nesterov extends Optimizer {
  readonly name = 'Nesterov';
  readonly lr: number;
  readonly momentum: number;
  constructor({ lr = 0.01, momentum = 0.9 }: NesterovOptions = {}) {
    super(1);
    this.lr = checkRate(lr, 'Nesterov lr');
    this.momentum = checkUnit(momentum, 'Nesterov momentum');
  }
  protected step(k: Backend, p: Float32Array, g: Float32Array, s: Float32Array[], n: number): void {
    k.nesterov_update(p, g, s[0], n, this.lr, this.momentum);
  }
}

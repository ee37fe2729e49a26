// Nesterov's accelerated gradient in the book's current form (arXiv:1212.0901):
//   W ← W + α²v − (1 + α)·lr·g;  then  v ← αv − lr·g   (W moves with the OLD v).
// This is the order of the book's common/optimizer.py since its commit "Fix Nesterov update function"
// (2021-01-18); the earlier code updated v first and moved W with the new v, which on the first step from v = 0
// moves W by (1 + α + α²)·lr·g = 2.71·lr·g instead of (1 + α)·lr·g = 1.9·lr·g.
import type { Backend } from '../backend/types.js';
import { checkRate, checkUnit, Optimizer } from './Optimizer.js';

export interface NesterovOptions {
  lr?: number;
  momentum?: number;
}

export class Nesterov extends Optimizer {
  readonly name = 'Nesterov';
  readonly lr: number;
  readonly momentum: number;
  constructor({ lr = 0.01, momentum = 0.9 }: NesterovOptions = {}) {
    super(['v']);
    this.lr = checkRate(lr, 'Nesterov lr');
    this.momentum = checkUnit(momentum, 'Nesterov momentum');
  }
  protected step(k: Backend, p: Float32Array, g: Float32Array, s: Float32Array[], n: number): void {
    k.nesterov_update(p, g, s[0], n, this.lr, this.momentum);
  }
}

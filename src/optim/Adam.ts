// Adam (arXiv:1412.6980v8) as the book writes it: at step t, lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ);
// m ← m + (1 − β1)(g − m);  v ← v + (1 − β2)(g² − v);  W ← W − lr_t·m / (√v + 1e-7).
import type { Backend } from '../backend/types.js';
import { checkRate, checkUnit, Optimizer } from './Optimizer.js';

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
}

export class Adam extends Optimizer {
  readonly name = 'Adam';
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  /** Updates done so far (the t of the bias correction). */
  iter = 0;
  private lrT = 0;

  constructor({ lr = 0.001, beta1 = 0.9, beta2 = 0.999 }: AdamOptions = {}) {
    super(['m', 'v']);
    this.lr = checkRate(lr, 'Adam lr');
    this.beta1 = checkUnit(beta1, 'Adam beta1');
    this.beta2 = checkUnit(beta2, 'Adam beta2');
  }

  protected override beginStep(): void {
    this.iter++;
    this.lrT = (this.lr * Math.sqrt(1 - this.beta2 ** this.iter)) / (1 - this.beta1 ** this.iter);
  }

  protected step(k: Backend, p: Float32Array, g: Float32Array, s: Float32Array[], n: number): void {
    k.adam_update(p, g, s[0], s[1], n, this.lrT, this.beta1, this.beta2);
  }

  override reset(): void {
    super.reset();
    this.iter = 0;
  }
}

// The six optimizers of chapter 6 by name.
import { NameError } from '../errors.js';
import { AdaGrad } from './AdaGrad.js';
import { Adam } from './Adam.js';
import { Momentum } from './Momentum.js';
import { Nesterov } from './Nesterov.js';
import type { Optimizer } from './Optimizer.js';
import { RMSprop } from './RMSprop.js';
import { SGD } from './SGD.js';

export { AdaGrad, Adam, Momentum, Nesterov, RMSprop, SGD };
export { Optimizer, type ParamRecord } from './Optimizer.js';

export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adam';
export interface OptimizerOptions {
  lr?: number;
  momentum?: number;
  decayRate?: number;
  beta1?: number;
  beta2?: number;
}

const makers: Record<OptimizerName, (o: OptimizerOptions) => Optimizer> = {
  sgd: (o) => new SGD(o),
  momentum: (o) => new Momentum(o),
  nesterov: (o) => new Nesterov(o),
  adagrad: (o) => new AdaGrad(o),
  rmsprop: (o) => new RMSprop(o),
  adam: (o) => new Adam(o),
};

export const OPTIMIZER_NAMES = Object.keys(makers) as OptimizerName[];

/** An optimizer by name (case-insensitive: 'SGD', 'adam', 'RMSprop'…) with its book defaults unless overridden. */
export function createOptimizer(name: string, options: OptimizerOptions = {}): Optimizer {
  const key = String(name).toLowerCase();
  // Own keys only: 'constructor' or '__proto__' must not find Object.prototype's members.
  const make = Object.hasOwn(makers, key) ? makers[key as OptimizerName] : undefined;
  if (!make) throw new NameError(`unknown optimizer '${name}': expected one of ${OPTIMIZER_NAMES.join(', ')}`);
  return make(options);
}

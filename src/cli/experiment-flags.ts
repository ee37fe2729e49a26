// The flags that set an experiment's own options (the knobs of the chapter pages), one table: flag → the
// experiments that take it, the option it sets and how its text is read. The command line only reads the text
// (a number, a list, a pair); whether the value is allowed is the experiment's own check (a ValueError naming the
// option, exit 1), so the CLI and the pages accept exactly the same values.
import { positiveInt, UsageError } from './args.js';

type Read = (text: string, flag: string) => unknown;

const number: Read = (text, flag) => {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x))
    throw new UsageError(`--${flag}: '${text}' is not a number`, 'experiment');
  return x;
};
const int: Read = (text, flag) => positiveInt(text, flag, 'experiment');
const parts = (text: string) => text.split(',').map((p) => p.trim());
const numbers: Read = (text, flag) => parts(text).map((p) => number(p, flag));
const names: Read = (text, flag) => {
  const list = parts(text);
  if (list.some((p) => p === '')) throw new UsageError(`--${flag}: an empty name in '${text}'`, 'experiment');
  return list;
};
const pair: Read = (text, flag) => {
  const xs = numbers(text, flag) as number[];
  if (xs.length !== 2) throw new UsageError(`--${flag}: expected two numbers A,B, got '${text}'`, 'experiment');
  return xs;
};
/** `SGD=0.5,Adam=0.2` → { SGD: 0.5, Adam: 0.2 } (the names are the experiment's to check). */
const named: Read = (text, flag) => {
  const out: Record<string, number> = {};
  for (const p of parts(text)) {
    const m = /^([A-Za-z][\w-]*)=(.+)$/.exec(p);
    if (!m) throw new UsageError(`--${flag}: expected NAME=VALUE pairs, got '${p}'`, 'experiment');
    if (Object.hasOwn(out, m[1])) throw new UsageError(`--${flag}: ${m[1]} given twice`, 'experiment');
    out[m[1]] = number(m[2], flag) as number;
  }
  return out;
};

export interface KnobFlag {
  experiments: readonly string[];
  option: string;
  read: Read;
  /** The help line's argument and text. */
  arg: string;
  help: string;
}

export const KNOB_FLAGS: Record<string, KnobFlag> = {
  start: { experiments: ['optimizer-paths'], option: 'start', read: pair, arg: 'X,Y', help: 'start point [−7,2]' },
  lr: {
    experiments: ['optimizer-paths'],
    option: 'lr',
    read: named,
    arg: 'N=V,…',
    help: 'learning rates, e.g. SGD=0.5,Adam=0.2 [the book’s]',
  },
  optimizers: {
    experiments: ['optimizer-mnist'],
    option: 'optimizers',
    read: names,
    arg: 'A,B',
    help: 'which: SGD, Momentum, AdaGrad, Adam, Nesterov, RMSprop',
  },
  iterations: {
    experiments: ['optimizer-mnist', 'init-mnist'],
    option: 'iterations',
    read: int,
    arg: 'N',
    help: 'training iterations [2000, quick 300]',
  },
  inits: {
    experiments: ['init-mnist', 'init-histogram'],
    option: 'inits',
    read: names,
    arg: 'A,B',
    help: 'weight scales: std0.01, xavier, he (histogram: also std1, custom)',
  },
  activations: {
    experiments: ['init-histogram'],
    option: 'activations',
    read: names,
    arg: 'A,B',
    help: 'sigmoid, tanh, relu',
  },
  std: { experiments: ['init-histogram'], option: 'std', read: number, arg: 'S', help: 'the custom weight scale' },
  layers: { experiments: ['init-histogram'], option: 'layers', read: int, arg: 'N', help: 'hidden layers [5]' },
  units: { experiments: ['init-histogram'], option: 'units', read: int, arg: 'N', help: 'units per layer [100]' },
  'train-size': {
    experiments: ['batchnorm', 'weight-decay', 'dropout'],
    option: 'trainSize',
    read: int,
    arg: 'N',
    help: 'training images [1000; 300 for the overfitting runs]',
  },
  epochs: {
    experiments: ['batchnorm', 'weight-decay', 'dropout', 'hyperparameter-search'],
    option: 'epochs',
    read: int,
    arg: 'N',
    help: 'epochs (per trial for the search)',
  },
  lambdas: {
    experiments: ['weight-decay'],
    option: 'lambdas',
    read: numbers,
    arg: 'L,M',
    help: 'weight-decay λ values [0,0.1]',
  },
  'lr-range': {
    experiments: ['hyperparameter-search'],
    option: 'lrRange',
    read: pair,
    arg: 'A,B',
    help: 'lr = 10^U(A,B) [−6,−2]',
  },
  'decay-range': {
    experiments: ['hyperparameter-search'],
    option: 'decayRange',
    read: pair,
    arg: 'A,B',
    help: 'weight decay = 10^U(A,B) [−8,−4]',
  },
};

/** The options the knob flags in `values` set for experiment `name`; a flag it doesn't take is a UsageError. */
export function knobOptions(name: string, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(KNOB_FLAGS)) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    if (!spec.experiments.includes(name))
      throw new UsageError(`--${flag} applies to ${spec.experiments.join(', ')} only`, 'experiment');
    out[spec.option] = spec.read(text, flag);
  }
  return out;
}

/** The help text's section: each flag with the experiments that take it. */
export function knobUsage(): string {
  return Object.entries(KNOB_FLAGS)
    .map(([flag, s]) => {
      const left = `  --${flag} ${s.arg}`;
      return `${left.padEnd(21)} ${s.help} (${s.experiments.join(', ')})`;
    })
    .join('\n');
}

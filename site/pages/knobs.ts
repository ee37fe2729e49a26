// Knobs more than one page uses.
import type { RunOptions } from '../protocol.js';
import type { Knob } from './ui.js';

export const seedKnob: Knob = { key: 'seed', label: 'seed', kind: 'number', value: '0', min: 0, step: 1 };

/** `seed` from the seed knob (an integer; anything else is left to the experiment to reject). */
export const seedOption = (v: Record<string, string>): RunOptions => ({ seed: Number(v.seed) });

/** Training iterations; empty: the run size's own (quick or full). */
export const iterationsKnob: Knob = {
  key: 'iterations',
  label: 'iterations',
  kind: 'number',
  value: '',
  min: 1,
  max: 20000,
  step: 1,
};

/** `iterations` from the iterations knob: none when it is empty (the run size's own), else the count typed. */
export const iterationsOption = (v: Record<string, string>): RunOptions =>
  v.iterations === '' ? {} : { iterations: Number(v.iterations) };

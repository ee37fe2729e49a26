// Knobs more than one page uses.
import type { RunOptions } from '../protocol.js';
import type { Knob } from './ui.js';

export const seedKnob: Knob = { key: 'seed', label: 'seed', kind: 'number', value: '0', min: 0, step: 1 };

/** `seed` from the seed knob (an integer; anything else is left to the experiment to reject). */
export const seedOption = (v: Record<string, string>): RunOptions => ({ seed: Number(v.seed) });

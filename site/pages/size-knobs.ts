// The training-set size and epochs knobs of the 6.3 and 6.4 pages, and list knobs → number arrays. Empty = the
// experiment's own value (the book's, or the run size's), so that a default URL runs exactly the book's settings.
import type { RunOptions } from '../protocol.js';
import type { Knob } from './ui.js';

export const trainSizeKnob = (book: number): Knob => ({
  key: 'trainSize',
  label: 'training images',
  kind: 'number',
  value: '',
  min: 1,
  max: 60000,
  step: 1,
  hint: `The first N MNIST training images (empty: the book’s ${book}).`,
});

export const epochsKnob = (quick: number, full: number): Knob => ({
  key: 'epochs',
  label: 'epochs',
  kind: 'number',
  value: '',
  min: 1,
  max: 1000,
  step: 1,
  hint: `Points on each curve (empty: the run size’s, ${quick} quick or ${full} full).`,
});

/** `trainSize` and `epochs` when set (a number; anything else is left to the experiment to reject). */
export const sizeOptions = (v: Record<string, string>): RunOptions => ({
  ...(v.trainSize ? { trainSize: Number(v.trainSize) } : {}),
  ...(v.epochs ? { epochs: Number(v.epochs) } : {}),
});

/** A checks knob's value ('0,0.1') as numbers, under `key`; nothing when none is checked. */
export const listOption = (v: Record<string, string>, key: string): RunOptions =>
  v[key] ? { [key]: v[key].split(',').map(Number) } : {};

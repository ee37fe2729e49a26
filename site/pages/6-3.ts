// 6.3 Batch Normalization: training with and without BatchNorm at 16 initial weight scales (figure 6-18). The
// runner spreads the scales over its Workers; each panel fills in as its run reports.
import { seedKnob, seedOption } from './knobs.js';
import { epochsKnob, sizeOptions, trainSizeKnob } from './size-knobs.js';
import { mountSection } from './ui.js';

/** np.logspace(0, -4, num=16), as the experiment's WEIGHT_SCALES. */
const SCALES = Array.from({ length: 16 }, (_, i) => 10 ** ((-4 * i) / 15));

mountSection(
  '6.3',
  'Batch Normalization rescales each layer’s inputs over the minibatch to mean 0 and variance 1 before the ' +
    'activation, so the training does not depend so much on how the weights started.',
  [
    {
      name: 'batchnorm',
      heading: 'With and without BatchNorm, 16 weight scales',
      intro:
        'A 5-layer net trained on 1000 MNIST images, once with BatchNorm and once without, for each initial weight ' +
        'std from 1 down to 0.0001. Check the scales to run (none: the run size’s own — 4 in quick, all 16 in full). ' +
        'More images or epochs give every net more steps (a point is one pass over the images, in steps of 100); ' +
        'with enough of them the plain net too learns at more scales, and the book’s findings may no longer hold.',
      figures: [
        {
          name: 'batchnorm',
          caption:
            'Training accuracy per epoch, one panel per weight scale. Look for the BatchNorm curve rising early and ' +
            'high in almost every panel, while without it the net learns only at a few scales and stays flat at ' +
            'the rest.',
        },
      ],
      knobs: [
        {
          key: 'scales',
          label: 'weight scales (std of W)',
          kind: 'checks',
          value: '',
          choices: SCALES.map((s, i) => ({ value: String(i), label: s.toPrecision(2) })),
        },
        trainSizeKnob(1000),
        epochsKnob(10, 20),
        seedKnob,
      ],
      toOptions: (v) => ({
        ...seedOption(v),
        ...sizeOptions(v),
        ...(v.scales ? { scales: v.scales.split(',').map(Number) } : {}),
      }),
    },
  ],
);

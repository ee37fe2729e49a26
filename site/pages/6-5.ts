// 6.5 Hyperparameter validation: a random search over learning rate and weight decay, scored on a validation
// split (figure 6-24). Trials run in the runner's Worker pool and appear as they finish.
import { seedKnob, seedOption } from './knobs.js';
import { mountSection } from './ui.js';

mountSection(
  '6.5',
  'Hyperparameters are chosen on validation data split off the training set, never on the test data. The book ' +
    'samples the learning rate and the weight decay at random on a log scale and narrows the range around the best.',
  [
    {
      name: 'hyperparameter-search',
      heading: 'Random search over learning rate and weight decay',
      intro:
        'Each trial trains a 6-hidden-layer net on 400 MNIST images with one (lr, weight decay) pair and scores it ' +
        'on 100 held out for validation. Leave trials or epochs empty for the run size’s own (quick: 20 × 15, full: 100 × 50). ' +
        'Narrow the ranges around the best trials to zoom in, as the book suggests; the finding (best lr between ' +
        '0.001 and 0.01) is checked only when the lr range reaches from below 10^−3 up to at least 10^−2.',
      figures: [
        {
          name: 'hyperparameter-search-scatter',
          caption:
            'Validation accuracy of each trial against its learning rate: the best trials sit between 0.001 and ' +
            '0.01 (the book’s best five: 0.005–0.0097), while weight decay matters much less.',
        },
        {
          name: 'hyperparameter-search-best',
          caption: 'The best trials’ curves, best first: validation (solid) and training accuracy per epoch.',
        },
      ],
      knobs: [
        { key: 'trials', label: 'trials', kind: 'number', value: '', min: 1, max: 200, step: 1 },
        { key: 'epochs', label: 'epochs per trial', kind: 'number', value: '', min: 1, max: 100, step: 1 },
        {
          key: 'lrFrom',
          label: 'lr from 10^',
          kind: 'number',
          value: '-6',
          min: -12,
          max: 1,
          step: 0.5,
        },
        {
          key: 'lrTo',
          label: 'lr to 10^',
          kind: 'number',
          value: '-2',
          min: -12,
          max: 1,
          step: 0.5,
          hint: 'The learning rate is drawn as 10^u, u uniform between these exponents (the book’s: −6 to −2).',
        },
        {
          key: 'decayFrom',
          label: 'weight decay from 10^',
          kind: 'number',
          value: '-8',
          min: -12,
          max: 1,
          step: 0.5,
        },
        {
          key: 'decayTo',
          label: 'weight decay to 10^',
          kind: 'number',
          value: '-4',
          min: -12,
          max: 1,
          step: 0.5,
          hint: 'The same for the weight decay λ (the book’s: −8 to −4).',
        },
        seedKnob,
      ],
      toOptions: (v) => ({
        ...seedOption(v),
        lrRange: [Number(v.lrFrom), Number(v.lrTo)],
        decayRange: [Number(v.decayFrom), Number(v.decayTo)],
        ...(v.trials ? { trials: Number(v.trials) } : {}),
        ...(v.epochs ? { epochs: Number(v.epochs) } : {}),
      }),
    },
  ],
);

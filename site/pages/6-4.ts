// 6.4 Regularization: weight decay (figure 6-21) and dropout (figure 6-23) against overfitting a 300-image
// training set.
import { seedKnob, seedOption } from './knobs.js';
import { mountSection } from './ui.js';

mountSection(
  '6.4',
  'A big net trained on only 300 images learns them by heart: training accuracy reaches 100 % while test accuracy ' +
    'stays far lower. Two remedies: penalise large weights, or switch random units off while training.',
  [
    {
      name: 'weight-decay',
      heading: 'Weight decay',
      intro:
        'A 784-(100×6)-10 ReLU net trained by SGD on 300 MNIST images, once without weight decay and once with ' +
        'λ = 0.1 (the book’s).',
      figures: [
        {
          name: 'weight-decay',
          caption:
            'Train and test accuracy per epoch for both runs. Without decay training accuracy reaches 100 % and the ' +
            'test curve stays far below; with λ = 0.1 the gap is narrower and training stops short of 100 %.',
        },
      ],
      knobs: [seedKnob],
      toOptions: seedOption,
    },
    {
      name: 'dropout',
      heading: 'Dropout',
      intro: 'The same net without dropout and with dropout ratio 0.2; check which runs to make.',
      figures: [
        {
          name: 'dropout',
          caption:
            'Without dropout the training accuracy runs to 100 % and leaves the test accuracy behind; with dropout ' +
            'the two curves stay close together (and both rise more slowly).',
        },
      ],
      knobs: [
        {
          key: 'ratios',
          label: 'runs',
          kind: 'checks',
          value: '0,0.2',
          choices: [
            { value: '0', label: 'no dropout' },
            { value: '0.2', label: 'dropout 0.2' },
          ],
        },
        seedKnob,
      ],
      toOptions: (v) => ({ ...seedOption(v), ...(v.ratios ? { ratios: v.ratios.split(',').map(Number) } : {}) }),
    },
  ],
);

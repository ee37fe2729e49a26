// 6.4 Regularization: weight decay (figure 6-21) and dropout (figure 6-23) against overfitting a 300-image
// training set.
import { seedKnob, seedOption } from './knobs.js';
import { epochsKnob, listOption, sizeOptions, trainSizeKnob } from './size-knobs.js';
import { mountSection } from './ui.js';

const LAMBDAS = ['0', '0.001', '0.01', '0.03', '0.1', '0.3', '1'];
const RATIOS = ['0', '0.1', '0.2', '0.3', '0.5', '0.7'];

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
        'λ = 0.1 (the book’s). Weight decay adds λ/2·ΣW² to the loss, so every step also shrinks each weight a ' +
        'little: check more λ values to see the gap close as λ grows, and learning stall when it is too large. ' +
        'The book’s two claims are checked only when λ = 0 and 0.1 are among the runs.',
      figures: [
        {
          name: 'weight-decay',
          caption:
            'Train and test accuracy per epoch for both runs. Without decay training accuracy reaches 100 % and the ' +
            'test curve stays far below; with λ = 0.1 the gap is narrower and training stops short of 100 %.',
        },
      ],
      knobs: [
        {
          key: 'lambdas',
          label: 'weight decay λ (one run each)',
          kind: 'checks',
          value: '0,0.1',
          choices: LAMBDAS.map((l) => ({ value: l, label: l === '0' ? '0 (none)' : l })),
        },
        trainSizeKnob(300),
        epochsKnob(121, 201),
        seedKnob,
      ],
      toOptions: (v) => ({ ...seedOption(v), ...listOption(v, 'lambdas'), ...sizeOptions(v) }),
    },
    {
      name: 'dropout',
      heading: 'Dropout',
      intro:
        'The same net without dropout and with dropout ratio 0.2 (the book’s); check which ratios to run. A ratio r ' +
        'switches each hidden unit off with probability r at every training step (and scales by 1 − r at test ' +
        'time), so no unit can rely on another: higher ratios close the gap but learn more slowly. The book’s ' +
        'claims are checked only for the runs they speak of (0, and 0 against 0.2).',
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
          label: 'dropout ratios (one run each)',
          kind: 'checks',
          value: '0,0.2',
          choices: RATIOS.map((r) => ({ value: r, label: r === '0' ? 'no dropout' : `dropout ${r}` })),
        },
        trainSizeKnob(300),
        epochsKnob(61, 301),
        seedKnob,
      ],
      toOptions: (v) => ({ ...seedOption(v), ...listOption(v, 'ratios'), ...sizeOptions(v) }),
    },
  ],
);

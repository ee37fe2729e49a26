// 6.2 Initial weights: the hidden layers' activation histograms for each activation × weight scale (figures
// 6-10 … 6-14) and MNIST losses for std 0.01, Xavier and He (figure 6-15).
import { seedKnob, seedOption } from './knobs.js';
import { mountSection } from './ui.js';

const ACTS = [
  { value: 'sigmoid', label: 'sigmoid' },
  { value: 'tanh', label: 'tanh' },
  { value: 'relu', label: 'ReLU' },
];
const INITS = [
  { value: 'std1', label: 'std 1' },
  { value: 'std0.01', label: 'std 0.01' },
  { value: 'xavier', label: 'Xavier √(1/n)' },
  { value: 'he', label: 'He √(2/n)' },
];
const all = { value: 'all', label: 'all' };

mountSection(
  '6.2',
  'How big the initial weights are decides whether the signal survives the trip through the layers. Too big or ' +
    'too small and the activations pile up where the gradients vanish or all the units say the same thing.',
  [
    {
      name: 'init-histogram',
      heading: 'Activation histograms of 5 hidden layers',
      intro:
        '1000 random inputs through 5 layers of 100 units. The run computes every activation × weight scale; the ' +
        'two selects choose which histograms are shown.',
      figures: ACTS.flatMap((a) =>
        INITS.map((w) => ({
          name: `init-histogram-${a.value}-${w.value}`,
          caption:
            a.value === 'sigmoid' && w.value === 'std1'
              ? 'sigmoid, std 1: the activations crowd at 0 and 1, where the sigmoid’s gradient vanishes.'
              : w.value === 'std0.01'
                ? `${a.label}, std 0.01: the activations bunch together — the units all say the same thing.`
                : a.value === 'relu' && w.value === 'he'
                  ? 'ReLU with He: the spread stays the same in every layer.'
                  : w.value === 'xavier'
                    ? `${a.label} with Xavier: the activations stay spread out layer after layer${a.value === 'relu' ? ', though for ReLU they shrink towards 0 deeper in' : ''}.`
                    : `${a.label}, ${w.label}.`,
        })),
      ),
      knobs: [
        { key: 'act', label: 'activation', kind: 'select', value: 'all', choices: [all, ...ACTS] },
        { key: 'init', label: 'initial weights', kind: 'select', value: 'all', choices: [all, ...INITS] },
        {
          key: 'binning',
          label: 'binning',
          kind: 'select',
          value: 'book',
          choices: [
            { value: 'book', label: 'the book’s: 30 bins on [0, 1]' },
            { value: 'range', label: 'per activation range, ReLU zeros left out' },
          ],
        },
      ],
      toOptions: (v) => ({ binning: v.binning }),
      show: (name, v) => {
        const [act, init] = name.replace('init-histogram-', '').split(/-(.+)/);
        return (v.act === 'all' || v.act === act) && (v.init === 'all' || v.init === init);
      },
    },
    {
      name: 'init-mnist',
      heading: 'Initial weights on MNIST',
      intro: 'The same 5-layer ReLU net trained by SGD from three weight scales.',
      figures: [
        {
          name: 'init-mnist',
          caption:
            'With std 0.01 the loss hardly moves: the signal fades through the layers and nothing learns. Xavier ' +
            'and He both train, He a little faster.',
        },
      ],
      knobs: [seedKnob],
      toOptions: seedOption,
    },
  ],
);

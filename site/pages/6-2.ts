// 6.2 Initial weights: the hidden layers' activation histograms for each activation × weight scale (figures
// 6-10 … 6-14) and MNIST losses for std 0.01, Xavier and He (figure 6-15).
import { iterationsKnob, iterationsOption, seedKnob, seedOption } from './knobs.js';
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
  { value: 'custom', label: 'std of the slider' },
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
        '1000 random inputs through a stack of layers (the book’s: 5 of 100 units) for each activation × weight ' +
        'scale, the slider’s std among them. The two selects choose which are run and shown; a deep or wide ' +
        'stack of every setting takes a while, so pick one. Away from 5 × 100 the book’s findings are checked as ' +
        'it states them, and say so.',
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
                  : w.value === 'custom'
                    ? `${a.label} with the slider’s std, the same for every layer whatever its width: small and the activations close in on ${a.value === 'sigmoid' ? '0.5' : '0'}, large and they ${a.value === 'relu' ? 'grow layer after layer' : 'pile up at the ends'}; Xavier and He are the values in between that keep them spread.`
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
        {
          key: 'std',
          label: 'std of the slider’s weights',
          kind: 'range',
          value: '0.5',
          min: 0.01,
          max: 2,
          step: 0.01,
        },
        { key: 'layers', label: 'hidden layers', kind: 'number', value: '5', min: 1, max: 20, step: 1 },
        { key: 'units', label: 'units per layer', kind: 'number', value: '100', min: 1, max: 1000, step: 1 },
      ],
      toOptions: (v) => ({
        binning: v.binning,
        std: Number(v.std),
        layers: Number(v.layers),
        units: Number(v.units),
        ...(v.act === 'all' ? {} : { activations: [v.act] }),
        ...(v.init === 'all' ? {} : { inits: [v.init] }),
      }),
      show: (name, v) => {
        const [act, init] = name.replace('init-histogram-', '').split(/-(.+)/);
        return (v.act === 'all' || v.act === act) && (v.init === 'all' || v.init === init);
      },
    },
    {
      name: 'init-mnist',
      heading: 'Initial weights on MNIST',
      intro:
        'The same 5-layer ReLU net trained by SGD from three weight scales. Tick the scales to run (each keeps its ' +
        'weights of the full run); iterations left empty: the run size’s own (300 quick, 2000 full).',
      figures: [
        {
          name: 'init-mnist',
          caption:
            'With std 0.01 the loss hardly moves: the signal fades through the layers and nothing learns. Xavier ' +
            'and He both train, He a little faster. A finding about a scale left out is not reported.',
        },
      ],
      knobs: [
        {
          key: 'inits',
          label: 'initial weights',
          kind: 'checks',
          value: 'std0.01,xavier,he',
          choices: [
            { value: 'std0.01', label: 'std 0.01' },
            { value: 'xavier', label: 'Xavier' },
            { value: 'he', label: 'He' },
          ],
        },
        iterationsKnob,
        seedKnob,
      ],
      toOptions: (v) => ({ ...seedOption(v), ...iterationsOption(v), inits: v.inits.split(',').filter(Boolean) }),
    },
  ],
);

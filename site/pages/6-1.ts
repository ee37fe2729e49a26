// 6.1 Parameter updates: the four optimizers' paths on x²/20 + y² (figures 6-3 … 6-8) and their MNIST losses
// (figure 6-9). The paths are cheap: the panel reruns as soon as a knob changes, and a click (or a drag) on the
// contour plot moves the start point.
import type { Result } from 'vega-embed';
import { type Knob, mountSection, type PanelHandle } from './ui.js';
import { iterationsKnob, iterationsOption, seedKnob, seedOption } from './knobs.js';

const OPTIMIZERS = [
  { name: 'SGD', lr: '0.95' },
  { name: 'Momentum', lr: '0.1' },
  { name: 'AdaGrad', lr: '1.5' },
  { name: 'Adam', lr: '0.3' },
];

const pathKnobs: Knob[] = [
  { key: 'x', label: 'start x', kind: 'number', value: '-7', min: -10, max: 10, step: 0.1 },
  { key: 'y', label: 'start y', kind: 'number', value: '2', min: -5, max: 5, step: 0.1 },
  ...OPTIMIZERS.map(
    (o): Knob => ({
      key: `lr-${o.name}`,
      label: `${o.name} lr`,
      kind: 'number',
      value: o.lr,
      min: 0.01,
      max: 10,
      step: 0.01,
    }),
  ),
];

/** optimizer-mnist's choices: the book's four (checked by default) and the chapter's two others. */
const MNIST_OPTIMIZERS = ['SGD', 'Momentum', 'AdaGrad', 'Adam', 'Nesterov', 'RMSprop'];

/**
 * The data coordinates under a pointer. The figure is one cell per optimizer (a concat; Vega-Lite names a cell's
 * group `concat_<i>_group` and its scales `concat_<i>_x`/`_y`) or a single view (scales `x`, `y`): the cell under
 * the pointer is found by its background rectangle on screen (so a stylesheet's scaling of the SVG is accounted
 * for) and the pointer mapped through that cell's scales' ranges.
 */
function dataPoint(r: Result, e: MouseEvent): [number, number] | undefined {
  const svg = r.view.container()?.querySelector('svg');
  if (!svg) return undefined;
  const cells: { area: Element; prefix: string }[] = [];
  for (const g of svg.querySelectorAll('g.mark-group.role-scope')) {
    const m = /\b(concat_\d+_)group\b/.exec(g.getAttribute('class') ?? '');
    const area = g.querySelector(':scope > g > path.background');
    if (m && area) cells.push({ area, prefix: m[1] });
  }
  const frame = svg.querySelector('.role-frame path.background');
  if (cells.length === 0 && frame) cells.push({ area: frame, prefix: '' });
  for (const { area, prefix } of cells) {
    const box = area.getBoundingClientRect();
    if (e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom) continue;
    let sx: ReturnType<Result['view']['scale']>, sy: ReturnType<Result['view']['scale']>;
    try {
      sx = r.view.scale(`${prefix}x`);
      sy = r.view.scale(`${prefix}y`);
    } catch {
      return undefined;
    }
    if (!sx || !sy) return undefined;
    const [x0, x1] = sx.range() as number[],
      [y0, y1] = sy.range() as number[];
    const x = sx.invert(((e.clientX - box.left) / box.width) * Math.abs(x1 - x0)) as number;
    const y = sy.invert(((e.clientY - box.top) / box.height) * Math.abs(y1 - y0)) as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return undefined;
    return [Math.round(Math.min(10, Math.max(-10, x)) * 10) / 10, Math.round(Math.min(5, Math.max(-5, y)) * 10) / 10];
  }
  return undefined;
}

function listenForStart(name: string, r: Result, panel: PanelHandle): void {
  if (name !== 'optimizer-paths') return;
  const svg = r.view.container()?.querySelector('svg');
  if (!svg) return;
  svg.style.cursor = 'crosshair';
  let dragging = false;
  const move = (e: PointerEvent) => {
    const pt = dataPoint(r, e);
    if (pt) panel.set({ x: String(pt[0]), y: String(pt[1]) });
  };
  svg.addEventListener('pointerdown', (e) => {
    dragging = true;
    svg.setPointerCapture(e.pointerId);
    move(e);
  });
  svg.addEventListener('pointermove', (e) => {
    if (dragging) move(e);
  });
  svg.addEventListener('pointerup', () => {
    dragging = false;
  });
}

mountSection(
  '6.1',
  'Four ways to update the weights from their gradients: plain SGD, Momentum, AdaGrad and Adam. First on a ' +
    'two-variable bowl where the paths can be drawn, then training the same MNIST net.',
  [
    {
      name: 'optimizer-paths',
      heading: 'Paths on f(x, y) = x²/20 + y²',
      intro:
        'The bowl is twenty times steeper in y than in x, so the gradient points mostly across the valley rather ' +
        'along it. Click or drag on the plot to move the start point; change a learning rate and the paths redraw. ' +
        'Away from the book’s start (−7, 2) and rates the findings are still the book’s, checked on the new paths: ' +
        'some of them fail there, which is the point of trying.',
      figures: [
        {
          name: 'optimizer-paths',
          caption:
            'Look for SGD zig-zagging across the valley (its y keeps changing sign) while it creeps along x; ' +
            'Momentum rolls like a ball and overshoots; AdaGrad and Adam damp the steep direction and head to the ' +
            'minimum at (0, 0) smoothly.',
        },
      ],
      knobs: pathKnobs,
      live: true,
      toOptions: (v) => ({
        start: [Number(v.x), Number(v.y)],
        lr: Object.fromEntries(OPTIMIZERS.map((o) => [o.name, Number(v[`lr-${o.name}`])])),
      }),
      onDraw: listenForStart,
    },
    {
      name: 'optimizer-mnist',
      heading: 'The four optimizers on MNIST',
      intro:
        'A net of 4 hidden layers of 100 ReLU units, trained on MNIST (batch 128) by each optimizer at the book’s ' +
        'rates. Tick the optimizers to race (Nesterov and RMSprop are the chapter’s other two); each keeps the ' +
        'weights it starts from in the full race, so dropping one changes no other curve. Iterations left empty: ' +
        'the run size’s own (300 quick, 2000 full).',
      figures: [
        {
          name: 'optimizer-mnist',
          caption:
            'The loss against iterations: SGD falls slowest; Momentum, AdaGrad and Adam end far below it (at most ' +
            'half its loss over the last 100 iterations), AdaGrad lowest in the book’s run. That finding is ' +
            'reported only when SGD and at least one of the three ran.',
        },
      ],
      knobs: [
        {
          key: 'optimizers',
          label: 'optimizers',
          kind: 'checks',
          value: 'SGD,Momentum,AdaGrad,Adam',
          choices: MNIST_OPTIMIZERS.map((o) => ({ value: o, label: o })),
        },
        iterationsKnob,
        seedKnob,
      ],
      toOptions: (v) => ({
        ...seedOption(v),
        ...iterationsOption(v),
        optimizers: v.optimizers.split(',').filter(Boolean),
      }),
    },
  ],
);

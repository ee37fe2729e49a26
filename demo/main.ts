// The demo page: controls → a TrainConfig for the worker; progress → loss and accuracy charts (the same Vega-Lite
// specs the Node figures use, rendered by vega-embed); a drawing pad → 28×28 input → class probabilities; the
// current net's hidden activations → histograms.
import embed, { type Result } from 'vega-embed';
import { argmax, histogramGrid, lineChart, type OptimizerName, type VegaLiteSpec } from 'zerodl';
import type { FromWorker, ToWorker, TrainConfig } from './protocol.js';
import { SIDE, toMnistInput } from './preprocess.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

// ───────────────────────────── state shown by the page ─────────────────────────────

const state = {
  ready: false,
  training: false,
  losses: [] as number[],
  epochs: [] as { epoch: number; trainAcc: number; testAcc: number }[],
  lastPrediction: undefined as undefined | { digit: number; probs: number[] },
  finalTestAccuracy: undefined as number | undefined,
  /** The last run's training speed as the worker measured it (test/browser/engines.test.ts compares it). */
  samplesPerSecond: undefined as number | undefined,
  /** performance.now() at the start of each chart redraw made while training (the throttle's record, for tests). */
  trainingChartDraws: [] as number[],
};

function setStatus(text: string, error = false): void {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

// Learning rates that train this subset well in a few epochs (the book's defaults are tuned for its own runs).
const GOOD_LR: Record<OptimizerName, number> = {
  sgd: 0.1,
  momentum: 0.05,
  nesterov: 0.05,
  adagrad: 0.05,
  rmsprop: 0.001,
  adam: 0.001,
};
field('optimizer').addEventListener('change', () => {
  field('lr').value = String(GOOD_LR[field('optimizer').value as OptimizerName]);
});
// The std and the dropout ratio only mean something with their switch on.
const syncEnabled = () => {
  field('std').disabled = field('init').value !== 'std';
  field('dropoutRatio').disabled = !field('dropout').checked;
};
field('init').addEventListener('change', syncEnabled);
field('dropout').addEventListener('change', syncEnabled);
syncEnabled();

function readConfig(): TrainConfig {
  const num = (name: string) => Number(field(name).value);
  const hiddenSizes = field('hidden')
    .value.split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (hiddenSizes.length === 0 || hiddenSizes.some((n) => !Number.isInteger(n) || n < 1 || n > 2000)) {
    throw new Error('hidden layers: expected comma-separated widths from 1 to 2000, e.g. "100, 100"');
  }
  const init = field('init').value;
  return {
    hiddenSizes,
    activation: field('activation').value as 'relu' | 'sigmoid',
    weightInit: init === 'std' ? num('std') : (init as 'he' | 'xavier'),
    useBatchNorm: field('batchnorm').checked,
    useDropout: field('dropout').checked,
    dropoutRatio: num('dropoutRatio'),
    weightDecayLambda: num('weightDecay'),
    optimizer: field('optimizer').value as OptimizerName,
    lr: num('lr'),
    batchSize: num('batchSize'),
    epochs: num('epochs'),
    seed: num('seed'),
  };
}

function setTraining(on: boolean): void {
  state.training = on;
  $<HTMLButtonElement>('start').disabled = !state.ready || on;
  $<HTMLButtonElement>('stop').disabled = !on;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  let config: TrainConfig;
  try {
    config = readConfig();
  } catch (error) {
    setStatus((error as Error).message, true);
    return;
  }
  state.losses = [];
  state.epochs = [];
  state.finalTestAccuracy = undefined;
  state.samplesPerSecond = undefined;
  state.trainingChartDraws = [];
  for (const id of ['iter', 'speed', 'train-acc', 'test-acc']) $(id).textContent = '–';
  $('test-acc').dataset.value = '';
  setTraining(true);
  setStatus(`training 784-${config.hiddenSizes.join('-')}-10 with ${config.optimizer} (lr ${config.lr})…`);
  send({ type: 'start', config });
  scheduleCharts();
});
$('stop').addEventListener('click', () => send({ type: 'stop' }));

// ───────────────────────────── charts ─────────────────────────────

const views = new Map<string, Result>();

async function show(id: string, spec: VegaLiteSpec): Promise<void> {
  const result = await embed(`#${id}`, spec as never, { actions: false, renderer: 'svg' });
  views.get(id)?.finalize();
  views.set(id, result);
}

function lossSpec(): VegaLiteSpec {
  const y = state.losses.length ? state.losses : [NaN];
  return lineChart({
    title: 'Training loss',
    xLabel: 'iteration',
    yLabel: 'cross-entropy loss',
    series: [{ name: 'loss', y }],
    smooth: state.losses.length > 40 ? 15 : 0,
    width: 420,
    height: 200,
  });
}

function accSpec(): VegaLiteSpec {
  const x = state.epochs.map((e) => e.epoch);
  const has = x.length > 0;
  return lineChart({
    title: 'Accuracy',
    xLabel: 'epoch',
    yLabel: 'accuracy',
    yDomain: [0, 1],
    width: 420,
    height: 200,
    series: [
      { name: 'train', x: has ? x : [0], y: has ? state.epochs.map((e) => e.trainAcc) : [NaN] },
      { name: 'test', x: has ? x : [0], y: has ? state.epochs.map((e) => e.testAcc) : [NaN] },
    ],
  });
}

// Redraws are coalesced and rare while training: at most one per second, never two at once (each builds new Vega
// views on this thread, and on a 2-core machine that time is taken from the training worker — the demo must keep
// ≥ 80% of the worker's standalone speed; test/browser/engines.test.ts checks the spacing and reports the speed ratio).
// When idle, a change shows after 100 ms.
const CHART_INTERVAL_MS = { training: 1000, idle: 100 };
let chartTimer: number | undefined;
let chartsDirty = false;
let chartsDrawing = false;
let lastChartDraw = 0;
function scheduleCharts(): void {
  chartsDirty = true;
  if (chartTimer !== undefined || chartsDrawing) return;
  const wait = Math.max(0, lastChartDraw + CHART_INTERVAL_MS[state.training ? 'training' : 'idle'] - performance.now());
  chartTimer = window.setTimeout(async () => {
    chartTimer = undefined;
    if (!chartsDirty) return;
    chartsDirty = false;
    chartsDrawing = true;
    if (state.training) state.trainingChartDraws.push(performance.now());
    try {
      await Promise.all([show('loss-chart', lossSpec()), show('acc-chart', accSpec())]);
    } finally {
      chartsDrawing = false;
      lastChartDraw = performance.now();
      if (chartsDirty) scheduleCharts(); // what arrived meanwhile
    }
  }, wait);
}

function showHistograms(layers: Float32Array[], activation: 'relu' | 'sigmoid'): void {
  // Sigmoid outputs live in [0, 1] (the book's figure); ReLU outputs are binned up to their 99th percentile.
  let hi = 1;
  if (activation === 'relu') {
    const all = Float32Array.from(layers.flatMap((l) => Array.from(l))).sort();
    hi = Math.max(all[Math.floor(all.length * 0.99)] ?? 1, 1e-3);
  }
  void show(
    'hist-chart',
    histogramGrid({
      title: `Activations of each hidden layer (200 test images, ${activation})`,
      panels: layers.map((values, i) => ({ name: `${i + 1}-layer`, values })),
      domain: [0, hi],
      columns: Math.min(layers.length, 5),
      width: 200,
      height: 130,
    }),
  );
}
let lastHistogramRequest = -Infinity;
function requestHistograms(): void {
  lastHistogramRequest = performance.now();
  send({ type: 'activations' });
}
$('refresh-hist').addEventListener('click', requestHistograms);

// ───────────────────────────── the drawing pad ─────────────────────────────

const pad = $<HTMLCanvasElement>('pad');
const ctx = pad.getContext('2d', { willReadFrequently: true })!;
const preview = $<HTMLCanvasElement>('preview').getContext('2d')!;

function clearPad(): void {
  ctx.fillStyle = 'black';
  ctx.fillRect(0, 0, pad.width, pad.height);
  preview.fillStyle = 'black';
  preview.fillRect(0, 0, SIDE, SIDE);
  $('prediction').textContent = 'draw 0–9';
  delete $('prediction').dataset.class;
  $('probs').replaceChildren();
  state.lastPrediction = undefined;
}
clearPad();
$('clear').addEventListener('click', clearPad);

let drawing = false;
let last: [number, number] = [0, 0];
const at = (e: PointerEvent): [number, number] => {
  const r = pad.getBoundingClientRect();
  return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
};
pad.addEventListener('pointerdown', (e) => {
  drawing = true;
  pad.setPointerCapture(e.pointerId);
  last = at(e);
  stroke(last, last);
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const p = at(e);
  stroke(last, p);
  last = p;
  throttledClassify();
});
const end = () => {
  if (!drawing) return;
  drawing = false;
  classify();
};
pad.addEventListener('pointerup', end);
pad.addEventListener('pointercancel', end);

function stroke(a: [number, number], b: [number, number]): void {
  ctx.strokeStyle = 'white';
  ctx.lineWidth = 20;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(a[0], a[1]);
  ctx.lineTo(b[0], b[1]);
  ctx.stroke();
}

let lastClassify = 0;
function throttledClassify(): void {
  const now = performance.now();
  if (now - lastClassify > 80) classify();
}

let predictionId = 0;
/** Reads the pad, shows the 28×28 input and asks the worker for class probabilities. */
function classify(): void {
  lastClassify = performance.now();
  const { data, width, height } = ctx.getImageData(0, 0, pad.width, pad.height);
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = data[4 * i] / 255;
  const x = toMnistInput(ink, width, height);
  if (!x || !state.ready) return;
  const img = preview.createImageData(SIDE, SIDE);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i] * 255);
    img.data.set([v, v, v, 255], 4 * i);
  }
  preview.putImageData(img, 0, 0);
  send({ type: 'predict', id: ++predictionId, x }, [x.buffer]);
}

function showProbabilities(probs: number[]): void {
  const digit = argmax(probs);
  state.lastPrediction = { digit, probs };
  const out = $('prediction');
  out.textContent = `${digit}  (${(100 * probs[digit]).toFixed(0)}%)`;
  out.dataset.class = String(digit);
  $('probs').replaceChildren(
    ...probs.map((p, k) => {
      const row = document.createElement('div');
      row.className = k === digit ? 'prob top' : 'prob';
      row.innerHTML = `<span>${k}</span><div class="bar" style="width:${(100 * p).toFixed(1)}%"></div><span class="pct">${(100 * p).toFixed(1)}%</span>`;
      return row;
    }),
  );
}

// ───────────────────────────── messages from the worker ─────────────────────────────

// The counters too change at most 4 times a second (each change is a layout and a paint on this thread; the worker
// reports every 100 ms); the last report is always shown.
let progressShown = 0;
let progressTimer: number | undefined;
let progressLatest: { iter: number; maxIter: number; samplesPerSecond: number } | undefined;
function showProgress(m: { iter: number; maxIter: number; samplesPerSecond: number }): void {
  progressLatest = m;
  if (progressTimer !== undefined) return;
  progressTimer = window.setTimeout(
    () => {
      progressTimer = undefined;
      progressShown = performance.now();
      const p = progressLatest!;
      $('iter').textContent = `${p.iter} / ${p.maxIter}`;
      $('speed').textContent = Math.round(p.samplesPerSecond).toLocaleString('en');
    },
    Math.max(0, progressShown + 250 - performance.now()),
  );
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'ready':
      state.ready = true;
      setTraining(false);
      setStatus(
        `ready: wasm kernels (${m.variant}), ${m.trainSize.toLocaleString('en')} training and ` +
          `${m.testSize.toLocaleString('en')} test images. Press Start.`,
      );
      send({ type: 'activations' });
      break;
    case 'progress':
      state.losses.push(...m.losses);
      showProgress(m);
      scheduleCharts();
      break;
    case 'epoch':
      state.epochs.push(m);
      $('train-acc').textContent = `${(100 * m.trainAcc).toFixed(1)}%`;
      $('test-acc').textContent = `${(100 * m.testAcc).toFixed(1)}%`;
      $('test-acc').dataset.value = String(m.testAcc);
      scheduleCharts();
      // The histograms at most every 3 s while training (a forward pass in the worker and a Vega view here), and
      // always after the run.
      if (performance.now() - lastHistogramRequest > 3000) requestHistograms();
      break;
    case 'done':
      state.finalTestAccuracy = m.finalTestAccuracy;
      state.samplesPerSecond = m.samplesPerSecond;
      setTraining(false);
      setStatus(
        `${m.aborted ? 'stopped' : 'done'}: test accuracy ${(100 * m.finalTestAccuracy).toFixed(1)}% after ` +
          `${m.seconds.toFixed(1)} s, ${Math.round(m.samplesPerSecond).toLocaleString('en')} samples/s. Draw a digit →`,
      );
      classify();
      scheduleCharts();
      requestHistograms();
      break;
    case 'prediction':
      if (m.id === predictionId) showProbabilities(m.probs);
      break;
    case 'activations':
      showHistograms(m.layers, m.activation);
      break;
    case 'error':
      setTraining(false);
      setStatus(m.message, true);
      console.error(m.message);
      break;
  }
};
worker.onerror = (e) => {
  setStatus(`worker failed: ${e.message}`, true);
  console.error(e.message);
};

void show('loss-chart', lossSpec());
void show('acc-chart', accSpec());

// For scripted use (the browser tests): the page's state and the classifier of whatever is on the pad.
(window as unknown as { zerodlDemo: unknown }).zerodlDemo = { state, classify, clearPad };

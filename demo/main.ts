// The demo page: controls → a TrainConfig for the worker; progress → loss and accuracy charts (the same Vega-Lite
// specs the Node figures use, rendered by vega-embed); a drawing pad → 28×28 input → class probabilities; the
// current net's hidden activations → histograms; the net out to a .safetensors file (net.toBytes()) and back in from a
// dropped or chosen file (MultiLayerNet.fromBytes, in the worker).
import embed, { type Result } from 'vega-embed';
import { argmax, histogramGrid, lineChart, type OptimizerName, type VegaLiteSpec } from 'zerodl';
import type { FromWorker, ModelInfo, ToWorker, TrainConfig } from './protocol.js';
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
  /** The worker's current net: its config, test accuracy and where it came from. */
  model: undefined as ModelInfo | undefined,
  /** The last refused model file's message ("FormatError: …"), cleared by the next load. */
  loadError: undefined as string | undefined,
};

/**
 * A probability or accuracy as a percentage with one decimal, the same everywhere (headline, bars, stats): never "100.0%" or
 * "0.0%" unless it is exactly that (">99.9%", "<0.1%").
 */
function percent(p: number): string {
  if (p > 0.999 && p < 1) return '>99.9%';
  if (p > 0 && p < 0.001) return '<0.1%';
  return `${(100 * p).toFixed(1)}%`;
}

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
  $<HTMLButtonElement>('download').disabled = !state.ready;
  $<HTMLButtonElement>('sample').disabled = !state.ready;
  $<HTMLInputElement>('model-file').disabled = !state.ready || on;
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
  state.model = undefined; // until the worker reports the new net
  for (const id of ['iter', 'speed', 'step-speed', 'train-acc', 'test-acc']) $(id).textContent = '–';
  $('test-acc').dataset.value = '';
  setTraining(true);
  setStatus(`training 784-${config.hiddenSizes.join('-')}-10 with ${config.optimizer} (lr ${config.lr})…`);
  send({ type: 'start', config });
  clearCharts();
});
$('stop').addEventListener('click', () => send({ type: 'stop' }));

// ───────────────────────────── charts ─────────────────────────────

const views = new Map<string, Result>();

async function show(id: string, spec: VegaLiteSpec): Promise<void> {
  const result = await embed(`#${id}`, spec as never, { actions: false, renderer: 'svg' });
  views.get(id)?.finalize();
  views.set(id, result);
}

/** Charts are drawn only with data (Vega warns of an "Infinite extent" over none): before, a sentence holds the place. */
function placeholder(id: string, text: string): void {
  views.get(id)?.finalize();
  views.delete(id);
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = text;
  $(id).replaceChildren(p);
}
function clearCharts(): void {
  placeholder('loss-chart', 'The loss curve appears after the first iterations.');
  placeholder('acc-chart', 'The accuracy curves appear after the first epoch.');
}

/** A chart's plot width: 420 px, or less where the column is narrower (a phone), leaving room for axes and legend. */
// (the section's width: a drawn chart's own box shrinks to the chart, vega-embed's inline-block)
const room = (id: string) => $(id).parentElement!.clientWidth;
const plotWidth = (id: string, max: number) => Math.max(160, Math.min(max, room(id) - 150));

function lossSpec(): VegaLiteSpec {
  const y = state.losses;
  return lineChart({
    title: 'Training loss',
    xLabel: 'iteration',
    yLabel: 'cross-entropy loss',
    series: [{ name: 'loss', y }],
    smooth: state.losses.length > 40 ? 15 : 0,
    width: plotWidth('loss-chart', 420),
    height: 200,
  });
}

function accSpec(): VegaLiteSpec {
  const x = state.epochs.map((e) => e.epoch);
  return lineChart({
    title: 'Accuracy',
    xLabel: 'epoch',
    yLabel: 'accuracy',
    yDomain: [0, 1],
    width: plotWidth('acc-chart', 420),
    height: 200,
    series: [
      { name: 'train', x, y: state.epochs.map((e) => e.trainAcc) },
      { name: 'test', x, y: state.epochs.map((e) => e.testAcc) },
    ],
  });
}

// Redraws are coalesced and rare while training: at most one per second, never two at once (each builds new Vega
// views on this thread, and on a 2-core machine that time is taken from the training worker — the demo must keep
// ≥ 80% of the worker's standalone speed; test/browser/engines.test.ts checks the spacing and reports the speed ratio:
// in Chromium here, best of three alternated runs, 0.93–1.02 at 1 s and 0.89 in one run at 250 ms, machine shared).
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
      await Promise.all([
        state.losses.length > 0 ? show('loss-chart', lossSpec()) : undefined,
        state.epochs.length > 0 ? show('acc-chart', accSpec()) : undefined,
      ]);
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
  const narrow = room('hist-chart') < 500;
  void show(
    'hist-chart',
    histogramGrid({
      title: `Activations of ${narrow ? 'hidden layers' : 'each hidden layer'} (200 test images, ${activation})`,
      panels: layers.map((values, i) => ({ name: `${i + 1}-layer`, values })),
      domain: [0, hi],
      // Five panels of 200 px in a row on a wide screen; fewer and narrower ones on a phone.
      columns: Math.max(1, Math.min(layers.length, 5, Math.floor((room('hist-chart') - 20) / 250))),
      width: Math.min(200, Math.max(120, room('hist-chart') - 150)),
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
  delete pad.dataset.label;
  state.lastPrediction = undefined;
}
clearPad();
$('clear').addEventListener('click', clearPad);
$('sample').addEventListener('click', () => send({ type: 'sample' }));

/** Paints a 28×28 grey image on the pad at 10× (a test image: a way to try the net without drawing). */
function paintDigit(pixels: Uint8Array): void {
  clearPad();
  const scale = pad.width / SIDE;
  for (let i = 0; i < SIDE * SIDE; i++) {
    if (pixels[i] === 0) continue;
    ctx.fillStyle = `rgb(${pixels[i]},${pixels[i]},${pixels[i]})`;
    ctx.fillRect((i % SIDE) * scale, Math.floor(i / SIDE) * scale, scale, scale);
  }
}

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
  out.textContent = `${digit}  (${percent(probs[digit])})`;
  out.dataset.class = String(digit);
  $('probs').replaceChildren(
    ...probs.map((p, k) => {
      const row = document.createElement('div');
      row.className = k === digit ? 'prob top' : 'prob';
      row.innerHTML = `<span>${k}</span><div class="bar" style="width:${(100 * p).toFixed(1)}%"></div><span class="pct">${percent(p)}</span>`;
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
      $('train-acc').textContent = percent(m.trainAcc);
      $('test-acc').textContent = percent(m.testAcc);
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
      $('step-speed').textContent = Math.round(m.samplesPerSecond).toLocaleString('en');
      setStatus(
        `${m.aborted ? 'stopped' : 'done'}: test accuracy ${percent(m.finalTestAccuracy)} after ` +
          `${m.seconds.toFixed(1)} s. Draw a digit →`,
      );
      classify();
      scheduleCharts();
      requestHistograms();
      break;
    case 'prediction':
      if (m.id === predictionId) showProbabilities(m.probs);
      scripted.get(m.id)?.(m.probs);
      scripted.delete(m.id);
      break;
    case 'loaded':
      showModel(m.info);
      if (m.info.source !== 'untrained' && m.info.source !== 'trained here') {
        state.loadError = undefined;
        $('model-error').hidden = true;
        setStatus(`loaded ${m.info.source}: test accuracy ${percent(m.info.testAcc)}. Draw a digit →`);
        classify();
        requestHistograms();
      }
      break;
    case 'load-error':
      state.loadError = m.message;
      $('model-error').textContent = `${m.message} — the current net is unchanged.`;
      $('model-error').hidden = false;
      setStatus(`${m.name} was not loaded (the current net is unchanged): ${m.message}`, true);
      break;
    case 'sample':
      paintDigit(m.pixels);
      $('pad').dataset.label = String(m.label);
      classify();
      break;
    case 'model':
      showModel(m.info);
      saveModel(m.bytes, m.info);
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

// ───────────────────────────── the model file: out and in ─────────────────────────────

const sizesOf = (c: Record<string, unknown>) =>
  [c.inputSize, ...((c.hiddenSizes as number[] | undefined) ?? []), c.outputSize].join('-');

function showModel(info: ModelInfo): void {
  state.model = info;
  const c = info.config;
  const parts = [
    sizesOf(c),
    String(c.activation),
    `init ${typeof c.weightInit === 'number' ? `std ${c.weightInit}` : String(c.weightInit)}`,
  ];
  if (c.useBatchNorm) parts.push('BatchNorm');
  if (c.useDropout) parts.push(`Dropout ${c.dropoutRatio}`);
  if (Number(c.weightDecayLambda) > 0) parts.push(`λ ${c.weightDecayLambda}`);
  const el = $('model-info');
  el.textContent = `${info.source}: ${parts.join(', ')}; test accuracy ${percent(info.testAcc)}`;
  el.dataset.testAcc = String(info.testAcc);
}

/** Saves the worker's net.toBytes() as a .safetensors file (the same bytes net.save writes in Node). */
function saveModel(bytes: Uint8Array, info: ModelInfo): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `zerodl-${sizesOf(info.config)}.safetensors`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
$('download').addEventListener('click', () => send({ type: 'download' }));

async function loadFile(file: File): Promise<void> {
  if (state.training) {
    setStatus(`${file.name} was not loaded: stop the training first`, true);
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  setStatus(`loading ${file.name}…`);
  send({ type: 'load', name: file.name, bytes }, [bytes.buffer]);
}
const fileInput = $<HTMLInputElement>('model-file');
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  fileInput.value = ''; // the same file chosen again is a new change
  if (file) void loadFile(file);
});
// A file dropped anywhere on the page (the page is highlighted while one is dragged over it).
document.addEventListener('dragover', (e) => {
  if (!e.dataTransfer?.types.includes('Files')) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'copy';
  document.body.classList.add('dropping');
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) document.body.classList.remove('dropping');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dropping');
  const file = e.dataTransfer?.files[0];
  if (file && state.ready) void loadFile(file);
});

/** Class probabilities of any 784-value input from the worker's current net (for the tests). */
const scripted = new Map<number, (probs: number[]) => void>();
let scriptedId = 0;
function predict(x: number[]): Promise<number[]> {
  return new Promise((resolve) => {
    const id = --scriptedId; // negative: never the pad's
    scripted.set(id, resolve);
    send({ type: 'predict', id, x: Float32Array.from(x) });
  });
}

// For scripted use (the browser tests): the page's state, the classifier of whatever is on the pad, and the net's
// probabilities for a given input.
(window as unknown as { zerodlDemo: unknown }).zerodlDemo = { state, classify, clearPad, predict };

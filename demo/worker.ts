// The training worker: loads the kernels and the MNIST subset once, then trains, predicts and reports activations
// on request. Training runs in zerodl's Trainer, which yields to the event loop every ~50 ms, so `stop` and
// `predict` messages are handled between two steps while the page stays responsive.
import { init, MultiLayerNet, simdVariant, softmax, Trainer } from 'zerodl';
import { fetchSubset, type MnistSubset } from './data.js';
import type { FromWorker, ModelInfo, ToWorker, TrainConfig } from './protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

/** The net the page sees before the first run: an untrained 784-100-100-10. */
const DEFAULT_NET: TrainConfig = {
  hiddenSizes: [100, 100],
  activation: 'relu',
  weightInit: 'he',
  useBatchNorm: false,
  useDropout: false,
  dropoutRatio: 0.5,
  weightDecayLambda: 0,
  optimizer: 'adam',
  lr: 0.001,
  batchSize: 100,
  epochs: 1,
  seed: 1,
};

let train: MnistSubset, test: MnistSubset;
let net: MultiLayerNet;
let source = 'untrained';
/** The test image the pad's "Next test digit" shows next: 0, 1, 2, … */
let nextSample = 0;
let current: AbortController | undefined;

const makeNet = (c: TrainConfig) =>
  new MultiLayerNet({
    inputSize: 784,
    hiddenSizes: c.hiddenSizes,
    outputSize: 10,
    activation: c.activation,
    weightInit: c.weightInit,
    useBatchNorm: c.useBatchNorm,
    useDropout: c.useDropout,
    dropoutRatio: c.dropoutRatio,
    weightDecayLambda: c.weightDecayLambda,
    seed: c.seed,
  });

const ready = (async () => {
  // The wasm files sit beside this bundle (demo/build.mjs copies them), where zerodl looks by default.
  await init();
  [train, test] = await Promise.all([
    fetchSubset(new URL('./data/train.bin', import.meta.url)),
    fetchSubset(new URL('./data/test.bin', import.meta.url)),
  ]);
  net = makeNet(DEFAULT_NET);
  postLoaded();
  post({ type: 'ready', variant: simdVariant() ?? '?', trainSize: train.count, testSize: test.count });
})();
ready.catch((e: Error) => post({ type: 'error', message: `${e.name}: ${e.message}` }));

/** The current net's config (as its model file records it) and its accuracy on the test subset. */
function info(): ModelInfo {
  return {
    source,
    config: JSON.parse(JSON.stringify(net.config)) as Record<string, unknown>,
    testAcc: net.accuracy(test.images, test.labels),
  };
}
function postLoaded(): void {
  post({ type: 'loaded', info: info() });
}

/**
 * Replaces the net by the one in `bytes`, or leaves it as it is: a file that is not a model (FormatError from
 * MultiLayerNet.fromBytes) or a model of another shape than the pad's 784 → … → 10 is refused with its reason.
 */
function load(name: string, bytes: Uint8Array): void {
  const refuse = (message: string) => post({ type: 'load-error', name, message });
  if (current) {
    refuse('the net is training: stop it before loading a model');
    return;
  }
  let loaded: MultiLayerNet;
  try {
    loaded = MultiLayerNet.fromBytes(bytes, { name });
  } catch (e) {
    refuse(`${(e as Error).name}: ${(e as Error).message}`);
    return;
  }
  const { inputSize, outputSize } = loaded.config;
  if (inputSize !== 784 || outputSize !== 10) {
    loaded.dispose();
    refuse(`${name}: a net of ${inputSize} inputs and ${outputSize} classes; the pad needs 784 → … → 10`);
    return;
  }
  net.dispose();
  net = loaded;
  source = name;
  postLoaded();
}

async function run(config: TrainConfig): Promise<void> {
  // The previous net's memory is returned, unless a run still steps it (the page starts none while one runs).
  if (current) current.abort();
  else net.dispose();
  const controller = new AbortController();
  current = controller;
  net = makeNet(config);
  source = 'trained here';
  let pending: number[] = [];
  let lastPost = 0;
  const t0 = performance.now();
  const trainer = new Trainer(net, train.images, train.labels, test.images, test.labels, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer: config.optimizer,
    optimizerParams: { lr: config.lr },
    seed: config.seed,
    signal: controller.signal,
    onIteration: ({ iter, loss, maxIter }) => {
      pending.push(loss);
      const now = performance.now();
      if (now - lastPost > 100 || iter === maxIter) {
        lastPost = now;
        post({
          type: 'progress',
          iter,
          maxIter,
          losses: pending,
          samplesPerSecond: (iter * config.batchSize) / ((now - t0) / 1000),
        });
        pending = [];
      }
    },
    onEpoch: ({ epoch, trainAcc, testAcc }) => post({ type: 'epoch', epoch, trainAcc, testAcc }),
  });
  const r = await trainer.train();
  if (current === controller) current = undefined;
  post({
    type: 'done',
    aborted: r.aborted,
    finalTestAccuracy: r.finalTestAccuracy,
    samplesPerSecond: r.samplesPerSecond,
    seconds: r.seconds,
  });
  if (net === trainer.net) postLoaded();
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  try {
    await ready;
    if (m.type === 'start') await run(m.config);
    else if (m.type === 'stop') current?.abort();
    else if (m.type === 'predict') post({ type: 'prediction', id: m.id, probs: softmax(net.predict(m.x)) });
    else if (m.type === 'download') {
      post({ type: 'model', bytes: net.toBytes(), info: info() });
    } else if (m.type === 'load') load(m.name, m.bytes);
    else if (m.type === 'sample') {
      const index = nextSample++ % test.count;
      const pixels = test.pixels.slice(index * 784, (index + 1) * 784);
      post({ type: 'sample', index, label: test.labels[index], pixels });
    } else if (m.type === 'activations') {
      // 200 test images through the current net, test mode: one array per hidden layer.
      const layers = net.hiddenActivations(test.images.subarray(0, 200 * 784)).map((a) => a.slice());
      post(
        { type: 'activations', layers, activation: net.config.activation },
        layers.map((a) => a.buffer),
      );
    }
  } catch (e) {
    post({ type: 'error', message: `${(e as Error).name}: ${(e as Error).message}` });
  }
};

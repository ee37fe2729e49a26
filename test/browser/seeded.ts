// The same-seed check, run unchanged in Node (src/) and in Chromium (dist/index.js via a script module): a
// 784-64-32-10 net with BatchNorm, Dropout and weight decay, trained by Adam for 20 steps on the same 500 MNIST
// images. Self-contained on purpose — the browser receives it as source text — so it takes the module as `z`.
export interface SeededResult {
  losses: number[];
  variant: string | undefined;
}

export async function firstLosses(
  z: typeof import('../../src/index.js'),
  pixels: Uint8Array,
  labels: Uint8Array,
): Promise<SeededResult> {
  await z.init({ simd: 'simd' }); // the same binary on both sides (a browser would pick relaxed SIMD by itself)
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] / 255;
  const net = new z.MultiLayerNet({
    inputSize: 784,
    hiddenSizes: [64, 32],
    outputSize: 10,
    activation: 'relu',
    weightInit: 'he',
    useBatchNorm: true,
    useDropout: true,
    dropoutRatio: 0.2,
    weightDecayLambda: 1e-4,
    seed: 7,
  });
  const losses: number[] = [];
  const n = labels.length; // 500 → 10 steps of 50 per epoch, 2 epochs
  const trainer = new z.Trainer(net, x, labels, x.subarray(0, 100 * 784), labels.subarray(0, 100), {
    epochs: 2,
    batchSize: n / 10,
    optimizer: 'adam',
    optimizerParams: { lr: 1e-3 },
    seed: 3,
    onIteration: ({ loss }) => {
      losses.push(loss);
    },
  });
  await trainer.train();
  return { losses, variant: z.simdVariant() };
}

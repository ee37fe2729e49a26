// Same seed, same losses: 300 Adam steps of a 64-48-48-10 net (BatchNorm, Dropout, weight decay) on made-up but
// learnable data (the label is the argmax of a fixed linear map of x), with the wasm binary `simd`. Self-contained
// (no imports, data from an LCG) so that every runtime and browser runs this same text: Node (each version), Bun,
// Deno (test/runtimes/smoke.mjs), Chromium, Firefox and WebKit (test/browser/engines.test.ts, as source text).
// `z` is the zerodl module. init() loads one binary per process or page, so call this once per process or page.
export async function seededLosses(z, simd, steps = 300) {
  await z.init({ simd });
  const net = new z.MultiLayerNet({
    inputSize: 64,
    hiddenSizes: [48, 48],
    outputSize: 10,
    activation: 'relu',
    weightInit: 'he',
    useBatchNorm: true,
    useDropout: true,
    dropoutRatio: 0.1,
    weightDecayLambda: 1e-4,
    seed: 11,
  });
  const opt = z.createOptimizer('adam', { lr: 1e-3 });
  let s = 2024;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) | 0) >>> 8) / 16777216; // [0, 1), 24 bits
  const map = new Float32Array(64 * 10);
  for (let i = 0; i < map.length; i++) map[i] = next() - 0.5;
  const B = 32;
  const x = new Float32Array(B * 64);
  const t = new Int32Array(B);
  const losses = [];
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < x.length; i++) x[i] = next();
    for (let b = 0; b < B; b++) {
      let best = 0;
      let bestScore = -Infinity;
      for (let k = 0; k < 10; k++) {
        let score = 0;
        for (let j = 0; j < 64; j++) score += x[b * 64 + j] * map[j * 10 + k];
        if (score > bestScore) {
          bestScore = score;
          best = k;
        }
      }
      t[b] = best;
    }
    net.gradient(x, t);
    losses.push(net.lastLoss);
    opt.update(net.params, net.grads);
  }
  return { losses, variant: z.simdVariant() };
}

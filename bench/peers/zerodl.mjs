// zerodl as a peer-benchmark contender: --variant wasm (plain SIMD), relaxed (relaxed SIMD: needs
// build/zerodl-relaxed.wasm and, on Node 20, --experimental-wasm-relaxed-simd) or js; --threads n for
// init({ threads: n }).
import {
  createBackend,
  createOptimizer,
  init,
  MultiLayerNet,
  simdVariant,
  threadCount,
  Trainer,
} from '../../dist/index.js';
import { CLASSES, INPUT, randomFill, runContender, runWork } from './common.mjs';

const NAMES = { wasm: 'zerodl-wasm', relaxed: 'zerodl-relaxed', js: 'zerodl-js' };
const i = process.argv.indexOf('--threads');
const threads = i >= 0 ? Number(process.argv[i + 1]) : 1;
const name = (variant) => `${NAMES[variant]}${threads > 1 ? `-${threads}t` : ''}`;

await runContender(
  (args) => name(args.variant ?? 'wasm'),
  async (args) => {
    const variant = args.variant ?? 'wasm';
    if (!NAMES[variant]) throw new Error(`--variant must be wasm, relaxed or js; got ${variant}`);
    await init({ simd: variant === 'relaxed' ? 'relaxed-simd' : 'simd', threads });
    const backend = variant === 'js' ? 'js' : 'wasm';
    const makeNet = (hidden, maxBatch) =>
      new MultiLayerNet({
        inputSize: INPUT,
        hiddenSizes: hidden,
        outputSize: CLASSES,
        activation: 'relu',
        weightInit: 'he',
        backend,
        seed: 1,
        maxBatchSize: maxBatch,
      });
    const lib = {
      wasm: backend === 'wasm',
      notes: { backend, simd: backend === 'wasm' ? simdVariant() : undefined, threads: threadCount() },
      gemm(M, K, N, ta, tb) {
        const k = createBackend(backend);
        // Reserve first: an allocation that grows wasm memory detaches the views made before it.
        k.reserve(M * K + K * N + M * N + 64);
        const a = randomFill(k.alloc(M * K), 1),
          b = randomFill(k.alloc(K * N), 2),
          c = k.alloc(M * N);
        return () => k.gemm(c, a, b, M, N, K, ta, tb, false);
      },
      trainer({ hidden, batch, pool, maxBatch }) {
        const net = makeNet(hidden, Math.max(batch, maxBatch ?? 0, 256));
        const opt = createOptimizer('adam', { lr: 0.001 });
        const t = {
          // One minibatch from raw arrays (the epoch): gradient (copies x in) + Adam.
          step(xb, tb) {
            net.gradient(xb, tb);
            opt.update(net.params, net.grads);
          },
          accuracy: (x, labels) => net.accuracy(x, labels),
        };
        if (pool) {
          // Throughput: the Trainer's own step (draw a minibatch with replacement, gather, gradient, Adam).
          const trainer = new Trainer(net, pool.x, pool.t, pool.x.subarray(0, INPUT * 10), pool.t.subarray(0, 10), {
            batchSize: batch,
            optimizer: opt,
            seed: 7,
          });
          t.poolStep = () => trainer.step();
        }
        return t;
      },
      predictor({ hidden }) {
        const net = makeNet(hidden, 1000);
        return { predict: (x) => net.predict(x) };
      },
    };
    return runWork(args, lib);
  },
);

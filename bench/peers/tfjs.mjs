// TensorFlow.js 4.x as a peer-benchmark contender: --variant wasm (@tensorflow/tfjs-backend-wasm, SIMD binary,
// one thread) or cpu (@tensorflow/tfjs-backend-cpu, plain JS). Training is tfjs-layers' `model.trainOnBatch`, as
// its users train: tf.sequential of dense layers (ReLU, heNormal, zero bias), softmax output, categorical
// cross-entropy on one-hot labels, tf.train.adam(0.001). gemm is `tf.matMul(a, b, transposeA, transposeB)` with
// `dataSync()` to force completion.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { accuracyOf, CLASSES, INPUT, oneHotInto, randomFill, runContender, runWork } from './common.mjs';

const require = createRequire(import.meta.url);
const NAMES = { wasm: 'tfjs-wasm', cpu: 'tfjs-cpu' };

await runContender(
  (args) => NAMES[args.variant ?? 'wasm'],
  async (args) => {
    const variant = args.variant ?? 'wasm';
    if (!NAMES[variant]) throw new Error(`--variant must be wasm or cpu; got ${variant}`);
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    const notes = { tfjs: tf.version_core };
    if (variant === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the backend reads its .wasm with fs from this folder (a path prefix, no fetch). Node has no wasm
      // threads in tfjs (WASM_HAS_MULTITHREAD_SUPPORT is false under IS_NODE): the SIMD single-thread binary
      // tfjs-backend-wasm-simd.wasm is chosen. The flag and the thread count are pinned anyway.
      wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setThreadsCount(1);
      if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
      notes.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      notes.threads = wasm.getThreadsCount();
      notes.binary = notes.simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
    } else {
      if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") failed');
    }
    await tf.ready();
    notes.backend = tf.getBackend();

    const makeModel = (hidden) => {
      const model = tfl.sequential();
      hidden.forEach((units, i) =>
        model.add(
          tfl.layers.dense({
            units,
            activation: 'relu',
            kernelInitializer: 'heNormal',
            biasInitializer: 'zeros',
            ...(i === 0 ? { inputShape: [INPUT] } : {}),
          }),
        ),
      );
      model.add(tfl.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: 'heNormal' }));
      model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
      return model;
    };

    const lib = {
      wasm: variant === 'wasm',
      notes,
      gemm(M, K, N, ta, tb) {
        const a = tf.tensor2d(randomFill(new Float32Array(M * K), 1), ta ? [K, M] : [M, K]);
        const b = tf.tensor2d(randomFill(new Float32Array(K * N), 2), tb ? [N, K] : [K, N]);
        return () => {
          const c = tf.matMul(a, b, ta, tb);
          c.dataSync();
          c.dispose();
        };
      },
      trainer({ hidden, batch }) {
        const model = makeModel(hidden);
        const onehot = new Float32Array(batch * CLASSES);
        return {
          async step(xb, tb) {
            const B = tb.length;
            const xs = tf.tensor2d(xb, [B, INPUT]);
            const ys = tf.tensor2d(oneHotInto(tb, onehot.subarray(0, B * CLASSES)), [B, CLASSES]);
            await model.trainOnBatch(xs, ys);
            xs.dispose();
            ys.dispose();
          },
          accuracy(x, labels) {
            const rows = labels.length;
            const scores = tf.tidy(() => model.predict(tf.tensor2d(x, [rows, INPUT]), { batchSize: 1000 }).dataSync());
            return accuracyOf(scores, labels);
          },
          dispose() {
            notes.tensorsLeft = tf.memory().numTensors;
            model.dispose();
          },
        };
      },
      predictor({ hidden }) {
        const model = makeModel(hidden);
        return {
          predict(x, rows) {
            tf.tidy(() => model.predict(tf.tensor2d(x, [rows, INPUT]), { batchSize: rows }).dataSync());
          },
          dispose: () => model.dispose(),
        };
      },
    };
    return runWork(args, lib);
  },
);

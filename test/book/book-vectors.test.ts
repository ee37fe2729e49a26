// Every quantity of test/fixtures/book-vectors.json — numbers made by running the book's own common/*.py (numpy
// float64, see its `meta`) — reproduced through zerodl's public API (its BatchNorm layer section: in
// test/layers/BatchNormalization.test.ts), on the `js` backend and on the wasm build this process loaded. The `simd`
// vitest project loads the plain SIMD binary and the `relaxed-simd` project (Node's --experimental-wasm-relaxed-simd)
// the relaxed one; the first test of each backend asserts which one ran, so both binaries are really checked.
//
// Tolerances: zerodl computes in float32 and the book in float64. Every check is |a − e| ≤ tol·(1 + |e|)
// (expectClose). Inputs and parameters are rounded to float32 once (relative 6e-8); each quantity's tol is set
// from the arithmetic between the rounded inputs and it, stated where it is used. BOOK_REPORT=1 prints each
// check's measured max |a − e|/(1 + |e|), to see the slack.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createBackend,
  createOptimizer,
  init,
  MultiLayerNet,
  simdVariant,
  type BackendName,
  type MultiLayerNetOptions,
  type Optimizer,
  type WeightInit,
} from '../../src/index.js';
import { loadMnist } from '../../src/data/mnist.node.js';
import { optimizerPath } from '../../src/experiments/optimizer-paths.js';
import { book, BOOK_OPTIMIZERS, check, f32, flat, optimizerOptions, type TensorRecord } from './vectors.js';

const checkScalar = (a: number, e: number, tol: number, label: string): void => check([a], [e], tol, label);

// ---- tolerances, per kind of quantity (float32 zerodl vs float64 book) ---------------------------------------
// Each is about 5–10x the worst scaled error measured on js and both wasm builds (in brackets; BOOK_REPORT=1).
/** Optimizer steps on O(1) params: a handful of f32 operations per element and step, 3 steps [1.1e-7]. */
const TOL_OPTIM = 1e-6;
/**
 * Scores: sums of 784 f32 products through 3 layers [7e-7 in train mode]. In eval mode BatchNorm divides by
 * sqrt(running var + eps) with running var only 0.1 or 0.19 of the batch variance, which scales the f32 error of the
 * running statistics up by ~3x and of the scores by as much [4.9e-6].
 */
const TOL_SCORES = 2e-5;
/** Losses: log-softmax of those scores, averaged; the L2 term is Σ W² in f64 over f32-rounded W [5e-8]. */
const TOL_LOSS = 1e-6;
/** Gradients: backprop through the same layers, BatchNorm's dx a difference of sums of size ~dy [4e-7]. */
const TOL_GRADS = 5e-6;
/** BatchNorm running statistics of the nets: a mean and a biased variance over 8 rows of f32 affine outputs [1e-7]. */
const TOL_RUNNING = 1e-6;
// (The batchnorm_layer section, the BatchNorm layer alone: test/layers/BatchNormalization.test.ts.)
/** The 2-D paths: 29 updates of an f32 optimizer on 2 parameters, errors compounding over the steps [2e-7]. */
const TOL_PATHS = 2e-6;

const x = Float32Array.from(book.input.x.data as number[]);
const tOneHot = Float32Array.from(book.input.t_one_hot.data as number[]);
const labels = Int32Array.from(book.input.labels as number[]);

// The binary this vitest project forces (test/setup-simd.ts), on every Node.
const relaxedRun = process.env.ZERODL_TEST_SIMD === 'relaxed-simd';

beforeAll(async () => {
  await init();
});

describe("the input: zerodl's MNIST loader gives the book's first 8 training images", () => {
  it("bit-identical to float32(pixel)/255 (the book's load_mnist), labels equal", async () => {
    const mnist = await loadMnist();
    const pixels = book.input.pixels_uint8.data as number[];
    const ours = mnist.xTrain.subarray(0, 8 * 784);
    // float32(p)/255 in float32 is one correctly rounded division: Math.fround(p / 255)
    check(
      ours,
      pixels.map((p) => Math.fround(p / 255)),
      0,
      'x vs float32(pixel)/255',
    );
    // the fixture's x is pixel/255 in float64: float32 rounding, < 3e-8
    check(ours, book.input.x.data, 3e-8, "x vs the fixture's float64 x");
    expect(Array.from(mnist.tTrain.subarray(0, 8))).toEqual(book.input.labels);
    expect(book.input.image_indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

/** zerodl options for a fixture net config (the book's argument names). */
function netOptions(config: Record<string, unknown>, backend: BackendName): MultiLayerNetOptions {
  return {
    inputSize: config.input_size as number,
    hiddenSizes: config.hidden_size_list as number[],
    outputSize: config.output_size as number,
    activation: config.activation as 'relu' | 'sigmoid',
    weightInit: config.weight_init_std as WeightInit,
    useBatchNorm: !!config.use_batchnorm,
    useDropout: !!config.use_dropout,
    dropoutRatio: (config.dropout_ration as number | undefined) ?? 0.5,
    weightDecayLambda: config.weight_decay_lambda as number,
    backend,
  };
}

/**
 * A net of the section's config holding the book's initial params (setParams rounds them to f32). params_init is an
 * input here, not a checked quantity: the book drew it with np.random.seed(n), which zerodl's own seeded init does
 * not replay.
 */
function bookNet(section: Record<string, unknown>, backend: BackendName): MultiLayerNet {
  const net = new MultiLayerNet(netOptions(section.config as Record<string, unknown>, backend));
  net.setParams(f32(section.params_init as TensorRecord));
  return net;
}

function checkRunning(net: MultiLayerNet, expected: TensorRecord, label: string): void {
  for (const [name, t] of Object.entries(expected)) {
    const key = name.replace('running_mean', 'runningMean').replace('running_var', 'runningVar');
    check(net.buffers[key], t.data, TOL_RUNNING, `${label} ${key}`);
  }
}

function checkGrads(grads: Record<string, Float32Array>, expected: TensorRecord, label: string): void {
  expect(Object.keys(grads).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, t] of Object.entries(expected)) check(grads[name], t.data, TOL_GRADS, `${label} grads.${name}`);
}

describe.each(['js', 'wasm'] as const)("the book's numbers on %s", (backend) => {
  it('runs the wasm binary this vitest project is for', () => {
    if (backend === 'wasm') expect(simdVariant()).toBe(relaxedRun ? 'relaxed-simd' : 'simd');
    expect(createBackend(backend).name).toBe(backend);
  });

  // ---- mlp_bn_relu and mlp_sigmoid: the same sequence of calls as the book's script (see each `sequence`) -----
  describe.each(['mlp_bn_relu', 'mlp_sigmoid'])('%s', (name) => {
    const s = book[name];
    const bn = !!s.config.use_batchnorm;

    it('scores in train mode (a fresh net)', () => {
      const net = bookNet(s, backend);
      check(net.predict(x, { train: true }), s.scores_train_mode.data, TOL_SCORES, 'scores_train_mode');
    });

    it('train-mode loss, weight-decay term, running stats, eval predictions, accuracy, eval loss, gradients', () => {
      const net = bookNet(s, backend);
      // 1) the first training-mode forward: the loss (cross-entropy + L2 term) and running stats 0.1·batch stat
      checkScalar(net.loss(x, tOneHot, { train: true }), s.loss_train_mode, TOL_LOSS, 'loss_train_mode');
      checkScalar(net.weightDecayTerm(), s.weight_decay_term, TOL_LOSS, 'weight_decay_term');
      if (bn) checkRunning(net, s.bn_running_after_1_train_forward, 'after 1 train forward');
      // 2) eval mode uses the running stats and leaves them as they are
      const running = Object.fromEntries(Object.entries(net.buffers).map(([k, v]) => [k, v.slice()]));
      check(
        net.predict(x),
        s.predict_eval_after_1_train_forward.data,
        TOL_SCORES,
        'predict_eval_after_1_train_forward',
      );
      expect(net.accuracy(x, tOneHot)).toBe(s.accuracy_after_1_train_forward);
      expect(net.accuracy(x, labels)).toBe(s.accuracy_after_1_train_forward);
      checkScalar(net.loss(x, tOneHot), s.loss_eval_after_1_train_forward, TOL_LOSS, 'loss_eval_after_1_train_forward');
      for (const [k, v] of Object.entries(running)) expect(net.buffers[k], `${k} unchanged by eval mode`).toEqual(v);
      // 3) gradient: a second training-mode forward (running stats → 0.19·batch stat), then backprop
      checkGrads(net.gradient(x, tOneHot), s.grads, name);
      if (bn) {
        checkRunning(net, s.bn_running_after_2_train_forwards, 'after 2 train forwards');
        check(net.predict(x), s.predict_eval_after_gradient_call.data, TOL_SCORES, 'predict_eval_after_gradient_call');
      }
    });

    it('the same train-mode loss with labels as indices (a fresh net)', () => {
      const net = bookNet(s, backend);
      checkScalar(
        net.loss(x, labels, { train: true }),
        s.loss_train_mode_label_indices,
        TOL_LOSS,
        'loss_train_mode_label_indices',
      );
    });

    if (name === 'mlp_sigmoid') {
      // max_abs_diff_vs_MultiLayerNet_grads (0.0) compares the book's two classes, MultiLayerNet and
      // MultiLayerNetExtend, with each other; zerodl has one MultiLayerNet for both, so there is nothing to compare.
      it.skip("max_abs_diff_vs_MultiLayerNet_grads: a fact about the book's two net classes, zerodl has one", () => {});
    }

    it('gradients with labels as indices equal those with one-hot rows', () => {
      // (the book's TwoLayerNet/MultiLayerNet accept both; the fixture records them for one-hot)
      const a = bookNet(s, backend),
        b = bookNet(s, backend);
      const ga = a.gradient(x, tOneHot),
        gb = b.gradient(x, labels);
      for (const k of Object.keys(ga)) check(gb[k], ga[k], 1e-6, `grads.${k} labels vs one-hot`);
    });
  });

  // ---- mlp_dropout: the book's masks replayed through dropoutMaskSource ---------------------------------------
  describe('mlp_dropout', () => {
    const s = book.mlp_dropout;
    const masks: Float32Array[] = [
      Float32Array.from(s.masks_train.Dropout1.data as number[]),
      Float32Array.from(s.masks_train.Dropout2.data as number[]),
    ];
    const replay = (layer: number, rows: number, units: number): Float32Array => {
      expect([rows, units]).toEqual(s.masks_train[`Dropout${layer}`].shape);
      return masks[layer - 1];
    };

    it("train-mode loss and gradients with the book's masks", () => {
      const net = bookNet(s, backend);
      net.dropoutMaskSource = replay;
      checkScalar(net.loss(x, tOneHot, { train: true }), s.loss_train_mode, TOL_LOSS, 'loss_train_mode');
      checkGrads(net.gradient(x, tOneHot), s.grads, 'mlp_dropout');
    });

    it('eval mode scales by 1 − ratio: predictions and loss', () => {
      const net = bookNet(s, backend);
      check(net.predict(x), s.predict_eval.data, TOL_SCORES, 'predict_eval');
      checkScalar(net.loss(x, tOneHot), s.loss_eval, TOL_LOSS, 'loss_eval');
    });

    it("the net's own stream draws other masks (so the replay above is what made the numbers match)", () => {
      const net = bookNet(s, backend);
      expect(Math.abs(net.loss(x, tOneHot, { train: true }) - s.loss_train_mode)).toBeGreaterThan(1e-3);
    });
  });

  // ---- the six optimizers: 3 steps from the same start, params and state after each ----------------------------
  describe("optimizers (public classes, state by the book's names)", () => {
    it.each(BOOK_OPTIMIZERS)('%s', (bookName, name) => {
      const run = book.optimizers.runs[bookName];
      const k = createBackend(backend);
      const start = f32(book.optimizers.start_params);
      k.reserve(64);
      const params = { W: k.alloc(12), b: k.alloc(4) },
        grads = { W: k.alloc(12), b: k.alloc(4) };
      params.W.set(start.W);
      params.b.set(start.b);
      const opt: Optimizer = createOptimizer(name, optimizerOptions(run.hyperparameters));
      for (let step = 0; step < 3; step++) {
        const g = f32(book.optimizers.grads[step]);
        grads.W.set(g.W);
        grads.b.set(g.b);
        opt.update(params, grads);
        const want = flat(run.params_after[step]);
        check(params.W, want.W, TOL_OPTIM, `${bookName} step ${step + 1} W`);
        check(params.b, want.b, TOL_OPTIM, `${bookName} step ${step + 1} b`);
        const state = opt.state();
        const bookState = run.state_after[step] as Record<string, TensorRecord | number>;
        const { iter, ...slots } = bookState;
        if (iter !== undefined) expect((opt as unknown as { iter: number }).iter, 'Adam iter').toBe(iter);
        expect(Object.keys(state).sort()).toEqual(Object.keys(slots).sort());
        for (const [slot, rec] of Object.entries(slots as Record<string, TensorRecord>)) {
          for (const [key, t] of Object.entries(rec)) {
            check(state[slot][key], t.data, TOL_OPTIM, `${bookName} step ${step + 1} ${slot}.${key}`);
          }
        }
      }
    });
  });
});

// ---- figure 6-8: the 2-D paths, through the optimizer-paths experiment's own path function ------------------------
// (Its optimizers update plain Float32Array records, whose state lives in a js backend: no wasm variant to vary.)
describe('optimizer paths of figure 6-8 (naive_2d)', () => {
  const lrs: Record<string, number> = { SGD: 0.95, Momentum: 0.1, AdaGrad: 1.5, Adam: 0.3 };
  it.each(Object.keys(lrs))('%s: the 30 points the book plots (rows 0..29)', (name) => {
    const t = book.naive_2d.trajectories[name];
    expect(book.naive_2d.optimizers).toContain(`${name}(lr=${lrs[name]})`);
    const points = optimizerPath(name.toLowerCase(), lrs[name]);
    expect(points).toHaveLength(30);
    check(points.flat(), (t.data as number[]).slice(0, 60), TOL_PATHS, `${name} path`);
  });
});

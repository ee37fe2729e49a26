// The BatchNormalization layer on its own (src/layers/BatchNormalization.ts) against the book's own
// common/layers.py BatchNormalization (test/fixtures/book-vectors.json, section batchnorm_layer, numpy float64):
// forward in training mode, running statistics, backward dx, dγ, dβ, and the running statistics over three training
// inputs followed by an inference forward. On js and on the wasm build of this vitest project (the relaxed-simd
// project runs it again on the relaxed build). Through whole nets: test/net/ and test/book/book-vectors.test.ts.
import { beforeAll, describe, it } from 'vitest';
import { BATCHNORM_EPS, BatchNormalization, createBackend, init, type Backend } from '../../src/index.js';
import { book, check } from '../book/vectors.js';

/** The BatchNorm layer alone on O(1) inputs (6×5): a few f32 operations per element [2.3e-7 measured; BOOK_REPORT=1]. */
const TOL_BN_LAYER = 2e-6;

beforeAll(async () => {
  await init();
});

describe.each(['js', 'wasm'] as const)("the book's numbers on %s", (backend) => {
  describe('BatchNormalization layer', () => {
    const s = book.batchnorm_layer;
    const [B, D] = s.x.shape as [number, number];

    /** A fresh layer over backend k (running stats start at 0, as the book's None → zeros). */
    function layer(k: Backend): {
      bn: BatchNormalization;
      buf: Float32Array;
      dgamma: Float32Array;
      dbeta: Float32Array;
    } {
      k.reserve(16 * B * D);
      const gamma = k.alloc(D),
        beta = k.alloc(D),
        dgamma = k.alloc(D),
        dbeta = k.alloc(D);
      gamma.set(s.gamma.data);
      beta.set(s.beta.data);
      const bn = new BatchNormalization(
        k,
        'BatchNorm',
        gamma,
        beta,
        dgamma,
        dbeta,
        k.alloc(D),
        k.alloc(D),
        D,
        B,
        s.momentum,
        BATCHNORM_EPS,
      );
      return { bn, buf: k.alloc(B * D), dgamma, dbeta };
    }

    it('forward (train), running stats, backward dx, dγ, dβ', () => {
      const k = createBackend(backend);
      const { bn, buf, dgamma, dbeta } = layer(k);
      buf.set(s.x.data);
      check(bn.forward(buf, B, true), s.forward_train.data, TOL_BN_LAYER, 'forward_train');
      check(bn.runningMean, s.running_mean_after.data, TOL_BN_LAYER, 'running_mean_after');
      check(bn.runningVar, s.running_var_after.data, TOL_BN_LAYER, 'running_var_after');
      const dout = k.alloc(B * D);
      dout.set(s.dout.data);
      check(bn.backward(dout, B), s.dx.data, TOL_BN_LAYER, 'dx');
      check(dgamma, s.dgamma.data, TOL_BN_LAYER, 'dgamma');
      check(dbeta, s.dbeta.data, TOL_BN_LAYER, 'dbeta');
    });

    it('three training inputs, running stats after each, then an eval forward', () => {
      const k = createBackend(backend);
      const { bn, buf } = layer(k);
      (s.three_train_inputs as { data: number[] }[]).forEach((input, i) => {
        buf.set(input.data);
        bn.forward(buf, B, true);
        check(bn.runningMean, s.running_after_each[i].running_mean.data, TOL_BN_LAYER, `running_mean after ${i + 1}`);
        check(bn.runningVar, s.running_after_each[i].running_var.data, TOL_BN_LAYER, `running_var after ${i + 1}`);
      });
      buf.set(s.x_eval.data);
      check(bn.forward(buf, B, false), s.forward_eval_after_3.data, TOL_BN_LAYER, 'forward_eval_after_3');
    });
  });
});

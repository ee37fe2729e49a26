// The kernels of BatchNorm (assembly/batchnorm.ts, src/backend/js/batchnorm.ts):
//   1. wasm against js on identical random inputs at many shapes, for every output including the running stats;
//   2. known answers independent of either backend: finite differences for the backward pass, the running stats
//      after two calls, inference equal to training when the running stats are the batch stats.
// Buffers, inputs and the js-vs-wasm comparison: ./kernel-helpers.ts.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/types.js';
import { Rng } from '../../src/rng.js';
import { expectClose } from '../helpers.js';
import {
  backends,
  useBackends,
  SHAPES,
  TOL,
  place,
  onBoth,
  compare,
  randn,
  uniform,
  normalize,
} from './kernel-helpers.js';

useBackends();

// ---- 1. wasm matches js ---------------------------------------------------------------------------------------

describe('batchnorm: wasm matches js', () => {
  it.each(SHAPES)('batchnorm_forward_train B=%i D=%i', (B, D) => {
    const rng = new Rng(B * 1000 + D + 10);
    const init = {
      y: new Float32Array(B * D),
      xn: new Float32Array(B * D),
      mean: new Float32Array(D),
      invStd: new Float32Array(D),
      runningMean: randn(rng, D),
      runningVar: uniform(rng, D, 0.5, 2),
      x: randn(rng, B * D, 2, 1.5),
      gamma: uniform(rng, D, 0.5, 1.5),
      beta: randn(rng, D),
    };
    const r = onBoth(init, (b, s) =>
      b.batchnorm_forward_train(
        s.y,
        s.xn,
        s.mean,
        s.invStd,
        s.runningMean,
        s.runningVar,
        s.x,
        s.gamma,
        s.beta,
        B,
        D,
        0.9,
        1e-6,
      ),
    );
    compare(r, ['y', 'xn', 'mean', 'invStd', 'runningMean', 'runningVar'], TOL, 'batchnorm_forward_train');
  });

  it.each(SHAPES)('batchnorm_forward_infer B=%i D=%i (and in place)', (B, D) => {
    const rng = new Rng(B * 1000 + D + 11);
    const init = {
      y: new Float32Array(B * D),
      x: randn(rng, B * D, 2, 1),
      gamma: uniform(rng, D, 0.5, 1.5),
      beta: randn(rng, D),
      runningMean: randn(rng, D),
      runningVar: uniform(rng, D, 0.1, 3),
    };
    const run = (b: Backend, s: typeof init, y: Float32Array): void =>
      b.batchnorm_forward_infer(y, s.x, s.gamma, s.beta, s.runningMean, s.runningVar, B, D, 1e-6);
    const r = onBoth(init, (b, s) => run(b, s, s.y));
    compare(r, ['y'], TOL, 'batchnorm_forward_infer');
    const p = onBoth(init, (b, s) => run(b, s, s.x));
    expectClose(p.wasm.x, r.js.y, TOL, 'batchnorm_forward_infer in place (wasm)');
    expectClose(p.js.x, r.js.y, 0, 'batchnorm_forward_infer in place (js)');
  });

  it.each(SHAPES)('batchnorm_backward B=%i D=%i (and dx = dy in place)', (B, D) => {
    const rng = new Rng(B * 1000 + D + 12);
    const { xn, invStd } = normalize(randn(rng, B * D, 2, 1), B, D);
    const init = {
      dx: new Float32Array(B * D),
      dgamma: new Float32Array(D),
      dbeta: new Float32Array(D),
      dy: randn(rng, B * D),
      xn,
      invStd,
      gamma: uniform(rng, D, 0.5, 1.5),
    };
    const run = (b: Backend, s: typeof init, dx: Float32Array): void =>
      b.batchnorm_backward(dx, s.dgamma, s.dbeta, s.dy, s.xn, s.invStd, s.gamma, B, D);
    // the closed form (wasm) against the book's chain of steps (js)
    const r = onBoth(init, (b, s) => run(b, s, s.dx));
    compare(r, ['dx', 'dgamma', 'dbeta'], TOL, 'batchnorm_backward');
    const p = onBoth(init, (b, s) => run(b, s, s.dy));
    expectClose(p.wasm.dy, r.js.dx, TOL, 'batchnorm_backward in place (wasm)');
    expectClose(p.js.dy, r.js.dx, 0, 'batchnorm_backward in place (js)');
  });
});

// ---- 2. known answers, on both backends ------------------------------------------------------------------------

describe.each(['js', 'wasm'] as const)('known answers (%s)', (name) => {
  const be = (): Backend => (name === 'js' ? backends.js : backends.wasm);

  it('batchnorm backward matches finite differences of Σ y·R (dx, dgamma, dbeta)', () => {
    const b = be();
    const [B, D] = [6, 5]; // one 4-feature SIMD group and one scalar tail feature
    const rng = new Rng(901);
    const s = place(b, {
      x: randn(rng, B * D, 2, 1),
      gamma: uniform(rng, D, 0.5, 2),
      beta: randn(rng, D),
      R: randn(rng, B * D),
      y: new Float32Array(B * D),
      xn: new Float32Array(B * D),
      mean: new Float32Array(D),
      invStd: new Float32Array(D),
      rm: new Float32Array(D),
      rv: new Float32Array(D),
      dx: new Float32Array(B * D),
      dgamma: new Float32Array(D),
      dbeta: new Float32Array(D),
    });
    const loss = (): number => {
      b.batchnorm_forward_train(s.y, s.xn, s.mean, s.invStd, s.rm, s.rv, s.x, s.gamma, s.beta, B, D, 0.9, 1e-6);
      let l = 0;
      for (let k = 0; k < B * D; k++) l += s.y[k] * s.R[k];
      return l;
    };
    const numeric = (a: Float32Array, k: number, h: number): number => {
      const keep = a[k];
      a[k] = keep + h;
      const up = a[k];
      const lp = loss();
      a[k] = keep - h;
      const down = a[k];
      const lm = loss();
      a[k] = keep;
      return (lp - lm) / (up - down);
    };
    const fdx = Array.from(s.x, (_, k) => numeric(s.x, k, 1e-2));
    const fdgamma = Array.from(s.gamma, (_, j) => numeric(s.gamma, j, 1e-2));
    const fdbeta = Array.from(s.beta, (_, j) => numeric(s.beta, j, 1e-2));
    loss(); // forward at the unperturbed point, keeping xn and invStd
    b.batchnorm_backward(s.dx, s.dgamma, s.dbeta, s.R, s.xn, s.invStd, s.gamma, B, D);
    // 2e-3 against gradients of size ~0.5: a sign flip or a factor 2 in any term is far outside it
    expectClose(s.dx, fdx, 2e-3, 'dx');
    expectClose(s.dgamma, fdgamma, 2e-3, 'dgamma');
    expectClose(s.dbeta, fdbeta, 2e-3, 'dbeta');
    expect(Math.max(...Array.from(s.dx, Math.abs))).toBeGreaterThan(0.1); // the check is not vacuous
  });

  it('batchnorm running stats after 2 calls', () => {
    const b = be();
    const [B, D] = [17, 10];
    const rng = new Rng(902);
    const x1 = randn(rng, B * D, 2, 1);
    const x2 = randn(rng, B * D, 0.5, -3);
    const rm0 = randn(rng, D);
    const rv0 = uniform(rng, D, 0.5, 2);
    const s = place(b, {
      x1,
      x2,
      rm: rm0,
      rv: rv0,
      gamma: uniform(rng, D, 0.5, 2),
      beta: randn(rng, D),
      y: new Float32Array(B * D),
      xn: new Float32Array(B * D),
      mean: new Float32Array(D),
      invStd: new Float32Array(D),
    });
    const momentum = 0.9;
    for (const x of [s.x1, s.x2]) {
      b.batchnorm_forward_train(s.y, s.xn, s.mean, s.invStd, s.rm, s.rv, x, s.gamma, s.beta, B, D, momentum, 1e-6);
    }
    const stats = (x: Float32Array, j: number): [number, number] => {
      let mu = 0;
      for (let i = 0; i < B; i++) mu += x[i * D + j];
      mu /= B;
      let v = 0;
      for (let i = 0; i < B; i++) v += (x[i * D + j] - mu) ** 2;
      return [mu, v / B];
    };
    const em: number[] = [];
    const ev: number[] = [];
    for (let j = 0; j < D; j++) {
      const [m1, v1] = stats(x1, j);
      const [m2, v2] = stats(x2, j);
      em.push(momentum * (momentum * rm0[j] + (1 - momentum) * m1) + (1 - momentum) * m2);
      ev.push(momentum * (momentum * rv0[j] + (1 - momentum) * v1) + (1 - momentum) * v2);
    }
    expectClose(s.rm, em, TOL, 'runningMean');
    expectClose(s.rv, ev, TOL, 'runningVar');
    // and the kept batch statistics are those of the last call
    expectClose(
      s.mean,
      Array.from({ length: D }, (_, j) => stats(x2, j)[0]),
      TOL,
      'mean',
    );
    expectClose(
      s.invStd,
      Array.from({ length: D }, (_, j) => 1 / Math.sqrt(stats(x2, j)[1] + 1e-6)),
      TOL,
      'invStd',
    );
  });

  it.each([
    [3, 5],
    [128, 100],
    [5, 127],
  ])('batchnorm infer equals train when the running stats are the batch stats (B=%i D=%i)', (B, D) => {
    const b = be();
    const rng = new Rng(903 + B);
    const s = place(b, {
      x: randn(rng, B * D, 2, 1),
      gamma: uniform(rng, D, 0.5, 2),
      beta: randn(rng, D),
      y: new Float32Array(B * D),
      xn: new Float32Array(B * D),
      mean: new Float32Array(D),
      invStd: new Float32Array(D),
      rm: randn(rng, D),
      rv: uniform(rng, D, 0.5, 2),
      yi: new Float32Array(B * D),
    });
    // momentum 0 makes the running stats exactly this batch's mean and (biased) variance
    b.batchnorm_forward_train(s.y, s.xn, s.mean, s.invStd, s.rm, s.rv, s.x, s.gamma, s.beta, B, D, 0, 1e-6);
    b.batchnorm_forward_infer(s.yi, s.x, s.gamma, s.beta, s.rm, s.rv, B, D, 1e-6);
    expectClose(s.yi, s.y, TOL, 'infer vs train');
    // the training output is normalized: each column of xn has mean 0 and variance 1 (up to eps)
    if (B > 3) {
      for (let j = 0; j < D; j++) {
        let m = 0;
        let v = 0;
        for (let i = 0; i < B; i++) m += s.xn[i * D + j] / B;
        for (let i = 0; i < B; i++) v += (s.xn[i * D + j] - m) ** 2 / B;
        expect(Math.abs(m)).toBeLessThan(1e-5);
        expect(Math.abs(v - 1)).toBeLessThan(1e-4);
      }
    }
  });
});

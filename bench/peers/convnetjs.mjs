// ConvNetJS 0.3 as a peer-benchmark contender: its Net of fc/relu/softmax layers, fed one sample (Vol) at a time
// as its users do; gradients accumulate over `batch_size` samples, then one update.
//
// The npm release (0.3.0, the last one) has no Adam: its Trainer knows sgd/momentum, adagrad, windowgrad and
// adadelta, and `method: 'adam'` silently runs momentum SGD. So that ConvNetJS does the same work as the others,
// `AdamTrainer` below is its Trainer with the update replaced by Adam (the book's form, lr 0.001, β 0.9/0.999):
// the same forward/backward per sample and the same loop over `getParamsAndGrads()` once per batch.
// ConvNetJS has no gemm: that workload is n/a.
import { createRequire } from 'node:module';
import { accuracyOf, CLASSES, INPUT, runContender, runWork } from './common.mjs';

const require = createRequire(import.meta.url);
const convnetjs = require('convnetjs');

class AdamTrainer extends convnetjs.Trainer {
  constructor(net, options) {
    super(net, { ...options, method: 'adam' });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.t = 0;
    this.m = [];
    this.v = [];
  }

  train(x, y) {
    this.net.forward(x, true);
    const loss = this.net.backward(y);
    this.k++;
    if (this.k % this.batch_size === 0) {
      const pglist = this.net.getParamsAndGrads();
      if (this.m.length === 0) {
        for (const pg of pglist) {
          this.m.push(convnetjs.zeros(pg.params.length));
          this.v.push(convnetjs.zeros(pg.params.length));
        }
      }
      this.t++;
      const { beta1, beta2 } = this;
      const lrt = (this.learning_rate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
      for (let i = 0; i < pglist.length; i++) {
        const p = pglist[i].params,
          g = pglist[i].grads,
          m = this.m[i],
          v = this.v[i];
        for (let j = 0; j < p.length; j++) {
          const gij = g[j] / this.batch_size;
          m[j] += (1 - beta1) * (gij - m[j]);
          v[j] += (1 - beta2) * (gij * gij - v[j]);
          p[j] -= (lrt * m[j]) / (Math.sqrt(v[j]) + 1e-7);
          g[j] = 0;
        }
      }
    }
    return { loss };
  }
}

function makeNet(hidden) {
  const layers = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: INPUT }];
  for (const n of hidden) layers.push({ type: 'fc', num_neurons: n, activation: 'relu', bias_pref: 0 });
  layers.push({ type: 'softmax', num_classes: CLASSES });
  const net = new convnetjs.Net();
  net.makeLayers(layers);
  // He init (ConvNetJS draws N(0, 1/n_in)): N(0, 2/n_in) for every fc layer, biases 0.
  for (const layer of net.layers) {
    if (layer.layer_type !== 'fc') continue;
    const std = Math.sqrt(2 / layer.num_inputs);
    for (const f of layer.filters) for (let i = 0; i < f.w.length; i++) f.w[i] = convnetjs.randn(0, std);
  }
  return net;
}

await runContender('convnetjs', async (args) => {
  const vol = new convnetjs.Vol(1, 1, INPUT, 0);
  const forward = (net, x, r, training) => {
    vol.w.set(x.subarray(r * INPUT, (r + 1) * INPUT));
    return net.forward(vol, training);
  };
  const lib = {
    notes: { convnetjs: require('convnetjs/package.json').version, optimizer: 'Adam (added: 0.3.0 has none)' },
    trainer({ hidden, batch }) {
      const net = makeNet(hidden);
      const trainer = new AdamTrainer(net, { learning_rate: 0.001, batch_size: batch });
      return {
        step(xb, tb) {
          // A last, short batch (the epoch's) still ends with an update: pad k to the batch boundary.
          for (let i = 0; i < tb.length; i++) {
            if (i === tb.length - 1) trainer.k += batch - tb.length;
            vol.w.set(xb.subarray(i * INPUT, (i + 1) * INPUT));
            trainer.train(vol, tb[i]);
          }
        },
        accuracy(x, labels) {
          const scores = new Float32Array(labels.length * CLASSES);
          for (let r = 0; r < labels.length; r++) scores.set(forward(net, x, r, false).w, r * CLASSES);
          return accuracyOf(scores, labels);
        },
      };
    },
    predictor({ hidden }) {
      const net = makeNet(hidden);
      const out = new Float32Array(CLASSES);
      return {
        predict(x, rows) {
          for (let r = 0; r < rows; r++) out.set(forward(net, x, r, false).w);
        },
      };
    },
  };
  return runWork(args, lib);
});

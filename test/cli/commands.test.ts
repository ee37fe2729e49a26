// The commands run in-process on real MNIST (small runs): train → report + model → eval and predict agree with it;
// an AbortSignal mid-run still reports and saves; a diverging run saves its last finite params and exits 1.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';
import { loadNet } from '../../src/io/model.node.js';
import { sink, type Sink } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zerodl-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(argv: string[], io: Partial<CliIO> = {}) {
  const stdout = (io.stdout ?? sink()) as Sink,
    stderr = (io.stderr ?? sink()) as Sink;
  const code = await main(argv, { stdout, stderr, signal: io.signal });
  return { code, stdout, stderr };
}

const lastJson = (s: Sink): Record<string, any> => JSON.parse(s.lines.at(-1)!);
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('train → eval → predict', () => {
  let trained: Record<string, any>;
  const model = () => join(dir, 'small.safetensors');

  beforeAll(async () => {
    const r = await run([
      'train',
      '--train-size',
      '1000',
      '--epochs',
      '2',
      '--batch-size',
      '50',
      '--eval-samples',
      '500',
      '--seed',
      '1',
      '--json',
      '--save',
      model(),
      '--out',
      join(dir, 'small'),
    ]);
    expect(r.code, r.stderr.text).toBe(0);
    trained = lastJson(r.stdout);
    expect(r.stdout.lines).toHaveLength(1); // with --json, stdout is the JSON alone; people's lines went to stderr
    expect(r.stderr.text).toMatch(/^training 784-100-100-100-100-10 relu/);
    expect(r.stderr.text).toMatch(/^epoch 2\/2 {2}train acc 0\.\d{4} {2}test acc 0\.\d{4}/m);
    expect(r.stderr.text).toMatch(/^final test accuracy 0\.\d{4}: 2 epochs, 40 iterations/m);
  });

  it('--json: the results and the full config', () => {
    expect(trained.trainLoss).toHaveLength(40);
    expect(trained.trainAcc).toHaveLength(2);
    expect(trained.testAcc).toHaveLength(2);
    expect(trained.finalTestAccuracy).toBeGreaterThan(0.7);
    expect(trained.samplesPerSecond).toBeGreaterThan(0);
    expect(trained.seconds).toBeGreaterThan(0);
    expect(trained.aborted).toBe(false);
    expect(trained.config.net).toMatchObject({
      inputSize: 784,
      hiddenSizes: [100, 100, 100, 100],
      outputSize: 10,
      seed: 1,
    });
    expect(trained.config.trainer).toEqual({
      epochs: 2,
      batchSize: 50,
      optimizer: 'adam',
      optimizerParams: { lr: 0.001, beta1: 0.9, beta2: 0.999 },
      evaluateSampleNumPerEpoch: 500,
      seed: 1,
    });
    expect(trained.config.data).toEqual({ source: 'mnist', trainSize: 1000, testSize: 10000 });
  });

  it('--out: results.json (the same object), loss.svg, accuracy.svg and their specs', async () => {
    const out = join(dir, 'small');
    expect(JSON.parse(await readFile(join(out, 'results.json'), 'utf8'))).toEqual(trained);
    for (const f of ['loss.svg', 'accuracy.svg'])
      expect(await readFile(join(out, f), 'utf8'), f).toMatch(/^<svg[\s\S]*<\/svg>$/);
    for (const f of ['loss.vl.json', 'accuracy.vl.json'])
      expect(JSON.parse(await readFile(join(out, f), 'utf8')).$schema).toMatch(/vega-lite/);
  });

  it('eval of the saved model gives the run’s final test accuracy', async () => {
    const r = await run(['eval', '--model', model(), '--json']);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toEqual({
      accuracy: trained.finalTestAccuracy,
      correct: Math.round(trained.finalTestAccuracy * 10000),
      total: 10000,
      model: model(),
      data: 'mnist',
    });
    const text = await run(['eval', '--model', model()]);
    expect(text.stdout.text).toMatch(/^test accuracy 0\.\d{4} \(\d+ of 10000 mnist test images\)\n$/);
  });

  it('predict: class, label, probabilities, and the digit in ASCII', async () => {
    const r = await run(['predict', '--model', model(), '--index', '0', '--json']);
    const p = lastJson(r.stdout);
    expect(p.index).toBe(0);
    expect(p.label).toBe(7); // the first MNIST test image is a 7
    expect(p.probabilities).toHaveLength(10);
    expect(p.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p.predicted).toBe(p.probabilities.indexOf(Math.max(...p.probabilities)));
    expect(p.correct).toBe(p.predicted === 7);

    const t = await run(['predict', '--model', model(), '-i', '0', '--backend', 'js']);
    expect(t.code).toBe(0);
    const lines = t.stdout.lines;
    expect(lines[0]).toMatch(/^test image 0: predicted \d, label 7 [✓✗]$/);
    const art = lines.filter((l) => l.startsWith('|'));
    expect(art).toHaveLength(14);
    expect(art.join('')).toMatch(/[#%@]/);
    expect(lines.filter((l) => /\|\s+[> ] \d {2}[01]\.\d{4}/.test(l))).toHaveLength(10);
  });

  it('--index past the test set: usage error naming the flag', async () => {
    const r = await run(['predict', '--model', model(), '--index', '10000']);
    expect(r.code).toBe(2);
    expect(r.stderr.text).toMatch(/^zerodl: --index: expected 0 … 9999/);
  });

  it('--train-size past the training set: usage error', async () => {
    const r = await run(['train', '--train-size', '60001', '--no-out']);
    expect(r.code).toBe(2);
    expect(r.stderr.text).toMatch(/^zerodl: --train-size: expected at most 60000/);
  });
});

describe('interrupted and diverged runs', () => {
  it('an AbortSignal mid-run: exit 130, partial results reported, the model saved', async () => {
    const controller = new AbortController();
    // Abort when epoch 1's line is printed: training stops at the next step, after exactly one epoch.
    const stdout = sink((chunk) => {
      if (chunk.startsWith('epoch 1/3  train acc')) controller.abort();
    });
    const save = join(dir, 'abort.safetensors'),
      out = join(dir, 'abort');
    const r = await run(['train', '--train-size', '1000', '--epochs', '3', '--save', save, '--out', out], {
      stdout,
      signal: controller.signal,
    });
    expect(r.code).toBe(130);
    expect(r.stderr.text).toMatch(/^interrupted after 10 of 30 iterations/);
    expect(stdout.text).toMatch(/final test accuracy 0\.\d{4}: 1 epochs, 10 iterations/);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ aborted: true, iterations: 10, epochs: 1, model: save });
    expect(results.trainLoss).toHaveLength(10);
    expect(await exists(join(out, 'loss.svg'))).toBe(true);
    expect(await exists(join(out, 'accuracy.svg'))).toBe(true);
    const e = await run(['eval', '--model', save, '--json']);
    expect(lastJson(e.stdout).accuracy).toBe(results.finalTestAccuracy);
  });

  it('aborted before the first step: a results.json, no plots, and no untrained model over an existing one', async () => {
    const controller = new AbortController();
    controller.abort();
    const save = join(dir, 'previous.safetensors'),
      out = join(dir, 'none');
    const before = Buffer.from('a model saved by an earlier run');
    await writeFile(save, before);
    const r = await run(['train', '--train-size', '500', '--epochs', '1', '--save', save, '--out', out, '-q'], {
      signal: controller.signal,
    });
    expect(r.code).toBe(130);
    expect(r.stderr.text).toContain(`nothing was trained, so ${save} was not written`);
    expect(r.stdout.lines).toEqual([
      // -q: the outcome only
      expect.stringMatching(/^final test accuracy 0\.\d{4}: 0 epochs, 0 iterations/),
      `wrote ${join(out, 'results.json')}`,
    ]);
    expect(JSON.parse(await readFile(join(out, 'results.json'), 'utf8'))).toMatchObject({
      iterations: 0,
      trainLoss: [],
    });
    expect(await exists(join(out, 'loss.svg'))).toBe(false);
    expect(Buffer.compare(await readFile(save), before)).toBe(0);
  });

  it('a diverging run (NaN loss): a clear message, exit 1, the last finite params saved', async () => {
    const save = join(dir, 'div.safetensors'),
      out = join(dir, 'div');
    const r = await run([
      'train',
      '--train-size',
      '500',
      '--epochs',
      '1',
      '--optimizer',
      'sgd',
      '--lr',
      '1000',
      '--save',
      save,
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.text).toMatch(/^zerodl: training diverged at iteration \d+: the loss became NaN/m);
    expect(lastJson(r.stdout)).toMatchObject({ diverged: true, finalTestAccuracy: null }); // --json: always the object
    const net = await loadNet(save);
    expect(Object.values(net.params).every((p) => p.every(Number.isFinite))).toBe(true);
    expect(JSON.parse(await readFile(join(out, 'results.json'), 'utf8'))).toMatchObject({
      diverged: true,
      finalTestAccuracy: null,
    });
  });
});

describe('zerodl experiment', () => {
  it('runs one: aligned summary, findings ✓/✗, figures; --json last', async () => {
    const out = join(dir, 'paths');
    const r = await run(['experiment', 'optimizer-paths', '--quick', '--out', out, '--json']);
    expect(r.code, r.stderr.text).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.name).toBe('optimizer-paths');
    expect(result.quick).toBe(true);
    const text = r.stderr.text;
    expect(text).toMatch(/^─+ {2}─+/m);
    for (const f of result.findings) expect(text).toContain(`${f.holds ? '✓' : '✗'} ${f.claim}`);
    expect(text).toContain(`figures: ${result.figures.join(', ')}`);
    for (const f of result.figures) expect(await exists(f), f).toBe(true);
  });
});

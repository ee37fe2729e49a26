// The command line: every train flag lands in the right option, every bad value is a usage error naming its flag,
// and main() turns errors into exit codes and messages (2 + usage, 1 + one line) without running anything.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { formatTable } from '../../src/cli/experiment.js';
import { main } from '../../src/cli/main.js';
import { asciiImage, softmax } from '../../src/cli/predict.js';
import { epochEnd } from '../../src/cli/progress.js';
import { DEFAULT_EPOCHS, parseTrainArgs } from '../../src/cli/train.js';
import { sink } from './helpers.js';

describe('zerodl train: flags → options', () => {
  it('defaults are the npm start run: 784-100x4-10 ReLU/He, Adam, batch 100, seed 0, report/', () => {
    expect(parseTrainArgs([])).toEqual({
      help: false,
      net: {
        hiddenSizes: [100, 100, 100, 100],
        activation: 'relu',
        weightInit: 'he',
        useBatchNorm: false,
        useDropout: false,
        weightDecayLambda: 0,
        seed: 0,
        backend: 'wasm',
      },
      optimizer: 'adam',
      optimizerParams: {},
      epochs: DEFAULT_EPOCHS,
      batchSize: 100,
      trainSize: undefined,
      evaluateSampleNumPerEpoch: undefined,
      seed: 0,
      threads: 1,
      data: undefined,
      save: undefined,
      out: 'report',
      json: false,
      quiet: false,
    });
  });

  it('every flag', () => {
    const a = parseTrainArgs([
      '--hidden',
      '50,40,30',
      '--activation',
      'sigmoid',
      '--init',
      'xavier',
      '--batchnorm',
      '--dropout',
      '0.2',
      '--weight-decay',
      '0.1',
      '--optimizer',
      'Momentum',
      '--lr',
      '0.05',
      '--momentum',
      '0.8',
      '--epochs',
      '7',
      '--batch-size',
      '128',
      '--train-size',
      '300',
      '--eval-samples',
      '1000',
      '--seed',
      '-3',
      '--backend',
      'js',
      '--data',
      'fashion/',
      '--save',
      'm.safetensors',
      '--out',
      'rep',
      '--json',
      '-q',
    ]);
    expect(a).toEqual({
      help: false,
      net: {
        hiddenSizes: [50, 40, 30],
        activation: 'sigmoid',
        weightInit: 'xavier',
        useBatchNorm: true,
        useDropout: true,
        dropoutRatio: 0.2,
        weightDecayLambda: 0.1,
        seed: -3,
        backend: 'js',
      },
      optimizer: 'momentum',
      optimizerParams: { lr: 0.05, momentum: 0.8 },
      epochs: 7,
      batchSize: 128,
      trainSize: 300,
      evaluateSampleNumPerEpoch: 1000,
      seed: -3,
      threads: 1,
      data: 'fashion/',
      save: 'm.safetensors',
      out: 'rep',
      json: true,
      quiet: true,
    });
    expect(parseTrainArgs(['--threads', '2']).threads).toBe(2);
  });

  it('--init takes a std, --hidden "" no hidden layer, optimizer-specific flags, --no-out, --flag=value', () => {
    expect(parseTrainArgs(['--init', '0.01']).net.weightInit).toBe(0.01);
    expect(parseTrainArgs(['--init=1e-2']).net.weightInit).toBe(0.01);
    expect(parseTrainArgs(['--hidden', '']).net.hiddenSizes).toEqual([]);
    expect(parseTrainArgs(['--optimizer', 'rmsprop', '--decay-rate', '0.9']).optimizerParams).toEqual({
      decayRate: 0.9,
    });
    expect(parseTrainArgs(['--beta1', '0.8', '--beta2', '0.99']).optimizerParams).toEqual({ beta1: 0.8, beta2: 0.99 });
    expect(parseTrainArgs(['--optimizer', 'nesterov', '--momentum=0.5']).optimizerParams).toEqual({ momentum: 0.5 });
    expect(parseTrainArgs(['--no-out']).out).toBeUndefined();
    expect(parseTrainArgs(['--dropout', '0']).net).toMatchObject({ useDropout: true, dropoutRatio: 0 });
    expect(parseTrainArgs(['-h']).help).toBe(true);
  });

  const bad: [string[], RegExp][] = [
    [['--lr', '-1'], /^--lr: expected a number > 0, got '-1'$/],
    [['--lr', '0'], /^--lr: .*'0'/],
    [['--lr', '1e'], /^--lr: .*'1e'/],
    [['--lr', '0x10'], /^--lr: /],
    [['--activation', 'tanh'], /^--activation: expected one of relu, sigmoid, got 'tanh'$/],
    [['--hidden', '100,x'], /^--hidden: .*'x'/],
    [['--hidden', '100,0'], /^--hidden: .*'0'/],
    [['--hidden', '100,,100'], /^--hidden: /],
    [['--dropout', '1.5'], /^--dropout: expected a number in \[0, 1\), got '1.5'$/],
    [['--dropout', '1'], /^--dropout: /],
    [['--weight-decay', '-0.1'], /^--weight-decay: expected a number ≥ 0/],
    [['--init', 'magic'], /^--init: expected one of he, relu, xavier, sigmoid/],
    [['--init', '-0.1'], /^--init: expected a number > 0/],
    [['--optimizer', 'lbfgs'], /^--optimizer: expected one of sgd, momentum/],
    [['--momentum', '0.9'], /^--momentum applies to the momentum and nesterov optimizers, not to adam$/],
    [['--optimizer', 'momentum', '--momentum', '1'], /^--momentum: expected a number in \(0, 1\)/],
    [['--optimizer', 'sgd', '--beta1', '0.9'], /^--beta1 applies to the adam optimizer, not to sgd$/],
    [['--epochs', '2.5'], /^--epochs: expected a positive integer, got '2.5'$/],
    [['--epochs', '0'], /^--epochs: /],
    [['--batch-size', '-5'], /^--batch-size: /],
    [['--train-size', '1e3'], /^--train-size: /],
    [['--eval-samples', 'all'], /^--eval-samples: /],
    [['--seed', '1.5'], /^--seed: expected an integer/],
    [['--backend', 'gpu'], /^--backend: expected one of wasm, js, got 'gpu'$/],
    [['--threads', '0'], /^--threads: expected an integer from 1 to 256, got '0'$/],
    [['--threads', '2', '--backend', 'js'], /^--threads applies to the wasm backend only$/],
    [['--foo'], /--foo/],
    [['--lr'], /--lr/],
    [['--batchnorm=yes'], /--batchnorm/],
    [['extra'], /unexpected argument 'extra'/i],
    [['--out', 'a', '--no-out'], /--out and --no-out/],
  ];
  it.each(bad)('%j → a usage error naming the flag', (argv, message) => {
    let error: unknown;
    try {
      parseTrainArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
    expect((error as UsageError).command).toBe('train');
  });
});

describe('main: exit codes and messages', () => {
  async function run(argv: string[]) {
    const io = { stdout: sink(), stderr: sink() };
    const code = await main(argv, io);
    return { code, out: io.stdout.text, err: io.stderr.text };
  }

  it('a bad flag: exit 2, one message, then the command usage; no stack trace', async () => {
    const r = await run(['train', '--lr', '-1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^zerodl: --lr: expected a number > 0, got '-1'\n\nUsage: zerodl train/);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
    expect(r.out).toBe('');
    const u = await run(['train', '--unknown-flag']);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/^zerodl: Unknown option '--unknown-flag'/);
  });

  it('--help, --version, no command, unknown command', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: zerodl <command>/) });
    expect(await run(['--version'])).toEqual({ code: 0, out: '0.1.0\n', err: '' });
    expect(await run([])).toMatchObject({ code: 2, err: expect.stringMatching(/^Usage: zerodl <command>/) });
    const u = await run(['fit']);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/^zerodl: unknown command 'fit': expected one of train, eval, predict, experiment/);
    for (const cmd of ['train', 'eval', 'predict', 'experiment']) {
      const h = await run([cmd, '--help']);
      expect(h.code, cmd).toBe(0);
      expect(h.out, cmd).toMatch(new RegExp(`^Usage: zerodl ${cmd}`));
    }
  });

  it('eval and predict check their flags before loading anything', async () => {
    expect(await run(['eval'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^zerodl: --model FILE is required/),
    });
    expect(await run(['predict', '--model', 'm', '--index', '-1'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^zerodl: --index: expected an integer ≥ 0, got '-1'/),
    });
    expect(await run(['eval', '--model', 'm', '--backend', 'cuda'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^zerodl: --backend: /),
    });
  });

  it('a missing model file: exit 1, one line naming it', async () => {
    const r = await run(['eval', '--model', '/nonexistent/m.safetensors']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('zerodl: /nonexistent/m.safetensors: expected a file, found none (no such file or directory)\n');
  });

  it('experiment: list, an unknown name (exit 2, listing the known ones), a missing name', async () => {
    const list = await run(['experiment', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^optimizer-paths\s+Update paths/m);
    expect(list.out).toMatch(/^batchnorm\s+/m);
    const bad = await run(['experiment', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^zerodl: unknown experiment 'nope': expected one of optimizer-paths, .*batchnorm/);
    expect((await run(['experiment'])).code).toBe(2);
    expect((await run(['experiment', 'a', 'b'])).code).toBe(2);
  });
});

describe('output helpers', () => {
  it('formatTable aligns columns: numbers right, text left', () => {
    const lines = formatTable(
      ['optimizer', 'loss'],
      [
        ['SGD', 0.157],
        ['AdaGrad', 0.0127],
        ['Adam', 2.5e-5],
      ],
    );
    expect(lines).toEqual([
      'optimizer     loss',
      '─────────  ───────',
      'SGD          0.157',
      'AdaGrad     0.0127',
      'Adam       2.50e-5',
    ]);
  });

  it('softmax sums to 1 and keeps the order; a large score does not overflow', () => {
    const p = softmax([1, 2, 1000, -5]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[2]).toBeCloseTo(1, 12);
    expect(p.every(Number.isFinite)).toBe(true);
  });

  it('asciiImage: two pixel rows per line, darker is denser', () => {
    const px = new Float32Array(4 * 3);
    px.set([1, 1, 1], 0);
    px.set([1, 1, 1], 3); // rows 0 and 1 full, rows 2 and 3 empty
    expect(asciiImage(px, 4, 3)).toEqual(['@@@', '']);
  });

  it('epochEnd matches the Trainer’s epoch boundaries, also for fractional iterations per epoch', () => {
    for (const [N, B, epochs] of [
      [60000, 100, 5],
      [2000, 128, 3],
      [300, 100, 4],
      [50, 100, 3],
      [1000, 300, 2],
    ]) {
      const ipe = Math.max(N / B, 1),
        maxIter = Math.floor(epochs * ipe);
      const ends: number[] = [];
      for (let iter = 0; iter < maxIter; iter++) {
        // the Trainer's rule for "evaluate now"
        if (Math.floor((iter + 1) / ipe) > Math.floor(iter / ipe) || iter + 1 === maxIter) ends.push(iter + 1);
      }
      expect(
        ends.map((_, e) => epochEnd(e, ipe, maxIter)),
        `${N}/${B}`,
      ).toEqual(ends);
    }
  });
});

// `zerodl experiment` flags that set an experiment's own options (src/cli/experiment-flags.ts): each reaches the
// experiment as the option the chapter pages set, values the experiment refuses exit 1 with its ValueError, a flag
// given to an experiment that doesn't take it is a usage error (exit 2) — and in neither case is anything written.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { KNOB_FLAGS, knobOptions } from '../../src/cli/experiment-flags.js';
import { UsageError } from '../../src/cli/args.js';
import { experiments } from '../../src/experiments/index.js';
import { optimizerPath } from '../../src/experiments/optimizer-paths.js';
import { sink, type Sink } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zerodl-knob-flags-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(argv: string[]) {
  const stdout = sink() as Sink,
    stderr = sink() as Sink;
  const code = await main(argv, { stdout, stderr });
  return { code, stdout, stderr };
}
const lastJson = (s: Sink): Record<string, any> => JSON.parse(s.lines.at(-1)!);

describe('knob flags', () => {
  it('name only experiments that exist', () => {
    for (const [flag, spec] of Object.entries(KNOB_FLAGS))
      for (const e of spec.experiments) expect(Object.hasOwn(experiments, e), `--${flag}: ${e}`).toBe(true);
  });

  it('read numbers, lists, pairs and NAME=VALUE maps; refuse text that is none of them', () => {
    expect(knobOptions('optimizer-paths', { start: '3,-1.5', lr: 'SGD=0.5,Adam=0.2' })).toEqual({
      start: [3, -1.5],
      lr: { SGD: 0.5, Adam: 0.2 },
    });
    expect(knobOptions('weight-decay', { lambdas: '0,0.03', 'train-size': '200', epochs: '3' })).toEqual({
      lambdas: [0, 0.03],
      trainSize: 200,
      epochs: 3,
    });
    expect(knobOptions('hyperparameter-search', { 'lr-range': '-5,-2', 'decay-range': '-7,-5' })).toEqual({
      lrRange: [-5, -2],
      decayRange: [-7, -5],
    });
    expect(knobOptions('init-histogram', { inits: 'he,custom', std: '0.3', layers: '3', units: '50' })).toEqual({
      inits: ['he', 'custom'],
      std: 0.3,
      layers: 3,
      units: 50,
    });
    for (const [name, values] of [
      ['optimizer-paths', { start: '1' }],
      ['optimizer-paths', { start: '1,x' }],
      ['optimizer-paths', { lr: 'SGD' }],
      ['optimizer-paths', { lr: 'SGD=1,SGD=2' }],
      ['optimizer-mnist', { iterations: '2.5' }],
      ['optimizer-mnist', { optimizers: 'SGD,,Adam' }],
      ['dropout', { lambdas: '0' }],
      ['batchnorm', { iterations: '10' }],
    ] as const)
      expect(() => knobOptions(name, values), JSON.stringify(values)).toThrow(UsageError);
  });

  it('--start and --lr move the paths exactly as the options do', async () => {
    const r = await run([
      'experiment',
      'optimizer-paths',
      '--no-out',
      '-q',
      '--json',
      '--start',
      '3,1',
      '--lr',
      'SGD=0.5',
    ]);
    expect(r.code).toBe(0);
    const res = lastJson(r.stdout).results;
    expect(res.start).toEqual([3, 1]);
    expect(res.paths.SGD.lr).toBe(0.5);
    // The oracle: the optimizer classes stepped directly from that start at that rate.
    const direct = optimizerPath('sgd', 0.5, 30, [3, 1]);
    expect(res.paths.SGD.points[0]).toEqual([3, 1]);
    expect(res.paths.SGD.points.at(-1)[0]).toBeCloseTo(direct.at(-1)![0], 5);
    expect(res.paths.Momentum.lr).toBe(0.1);
  });

  it('--lambdas, --train-size and --epochs reach weight-decay', async () => {
    const out = join(dir, 'wd');
    const r = await run([
      'experiment',
      'weight-decay',
      '--out',
      out,
      '-q',
      '--json',
      '--lambdas',
      '0,0.03',
      '--train-size',
      '200',
      '--epochs',
      '4',
    ]);
    expect(r.code).toBe(0);
    const res = lastJson(r.stdout).results;
    expect(res.lambdas).toEqual([0, 0.03]);
    expect(JSON.stringify(res)).toContain('200');
  }, 60_000);

  it('a value the experiment refuses exits 1 with its message and writes nothing', async () => {
    const out = join(dir, 'refused');
    const r = await run(['experiment', 'optimizer-paths', '--out', out, '--start', '30,1']);
    expect(r.code).toBe(1);
    expect(r.stderr.text).toMatch(/start must be/);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('a flag the experiment does not take is a usage error (exit 2) and writes nothing', async () => {
    const out = join(dir, 'usage');
    const r = await run(['experiment', 'dropout', '--out', out, '--lambdas', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.text).toMatch(/--lambdas applies to weight-decay only/);
    await expect(readdir(out)).rejects.toThrow();
  });
});

// The parallel, shardable hyperparameter search: trial k is the same trial however the search is split (plan and
// shards), a pool of 2 workers gives bit-identical trials to the inline run, merged shards give the unsharded
// report, and merge names what is wrong with a set of shards. Tiny searches (quick, 4–6 trials × 3 epochs) on real
// MNIST; the pool loads the built worker (dist/search-worker.js), so the build runs first if stale.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistData } from '../../src/data/mnist.node.js';
import { FormatError, ValueError } from '../../src/errors.js';
import {
  experiment,
  mergePartialScatters,
  type SearchOptions,
  type ShardResults,
} from '../../src/experiments/hyperparameter-search.js';
import { combineShards, mergeShards, readShard, type ShardFile } from '../../src/experiments/search/merge.node.js';
import { parseShard, planTrials, shardTrials } from '../../src/experiments/search/plan.js';
import type { ExperimentResult } from '../../src/experiments/types.js';
import type { VegaLiteSpec } from '../../src/plot/specs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TINY: SearchOptions = { quick: true, trials: 5, epochs: 3, seed: 7 };

let mnist: MnistData;
let dir: string;
let inline: ExperimentResult;
beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' }); // if stale
  mnist = await loadMnist();
  dir = await mkdtemp(join(tmpdir(), 'zerodl-search-'));
  inline = await experiment.run({ ...TINY, mnist });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Run {
  trial: number;
  lr: number;
  weightDecay: number;
  finalVal: number;
  valAcc: number[];
  trainAcc: number[];
}
const runsOf = (r: ExperimentResult) => (r.results as { runs: Run[] }).runs;

describe('trial plan and shards', () => {
  it('shards i/n together hold every trial exactly once, round-robin', () => {
    for (const [trials, n] of [
      [100, 3],
      [20, 4],
      [5, 7],
      [1, 1],
      [7, 7],
    ]) {
      const all = Array.from({ length: n }, (_, i) => shardTrials(trials, { index: i + 1, count: n })).flat();
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: trials }, (_, k) => k));
    }
    expect(shardTrials(10, { index: 2, count: 3 })).toEqual([1, 4, 7]);
  });

  it('trial k is a function of (seed, k) alone: the same spec in every split', () => {
    for (const sampling of ['independent', 'latin hypercube'] as const) {
      const plan = planTrials({ seed: 3, trials: 30, sampling });
      expect(planTrials({ seed: 3, trials: 30, sampling })).toEqual(plan);
      for (const n of [2, 3, 5]) {
        for (let i = 1; i <= n; i++) {
          const ks = shardTrials(30, { index: i, count: n });
          expect(ks.map((k) => plan[k].trial)).toEqual(ks);
        }
      }
      expect(new Set(plan.map((s) => s.netSeed)).size).toBe(30);
      expect(new Set(plan.map((s) => s.batchSeed)).size).toBe(30);
      expect(planTrials({ seed: 4, trials: 30, sampling })[0].lr).not.toBe(plan[0].lr);
    }
    // the book's independent draws: weight decay, then lr, from one stream
    expect(planTrials({ seed: 0, trials: 3, sampling: 'independent' }).slice(0, 2)).toEqual(
      planTrials({ seed: 0, trials: 100, sampling: 'independent' }).slice(0, 2),
    );
  });

  it('parses i/n and refuses the rest', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '-1/3']) expect(() => parseShard(bad), bad).toThrow(ValueError);
  });
});

describe('workers and shards give the same trials', () => {
  it('--workers 2 gives exactly the per-trial results of the inline run', async () => {
    const pooled = await experiment.run({ ...TINY, mnist, workers: 2 });
    expect(runsOf(pooled)).toEqual(runsOf(inline));
    expect(pooled.results).toEqual(inline.results);
    expect(pooled.findings).toEqual(inline.findings);
    expect(runsOf(inline).map((r) => r.trial)).toEqual([0, 1, 2, 3, 4]);
    expect(runsOf(inline).every((r) => r.valAcc.length === 3)).toBe(true);
  });

  it('shards 1/2 (pool) + 2/2 (inline), merged, give the unsharded report', async () => {
    const outs = [join(dir, 's1'), join(dir, 's2')];
    const s1 = await experiment.run({ ...TINY, mnist, shard: { index: 1, count: 2 }, workers: 2, out: outs[0] });
    const s2 = await experiment.run({ ...TINY, mnist, shard: { index: 2, count: 2 }, out: outs[1] });
    expect((s1.results as unknown as ShardResults).shard).toEqual({ index: 1, count: 2, trials: [0, 2, 4] });
    expect((s2.results as unknown as ShardResults).runs.map((t) => t.trial)).toEqual([1, 3]);
    expect(s1.findings).toEqual([]);
    const out = join(dir, 'merged');
    const merged = await mergeShards([outs[1], join(outs[0], 'results.json')], { out });
    expect(merged.results).toEqual(inline.results);
    expect(merged.summary).toEqual(inline.summary);
    expect(merged.findings).toEqual(inline.findings);
    expect([merged.seed, merged.quick]).toEqual([7, true]);
    expect(merged.figures.map((f) => f.slice(out.length + 1))).toEqual([
      'hyperparameter-search-best.svg',
      'hyperparameter-search-scatter.svg',
    ]);
  });

  it('aborting a pooled run rejects with the signal reason', async () => {
    const c = new AbortController();
    const reason = new Error('stop');
    const run = experiment.run({
      ...TINY,
      trials: 6,
      epochs: 20,
      mnist,
      workers: 2,
      signal: c.signal,
      log: (line) => {
        if (line.startsWith('trial ')) c.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
  });
});

describe('search merge checks the shards', () => {
  let shards: ShardFile[];
  beforeAll(async () => {
    const opts = { ...TINY, trials: 6, epochs: 1, mnist };
    shards = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const r = await experiment.run({ ...opts, shard: { index: i, count: 3 } });
        return { file: `s${i}.json`, results: structuredClone(r.results) as unknown as ShardResults };
      }),
    );
  });

  it('accepts any split that covers every trial once', () => {
    const { trials } = combineShards([shards[2], shards[0], shards[1]]);
    expect(trials.map((t) => t.trial)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('names the missing and the duplicate trials', () => {
    expect(() => combineShards([shards[0], shards[2]])).toThrow(ValueError);
    expect(() => combineShards([shards[0], shards[2]])).toThrow(/missing trials 1, 4/);
    expect(() => combineShards([shards[0], shards[1], shards[2], shards[1]])).toThrow(
      /duplicate trials 1 \(in s2\.json, s2\.json\); 4 \(in s2\.json, s2\.json\)/,
    );
  });

  it("refuses shards of another search, or whose draws are not the search's", () => {
    const other = structuredClone(shards[1]);
    other.file = 'other.json';
    other.results.search.seed = 8;
    expect(() => combineShards([shards[0], other, shards[2]])).toThrow(
      /other\.json is not from the same search as s1\.json: seed 8 ≠ 7/,
    );
    const epochs = structuredClone(shards[1]);
    epochs.results.search.epochs = 2;
    expect(() => combineShards([shards[0], epochs, shards[2]])).toThrow(ValueError);
    const tampered = structuredClone(shards[1]);
    tampered.results.runs[0].lr *= 2;
    expect(() => combineShards([shards[0], tampered, shards[2]])).toThrow(
      /trial 1 has lr .* but the search \(seed 7\) draws lr/,
    );
  });

  it('FormatError for a file that is not a shard', async () => {
    const bad = join(dir, 'bad.json'),
      whole = join(dir, 'whole.json'),
      other = join(dir, 'other.json');
    await writeFile(bad, '{"name": "hyperparameter-search", ');
    await writeFile(whole, JSON.stringify(inline));
    await writeFile(other, JSON.stringify({ ...inline, name: 'dropout' }));
    await expect(readShard(bad)).rejects.toThrow(FormatError);
    await expect(readShard(whole)).rejects.toThrow(/not a shard/);
    await expect(readShard(other)).rejects.toThrow(
      /expected the results\.json of a hyperparameter-search shard, found 'dropout'/,
    );
    await expect(mergeShards([])).rejects.toThrow(ValueError);
  });
});

describe('the lr and weight decay ranges (lrRange, decayRange)', () => {
  it('every sampled lr and weight decay lies in its range, independent or Latin hypercube', () => {
    for (const sampling of ['independent', 'latin hypercube'] as const) {
      const plan = planTrials({ seed: 5, trials: 200, sampling, lrRange: [-3, -2.5], decayRange: [-6, -5] });
      for (const p of plan) {
        expect(Math.log10(p.lr)).toBeGreaterThanOrEqual(-3 - 1e-12);
        expect(Math.log10(p.lr)).toBeLessThanOrEqual(-2.5 + 1e-12);
        expect(Math.log10(p.weightDecay)).toBeGreaterThanOrEqual(-6 - 1e-12);
        expect(Math.log10(p.weightDecay)).toBeLessThanOrEqual(-5 + 1e-12);
      }
      // The book's ranges are the default: the same draws bit for bit as without them.
      expect(planTrials({ seed: 5, trials: 20, sampling, lrRange: [-6, -2], decayRange: [-8, -4] })).toEqual(
        planTrials({ seed: 5, trials: 20, sampling }),
      );
    }
  });

  it('a run records its ranges, draws within them, and judges the lr claim only when the range spans it', async () => {
    const r = await experiment.run({ ...TINY, trials: 3, epochs: 1, mnist, lrRange: [-3, -2], decayRange: [-6, -5] });
    const res = r.results as { search: ShardResults['search']; runs: Run[] };
    expect(res.search.lrRange).toEqual([-3, -2]);
    expect(res.search.decayRange).toEqual([-6, -5]);
    for (const t of res.runs) {
      expect(t.lr).toBeGreaterThanOrEqual(1e-3 * (1 - 1e-12));
      expect(t.lr).toBeLessThanOrEqual(1e-2 * (1 + 1e-12));
      expect(t.weightDecay).toBeGreaterThanOrEqual(1e-6 * (1 - 1e-12));
      expect(t.weightDecay).toBeLessThanOrEqual(1e-5 * (1 + 1e-12));
    }
    expect(r.findings).toEqual([]); // every trial is in the band: "the best are in the band" says nothing
    expect((inline.results as { search: ShardResults['search'] }).search.lrRange).toEqual([-6, -2]);
    expect(inline.findings).toHaveLength(1);
  });

  it('refuses bad ranges with a ValueError before any work', async () => {
    for (const bad of [
      { lrRange: [-2, -6] },
      { lrRange: [-3, -3] },
      { lrRange: [Number.NaN, -2] },
      { lrRange: [-20, -2] },
      { decayRange: [-8] },
      { decayRange: 'x' },
      { decayRange: [-4, 5] },
    ]) {
      await expect(experiment.run({ ...TINY, ...bad } as never), JSON.stringify(bad)).rejects.toThrow(ValueError);
    }
    await expect(experiment.run({ ...TINY, lrRange: [-2, -6] })).rejects.toThrow(/lrRange must be/);
  });

  it('merge refuses shards of different ranges, naming both', async () => {
    const opts = { ...TINY, trials: 2, epochs: 1, mnist };
    const [a, b] = await Promise.all(
      [1, 2].map(async (i) => {
        const r = await experiment.run({
          ...opts,
          shard: { index: i, count: 2 },
          lrRange: i === 2 ? [-5, -2] : undefined,
        });
        return { file: `r${i}.json`, results: structuredClone(r.results) as unknown as ShardResults };
      }),
    );
    expect(() => combineShards([a, b])).toThrow(ValueError);
    expect(() => combineShards([a, b])).toThrow(
      /r2\.json is not from the same search as r1\.json: lrRange \[-5,-2\] ≠ \[-6,-2\]/,
    );
    const wd = structuredClone(b);
    wd.results.search.lrRange = [-6, -2];
    wd.results.search.decayRange = [-7, -4];
    expect(() => combineShards([a, wd])).toThrow(/decayRange \[-7,-4\] ≠ \[-8,-4\]/);
  });

  it('streams the scatter as trials finish; the shards’ partial scatters merge into all their trials', async () => {
    const partials: VegaLiteSpec[] = [];
    const finals: string[] = [];
    await experiment.run({
      ...TINY,
      trials: 3,
      epochs: 1,
      mnist,
      onFigure: (name, spec, final) => {
        if (final) finals.push(name);
        else if (name === 'hyperparameter-search-scatter') partials.push(spec);
      },
    });
    expect(partials.length).toBe(3);
    expect(partials.map((s) => (s.usermeta as { trials: unknown[] }).trials.length)).toEqual([1, 2, 3]);
    expect(finals).toEqual(['hyperparameter-search-best', 'hyperparameter-search-scatter']);
    const shardPartials = await Promise.all(
      [1, 2].map(async (i) => {
        let last: VegaLiteSpec | undefined;
        await experiment.run({
          ...TINY,
          trials: 3,
          epochs: 1,
          mnist,
          shard: { index: i, count: 2 },
          onFigure: (_n, spec) => {
            last = spec;
          },
        });
        return last!;
      }),
    );
    const merged = mergePartialScatters(shardPartials)!;
    expect(merged).toEqual(partials[2]);
  });
});

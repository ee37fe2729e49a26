// The page-side API of the chapter site: the section pages (site/pages/*.ts) run experiments only through
// runInWorker. Most experiments run whole in one Worker of the pool (site/pool.ts); batchnorm and the
// hyperparameter search are split over the pool's Workers (scales / trials) and merged here with the same code
// the CLI uses, so the merged figures and findings are those of a single run.
import {
  type BatchNormRun,
  batchnormFigure,
  batchnormReport,
  experiment as batchnorm,
  defaultScales,
  panelName,
  WEIGHT_SCALES,
} from '../src/experiments/batchnorm.js';
import { Context } from '../src/experiments/context.js';
import {
  mergePartialScatters,
  experiment as search,
  report,
  type ShardResults,
} from '../src/experiments/hyperparameter-search.js';
import { combineShards } from '../src/experiments/search/merge.js';
import type { ExperimentResult } from '../src/experiments/types.js';
import type { VegaLiteSpec } from '../src/plot/specs.js';
import { getPool, type RunHandlers, type RunnerPool } from './pool.js';
import type { RunOptions } from './protocol.js';

export type { RunHandlers } from './pool.js';
export { defaultPoolSize, getPool, type PoolOptions, RunnerPool } from './pool.js';

/**
 * Runs `zerodl experiment <experiment>` in Web Workers: streams its log lines, its figures (partial ones while it
 * trains, `final` true for the figure the CLI writes) and MNIST's loading progress to `handlers`, and resolves with
 * the result (findings as the CLI checks them). Rejects with an Error named as the Worker's error class
 * (ValueError, NameError, FormatError, …), or with an AbortError once `signal` aborts.
 */
export function runInWorker(
  experiment: string,
  options: RunOptions,
  handlers: RunHandlers,
  signal?: AbortSignal,
  pool: RunnerPool = getPool(),
): Promise<ExperimentResult> {
  if (experiment === 'batchnorm' && pool.size > 1) return batchnormSplit(options, handlers, signal, pool);
  if (experiment === 'hyperparameter-search' && pool.size > 1 && options.shard === undefined)
    return searchSplit(options, handlers, signal, pool);
  return pool.run(experiment, options, handlers, signal);
}

/**
 * batchnorm over the pool: the scales dealt round-robin to min(pool size, scales) Workers, each running batchnorm
 * on its share; the panels of every share's latest figure shown as one facet figure while they train, and at the
 * end the figure and findings made by batchnorm's own batchnormFigure / batchnormReport from all the panels.
 */
async function batchnormSplit(
  options: RunOptions,
  handlers: RunHandlers,
  signal: AbortSignal | undefined,
  pool: RunnerPool,
): Promise<ExperimentResult> {
  const t0 = performance.now();
  const quick = !!options.quick;
  const scales = (options.scales as number[] | undefined) ?? defaultScales(quick);
  if (!Array.isArray(scales) || scales.length < 2) return pool.run('batchnorm', options, handlers, signal);
  const numpy = options.draws === 'numpy';
  // The single run's panel order: the scales as given, or ascending with numpy's draws (drawn in the book's order).
  const order = numpy ? [...scales].sort((a, b) => a - b) : scales;
  const names = order.map((i) => panelName(WEIGHT_SCALES[i]));
  const k = Math.min(pool.size, scales.length);
  const shares = Array.from({ length: k }, (_, w) => scales.filter((_, i) => i % k === w));
  const latest: (VegaLiteSpec | undefined)[] = shares.map(() => undefined);
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  let results: ExperimentResult[];
  try {
    results = await Promise.all(
      shares.map((share, w) =>
        pool
          .run(
            'batchnorm',
            { ...options, scales: share },
            {
              onLog: handlers.onLog,
              onMnist: handlers.onMnist,
              onFigure: (_name, spec) => {
                latest[w] = spec;
                handlers.onFigure?.('batchnorm', mergeFacets(latest, names), false);
              },
            },
            controller.signal,
          )
          .catch((e) => {
            controller.abort(e); // one share failed or stopped: stop the others
            throw e;
          }),
      ),
    );
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  const runs: BatchNormRun[] = results.flatMap((r) =>
    (r.results.runs as { index: number; scale: number; batchNorm: number[]; plain: number[] }[]).map((p) => ({
      index: p.index,
      scale: p.scale,
      bn: p.batchNorm,
      plain: p.plain,
    })),
  );
  runs.sort((a, b) => order.indexOf(a.index) - order.indexOf(b.index));
  const first = results[0];
  const cfg = {
    trainSize: first.results.trainSize as number,
    epochs: first.results.epochs as number,
    draws: first.results.draws as 'zerodl' | 'numpy',
  };
  handlers.onFigure?.('batchnorm', batchnormFigure(runs, cfg.trainSize), true);
  const parts = batchnormReport(runs, scales, cfg);
  for (const f of parts.findings) handlers.onLog?.(`${f.holds ? 'holds' : 'FAILS'}: ${f.claim}`);
  const seconds = Math.round(performance.now() - t0) / 1000;
  handlers.onLog?.(`batchnorm: done in ${seconds.toFixed(1)} s (${k} Workers)`);
  return {
    name: batchnorm.name,
    title: batchnorm.title,
    ...parts,
    figures: [],
    seconds,
    quick: first.quick,
    seed: first.seed,
  };
}

/** One facet figure from several of the same kind (facetLineGrid's): their rows together, panels ordered by `names`. */
function mergeFacets(specs: (VegaLiteSpec | undefined)[], names: string[]): VegaLiteSpec {
  const have = specs.filter((s): s is VegaLiteSpec => s !== undefined);
  const rows = have.flatMap((s) => (s.data as { values: { p: string }[] }).values);
  const shown = new Set(rows.map((r) => r.p));
  rows.sort((a, b) => names.indexOf(a.p) - names.indexOf(b.p));
  const base = have[0];
  return {
    ...base,
    data: { values: rows },
    facet: { ...(base.facet as object), sort: names.filter((n) => shown.has(n)) },
  };
}

/** Runs `options` in `parts.length` Workers at once (part i's options); one failing or stopping stops the others. */
async function inParallel(
  experiment: string,
  parts: { options: RunOptions; handlers: RunHandlers }[],
  signal: AbortSignal | undefined,
  pool: RunnerPool,
): Promise<ExperimentResult[]> {
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return await Promise.all(
      parts.map((p) =>
        pool.run(experiment, p.options, p.handlers, controller.signal).catch((e) => {
          controller.abort(e);
          throw e;
        }),
      ),
    );
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/**
 * The hyperparameter search over the pool: shard i/k of the trials in Worker i (k = pool size, at most the
 * trials), then the shards checked and combined by `zerodl search merge`'s combineShards and reported by the
 * search's own report(): the figures and findings of an unsharded run. While they run, each shard's partial
 * scatter (its trials so far) is merged with the others' by the search's mergePartialScatters and shown.
 */
async function searchSplit(
  options: RunOptions,
  handlers: RunHandlers,
  signal: AbortSignal | undefined,
  pool: RunnerPool,
): Promise<ExperimentResult> {
  const t0 = performance.now();
  const trials = typeof options.trials === 'number' ? options.trials : options.quick ? 20 : 100;
  const k = Math.max(1, Math.min(pool.size, trials));
  const latest: VegaLiteSpec[] = [];
  const handlersOfShard = (i: number): RunHandlers => ({
    onLog: handlers.onLog,
    onMnist: handlers.onMnist,
    onFigure: (name, spec, final) => {
      if (final || name !== 'hyperparameter-search-scatter') return;
      latest[i] = spec;
      const merged = mergePartialScatters(latest.filter((s) => s !== undefined));
      if (merged) handlers.onFigure?.(name, merged, false);
    },
  });
  const results = await inParallel(
    search.name,
    Array.from({ length: k }, (_, i) => ({
      options: { ...options, shard: { index: i + 1, count: k } },
      handlers: handlersOfShard(i),
    })),
    signal,
    pool,
  );
  const { config, trials: all } = combineShards(
    results.map((r, i) => ({ file: `shard ${i + 1}/${k}`, results: r.results as unknown as ShardResults })),
  );
  const ctx = new Context(search.name, search.title, {
    seed: config.seed,
    quick: config.quick,
    backend: config.backend,
    log: handlers.onLog,
    onFigure: handlers.onFigure,
  });
  const result = await report(ctx, config, all);
  return { ...result, seconds: Math.round(performance.now() - t0) / 1000 };
}

// The chapter site (one page per section 6.1–6.5): the contract between a section page (site/pages/*.ts), the
// page-side runner (site/run.ts) and the experiment Worker (site/runner.worker.ts). The Worker runs the very
// experiment code the CLI runs (src/experiments/, through `runExperiment`), with MNIST handed in and no `out`, and
// streams what the experiment produces: log lines, figures (Vega-Lite specs, partial ones while it trains and the
// final one), then the result with the book's findings as the CLI checks them.
import type { ExperimentResult } from '../src/experiments/types.js';
import type { VegaLiteSpec } from '../src/plot/specs.js';

/** The five sections of chapter 6 and the experiments (`zerodl experiment <name>`) each page holds. */
export const SECTIONS = {
  '6.1': { title: 'Parameter updates', experiments: ['optimizer-paths', 'optimizer-mnist'] },
  '6.2': { title: 'Initial weights', experiments: ['init-histogram', 'init-mnist'] },
  '6.3': { title: 'Batch Normalization', experiments: ['batchnorm'] },
  '6.4': { title: 'Regularization', experiments: ['weight-decay', 'dropout'] },
  '6.5': { title: 'Hyperparameter validation', experiments: ['hyperparameter-search'] },
} as const;

export type SectionId = keyof typeof SECTIONS;

/** The page of a section, relative to the site's root: chapter/6-1.html … chapter/6-5.html. */
export const sectionPage = (id: SectionId): string => `chapter/${id.replace('.', '-')}.html`;

/**
 * An experiment's options as a page sends them: the JSON-serialisable part of ExperimentOptions and of the
 * experiment's own options (e.g. `scales` for batchnorm, `trials`/`epochs` for the search). Never `out`, `log`,
 * `signal` or `mnist`: the runner supplies those.
 */
export type RunOptions = Record<string, unknown> & { quick?: boolean; seed?: number };

/** Page → Worker. */
export type ToRunner =
  | { type: 'run'; id: number; experiment: string; options: RunOptions }
  /** Aborts run `id` (the experiment's AbortSignal); the Worker answers with `aborted`. */
  | { type: 'stop'; id: number };

/** Worker → page. */
export type FromRunner =
  /** While MNIST loads (once per Worker; `fromCache` once it came from the Cache API / IndexedDB). */
  | { type: 'mnist'; loadedBytes: number; totalBytes: number; fromCache: boolean; done: boolean }
  | { type: 'log'; id: number; line: string }
  /** A figure of the run: `final` false while it trains (drawn as it fills in), true for the figure the CLI writes. */
  | { type: 'figure'; id: number; name: string; spec: VegaLiteSpec; final: boolean }
  | { type: 'done'; id: number; result: ExperimentResult }
  | { type: 'aborted'; id: number }
  /** `name` is the error class's name (FormatError, ValueError, BackendError, …). */
  | { type: 'error'; id: number; name: string; message: string };

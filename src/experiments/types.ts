// What an experiment is and what it returns. One experiment mirrors one of the book's ch06 scripts.
import type { BackendName } from '../backend/types.js';
import type { MnistData } from '../data/mnist.node.js';
import type { VegaLiteSpec } from '../plot/specs.js';

export interface ExperimentOptions {
  /** Folder for results.json and the figures (<name>.svg + <name>.vl.json); none = write nothing. */
  out?: string;
  /** Fixes initial weights, minibatch order, dropout masks and random draws (default 0). */
  seed?: number;
  /**
   * Whose random draws: 'zerodl' (default, the Rng of rng.ts) or 'numpy' — the book script's own, replayed by
   * RandomState(seed) (= np.random.seed(seed)) in the script's order: each net's weights as it is created, then a
   * minibatch per iteration. Offered by optimizer-mnist, init-mnist, batchnorm and weight-decay (whose scripts draw
   * nothing else); the others reject it.
   */
  draws?: 'zerodl' | 'numpy';
  /** A smaller run (fewer iterations / epochs / trials) that still shows the book's finding; for tests and demos. */
  quick?: boolean;
  /** Backend of the nets (default 'wasm'; `init()` is awaited for you). */
  backend?: BackendName;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /**
   * Checked between training steps and trials; the event loop gets a turn at least every ~50 ms so that it can
   * fire. Once aborted, `run` rejects with `signal.reason` (a DOMException named 'AbortError' unless the caller
   * gave another reason) and writes nothing more.
   */
  signal?: AbortSignal;
  /** MNIST loaded beforehand (integer or one-hot labels), to share one load between runs. */
  mnist?: MnistData;
  /**
   * Each figure as it fills in: `final` false for the partial figures drawn while the experiment trains (at most
   * ~4 a second, built only when due), true for the finished figure — the very spec written as `<name>.vl.json`
   * with `out` (and called whether or not `out` is set).
   */
  onFigure?: (name: string, spec: VegaLiteSpec, final: boolean) => void;
}

export interface ExperimentResult {
  name: string;
  title: string;
  /** A small table of the headline numbers (with the book's reference where there is one). */
  summary: { columns: string[]; rows: (string | number)[][] };
  /** The book's qualitative findings, as claims, with whether they held in this run. */
  findings: { claim: string; holds: boolean }[];
  /** All curves and numbers, JSON-serialisable. */
  results: Record<string, unknown>;
  /** Paths of the files written (SVGs; each has its Vega-Lite spec beside it as .vl.json). */
  figures: string[];
  /** Wall time of the run, seconds. */
  seconds: number;
  quick: boolean;
  seed: number;
}

export interface Experiment {
  name: string;
  title: string;
  run(options?: ExperimentOptions): Promise<ExperimentResult>;
  /** A run's headline numbers by name (the same names every seed), for `--seeds` spreads (spread.ts). */
  spread?(result: ExperimentResult): Record<string, number>;
}

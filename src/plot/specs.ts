// Vega-Lite spec builders for the chapter-6 figures. Browser-safe: no `node:` imports, no vega import; every
// builder is a pure function from numbers to a plain JSON object, so the browser demo can render the very same
// specs with vega-embed, and `render.node.ts` renders them to SVG in Node.
//
// Data preparation (binning, moving averages, thinning, contour lines) happens here in TypeScript so that the
// specs stay small (pre-aggregated histograms, thinned series) and need no Vega transforms we would have to trust.
//
// Conventions shared by all builders:
//   - Non-finite points (NaN, ±Infinity) are dropped, and so are points ≤ 0 on a log axis.
//   - Empty inputs, mismatched x/y lengths, bins ≤ 0, bad domains or sizes throw `ValueError`.
//   - Numbers in the spec are rounded to 6 significant digits (far below a pixel) to keep .vl.json files small.

import { ValueError } from '../errors.js';
import { sig6 } from '../math.js';

/** A Vega-Lite top-level spec as plain JSON. Typed loosely to keep this module's import surface empty. */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Default size of one chart, or of one panel of a single-panel chart, in pixels. */
export const DEFAULT_WIDTH = 360;
export const DEFAULT_HEIGHT = 240;
/** Default size of one panel of a grid (histograms, small multiples). */
export const DEFAULT_PANEL_WIDTH = 220;
export const DEFAULT_PANEL_HEIGHT = 160;
/** Series longer than this are thinned by a uniform stride (the last point is always kept). */
export const DEFAULT_MAX_POINTS = 2000;

/** The look shared by every figure: fonts, sizes, colours. Each spec gets its own deep copy (`config()`). */
export const chartConfig: Readonly<Record<string, unknown>> = Object.freeze({
  background: 'white',
  padding: 8,
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 15, fontWeight: 'bold', anchor: 'middle', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6', labelFlush: true },
  // Without `canvas`, Vega over-estimates text widths; generous limits keep legend texts from being truncated.
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 400, titleLimit: 400 },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
  view: { stroke: '#bdbdbd' },
  range: { category: { scheme: 'tableau10' } },
  line: { strokeWidth: 1.6 },
  concat: { spacing: 24 },
  facet: { spacing: 16 },
});

/** A fresh copy of `chartConfig` for one spec, so that renderers which mutate specs cannot leak into others. */
const config = (): Record<string, unknown> => JSON.parse(JSON.stringify(chartConfig)) as Record<string, unknown>;

/** Tableau10, the palette the category scale uses; paths in `pathsOverContours` take their colours from it. */
const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];

// ───────────────────────────── argument checks ─────────────────────────────

type NumLike = ArrayLike<number>;

function checkNonEmpty(what: string, a: { length: number } | undefined): void {
  if (a === undefined || a === null || a.length === 0)
    throw new ValueError(`${what}: expected at least one element, found none`);
}

function checkSize(what: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
    throw new ValueError(`${what}: expected a positive finite number of pixels, found ${v}`);
  }
}

function checkPositiveInt(what: string, v: number): void {
  if (!(Number.isInteger(v) && v > 0)) throw new ValueError(`${what}: expected a positive integer, found ${v}`);
}

function checkRange(what: string, r: readonly [number, number] | undefined): void {
  if (r === undefined) return;
  if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[0] < r[1])) {
    throw new ValueError(`${what}: expected [lo, hi] with finite lo < hi, found ${JSON.stringify(r)}`);
  }
}

function checkUnique(what: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string') throw new ValueError(`${what}: expected string names, found ${typeof n}`);
    if (seen.has(n)) throw new ValueError(`${what}: names must be unique, "${n}" appears twice`);
    seen.add(n);
  }
}

function axisScale(log: boolean | undefined, domain?: readonly [number, number]): Record<string, unknown> {
  const s: Record<string, unknown> = log ? { type: 'log' } : { zero: false };
  if (domain) {
    s.domain = [domain[0], domain[1]];
    s.nice = false;
  }
  return s;
}

// ───────────────────────────── data preparation ─────────────────────────────

/** Points of the book's smoothing window (common/util.py smooth_curve). */
export const SMOOTH_CURVE_WINDOW = 11;
/** β of its Kaiser window. */
const SMOOTH_CURVE_BETA = 2;

/** The modified Bessel function I0(x) = Σ_k ((x/2)^k / k!)², summed until the terms stop counting (x ≤ ~20). */
function besselI0(x: number): number {
  const q = (x / 2) ** 2;
  let term = 1,
    sum = 1;
  for (let k = 1; term > 1e-17 * sum; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/** The Kaiser window of M points, w[n] = I0(β·√(1 − (2n/(M−1) − 1)²)) / I0(β) (numpy's np.kaiser). */
export function kaiserWindow(M: number, beta: number): number[] {
  if (!(Number.isInteger(M) && M >= 1)) throw new ValueError(`kaiserWindow M: expected an integer ≥ 1, found ${M}`);
  if (M === 1) return [1];
  const alpha = (M - 1) / 2;
  return Array.from(
    { length: M },
    (_, n) => besselI0(beta * Math.sqrt(1 - ((n - alpha) / alpha) ** 2)) / besselI0(beta),
  );
}

/**
 * The book's loss-curve smoothing (common/util.py smooth_curve): an 11-point Kaiser window (β = 2) normalised to
 * sum 1, slid over the series with its ends mirrored — before x[0] come x[10], …, x[1] (x[0] itself not repeated),
 * after x[n−1] come x[n−1], …, x[n−10] (the last point repeated) — so y[i] = Σ_k w[k]·x̃[i + k − 5] centred on
 * x[i], with the input's length n. Needs n ≥ 11: shorter series the book's function returns shortened or empty.
 */
export function smoothCurve(values: NumLike): number[] {
  const n = values.length,
    W = SMOOTH_CURVE_WINDOW,
    h = (W - 1) / 2;
  if (n < W) throw new ValueError(`smoothCurve: needs at least ${W} values (the book's window), found ${n}`);
  const raw = kaiserWindow(W, SMOOTH_CURVE_BETA);
  const total = raw.reduce((a, b) => a + b, 0);
  const w = raw.map((v) => v / total);
  // x̃ over positions −10 … n+9 of the original series: the mirrored ends described above.
  const ext = (j: number): number => (j < 0 ? values[-j] : j < n ? values[j] : values[2 * n - 1 - j]);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let y = 0;
    for (let k = 0; k < W; k++) y += w[k] * ext(i + k - h);
    out[i] = y;
  }
  return out;
}

/**
 * Centred moving average with a window of `window` points (window 1 or 0 returns a copy).
 * Near the ends the window shrinks to the points that exist, so the output has the input's length and no lag.
 * For an even window the extra point is taken on the right.
 */
export function movingAverage(values: NumLike, window: number): number[] {
  if (!(Number.isInteger(window) && window >= 0)) {
    throw new ValueError(`movingAverage window: expected an integer ≥ 0, found ${window}`);
  }
  const n = values.length;
  const out = new Array<number>(n);
  if (window <= 1) {
    for (let i = 0; i < n; i++) out[i] = values[i];
    return out;
  }
  const left = Math.floor((window - 1) / 2);
  const right = window - 1 - left;
  // Prefix sums in float64 keep this O(n) for any window.
  const pre = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) pre[i + 1] = pre[i] + values[i];
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - left);
    const b = Math.min(n - 1, i + right);
    out[i] = (pre[b + 1] - pre[a]) / (b - a + 1);
  }
  return out;
}

/**
 * Counts of `values` in `bins` equal-width bins over [domain[0], domain[1]]: bin i is [lo + i·w, lo + (i+1)·w),
 * except the last, which also holds hi (like numpy.histogram). Values outside the domain and NaN are not counted.
 */
export function histogram(values: NumLike, bins: number, domain: readonly [number, number] = [0, 1]): number[] {
  checkPositiveInt('histogram bins', bins);
  checkRange('histogram domain', domain);
  const [lo, hi] = domain;
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (hi - lo);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!(v >= lo && v <= hi)) continue; // also drops NaN
    let i = Math.floor((v - lo) * scale);
    if (i >= bins) i = bins - 1;
    counts[i]++;
  }
  return counts;
}

/** Indices 0, s, 2s, … (plus the last index) with the smallest stride s that keeps at most ~maxPoints of n. */
export function strideIndices(n: number, maxPoints: number = DEFAULT_MAX_POINTS): number[] {
  checkPositiveInt('maxPoints', maxPoints);
  const stride = n > maxPoints ? Math.ceil(n / maxPoints) : 1;
  const idx: number[] = [];
  for (let i = 0; i < n; i += stride) idx.push(i);
  if (n > 0 && idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  return idx;
}

/** One contour polyline at `level`. Closed rings repeat their first point at the end. */
export interface ContourLine {
  level: number;
  points: [number, number][];
}

/**
 * Contour lines of f at each level, by marching squares on a `resolution`×`resolution` grid over the domain
 * (linear interpolation along cell edges, saddles resolved by the cell-centre average). Segments are joined
 * into polylines so they can be drawn as Vega-Lite line marks.
 */
export function contourLines(
  f: (x: number, y: number) => number,
  xDomain: readonly [number, number],
  yDomain: readonly [number, number],
  levels: readonly number[],
  resolution = 101,
): ContourLine[] {
  checkRange('contour xDomain', xDomain);
  checkRange('contour yDomain', yDomain);
  if (!(Number.isInteger(resolution) && resolution >= 2)) {
    throw new ValueError(`contour resolution: expected an integer ≥ 2, found ${resolution}`);
  }
  const nx = resolution;
  const ny = resolution;
  const gx = (i: number) => xDomain[0] + ((xDomain[1] - xDomain[0]) * i) / (nx - 1);
  const gy = (j: number) => yDomain[0] + ((yDomain[1] - yDomain[0]) * j) / (ny - 1);
  const z = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) z[j * nx + i] = f(gx(i), gy(j));
  const out: ContourLine[] = [];
  for (const level of levels) {
    if (!Number.isFinite(level)) throw new ValueError(`contour levels: expected finite numbers, found ${level}`);
    for (const points of marchingSquares(z, nx, ny, level, gx, gy)) out.push({ level, points });
  }
  return out;
}

function marchingSquares(
  z: Float64Array,
  nx: number,
  ny: number,
  level: number,
  gx: (i: number) => number,
  gy: (j: number) => number,
): [number, number][][] {
  // Edge ids: the horizontal edge from grid point (i,j) to (i+1,j) is 2(j·nx+i); the vertical one to (i,j+1) is +1.
  const H = (i: number, j: number) => 2 * (j * nx + i);
  const V = (i: number, j: number) => 2 * (j * nx + i) + 1;
  const adj = new Map<number, number[]>();
  const link = (a: number, b: number) => {
    const la = adj.get(a);
    if (la) la.push(b);
    else adj.set(a, [b]);
    const lb = adj.get(b);
    if (lb) lb.push(a);
    else adj.set(b, [a]);
  };
  const above = (v: number) => v >= level; // NaN counts as below
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = z[j * nx + i]; // bottom-left
      const b = z[j * nx + i + 1]; // bottom-right
      const c = z[(j + 1) * nx + i + 1]; // top-right
      const d = z[(j + 1) * nx + i]; // top-left
      const code = (above(a) ? 1 : 0) | (above(b) ? 2 : 0) | (above(c) ? 4 : 0) | (above(d) ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const bottom = H(i, j),
        right = V(i + 1, j),
        top = H(i, j + 1),
        left = V(i, j);
      switch (code) {
        case 1:
        case 14:
          link(left, bottom);
          break;
        case 2:
        case 13:
          link(bottom, right);
          break;
        case 3:
        case 12:
          link(left, right);
          break;
        case 4:
        case 11:
          link(right, top);
          break;
        case 6:
        case 9:
          link(bottom, top);
          break;
        case 7:
        case 8:
          link(left, top);
          break;
        case 5: // a and c above
          if (above((a + b + c + d) / 4)) {
            link(bottom, right);
            link(top, left);
          } else {
            link(left, bottom);
            link(right, top);
          }
          break;
        case 10: // b and d above
          if (above((a + b + c + d) / 4)) {
            link(left, bottom);
            link(right, top);
          } else {
            link(bottom, right);
            link(top, left);
          }
          break;
      }
    }
  }
  const point = (e: number): [number, number] => {
    const p = e >> 1;
    const i = p % nx;
    const j = (p - i) / nx;
    const i2 = e & 1 ? i : i + 1;
    const j2 = e & 1 ? j + 1 : j;
    const z1 = z[j * nx + i];
    const z2 = z[j2 * nx + i2];
    const t = z2 === z1 ? 0.5 : Math.min(1, Math.max(0, (level - z1) / (z2 - z1)));
    return [gx(i) + t * (gx(i2) - gx(i)), gy(j) + t * (gy(j2) - gy(j))];
  };
  // Every edge borders ≤ 2 cells and carries ≤ 1 segment end per cell, so the graph is a union of paths and
  // cycles. Walk the paths from their ends (degree 1, on the grid border) first, then the cycles.
  const seen = new Set<number>();
  const lines: [number, number][][] = [];
  const walk = (start: number) => {
    const pts: [number, number][] = [point(start)];
    seen.add(start);
    let prev = -1;
    let cur = start;
    for (;;) {
      const nb = adj.get(cur)!;
      const next = nb[0] !== prev && !seen.has(nb[0]) ? nb[0] : nb.length > 1 && !seen.has(nb[1]) ? nb[1] : undefined;
      if (next === undefined) {
        if (nb.includes(start) && cur !== start && pts.length > 2) pts.push(pts[0]); // close the ring
        break;
      }
      pts.push(point(next));
      seen.add(next);
      prev = cur;
      cur = next;
    }
    lines.push(pts);
  };
  for (const [e, nb] of adj) if (nb.length === 1 && !seen.has(e)) walk(e);
  for (const e of adj.keys()) if (!seen.has(e)) walk(e);
  return lines;
}

// ───────────────────────────── line chart ─────────────────────────────

export interface LineSeries {
  name: string;
  /** Defaults to 0, 1, …, y.length − 1. */
  x?: NumLike;
  y: NumLike;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /**
   * 'book': the book's smooth_curve (an 11-point Kaiser window; series shorter than 11 are drawn unsmoothed);
   * a number: a centred moving-average window; 0 (default) = no smoothing.
   */
  smooth?: number | 'book';
  logY?: boolean;
  yDomain?: [number, number];
  width?: number;
  height?: number;
  /** Thin each series to about this many points (default 2000). */
  maxPoints?: number;
}

interface Row {
  s: string;
  x: number;
  y: number;
}

/** Finite (x, y) pairs of one series, in order; y ≤ 0 dropped on a log axis. Throws on length mismatch. */
function seriesPoints(what: string, s: LineSeries, logY: boolean | undefined): { x: number[]; y: number[] } {
  checkNonEmpty(`${what} "${s.name}" y`, s.y);
  if (s.x !== undefined && s.x.length !== s.y.length) {
    throw new ValueError(`${what} "${s.name}": x has ${s.x.length} values but y has ${s.y.length}`);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < s.y.length; i++) {
    const x = s.x === undefined ? i : s.x[i];
    const y = s.y[i];
    if (!Number.isFinite(x) || !Number.isFinite(y) || (logY && y <= 0)) continue;
    xs.push(x);
    ys.push(y);
  }
  return { x: xs, y: ys };
}

function rowsOf(name: string, x: number[], y: number[], maxPoints: number): Row[] {
  return strideIndices(y.length, maxPoints).map((i) => ({ s: name, x: sig6(x[i]), y: sig6(y[i]) }));
}

/**
 * A multi-series line chart with a legend (loss per optimizer, train vs test accuracy).
 * With `smooth` ('book': the book's Kaiser smoothing, as its loss figures; n > 0: an n-point moving average) each
 * series is drawn smoothed, with the raw series kept faint (20 % opacity)
 * behind it, in the same colour, so the noise level stays visible.
 */
export function lineChart(opts: LineChartOptions): VegaLiteSpec {
  const {
    title,
    xLabel,
    yLabel,
    series,
    smooth = 0,
    logY,
    yDomain,
    width = DEFAULT_WIDTH,
    height = DEFAULT_HEIGHT,
  } = opts;
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  checkNonEmpty('lineChart series', series);
  checkUnique(
    'lineChart series',
    series.map((s) => s.name),
  );
  if (!(smooth === 'book' || (Number.isInteger(smooth) && smooth >= 0))) {
    throw new ValueError(`lineChart smooth: expected 'book' or an integer ≥ 0, found ${smooth}`);
  }
  checkRange('lineChart yDomain', yDomain);
  if (logY && yDomain && yDomain[0] <= 0)
    throw new ValueError(`lineChart yDomain: a log axis needs lo > 0, found ${yDomain[0]}`);
  checkSize('lineChart width', width);
  checkSize('lineChart height', height);
  checkPositiveInt('lineChart maxPoints', maxPoints);

  const raw: Row[] = [];
  const smoothed: Row[] = [];
  for (const s of series) {
    const p = seriesPoints('lineChart series', s, logY);
    const smoothing = smooth === 'book' ? p.y.length >= SMOOTH_CURVE_WINDOW : smooth > 0;
    if (smoothing) {
      raw.push(...rowsOf(s.name, p.x, p.y, maxPoints));
      smoothed.push(
        ...rowsOf(s.name, p.x, smooth === 'book' ? smoothCurve(p.y) : movingAverage(p.y, smooth as number), maxPoints),
      );
    } else {
      smoothed.push(...rowsOf(s.name, p.x, p.y, maxPoints));
    }
  }
  const names = series.map((s) => s.name);
  // Counts (epochs, iterations) get whole-number ticks only.
  const integerX = smoothed.every((r) => Number.isInteger(r.x));
  const encoding = {
    x: {
      field: 'x',
      type: 'quantitative',
      title: xLabel,
      scale: { zero: false, nice: false },
      ...(integerX ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
    },
    y: { field: 'y', type: 'quantitative', title: yLabel, scale: axisScale(logY, yDomain) },
    color: {
      field: 's',
      type: 'nominal',
      title: null,
      scale: { domain: names },
      // symbolOpacity: the faint raw layer must not make the legend symbols faint too.
      legend: { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 },
    },
  };
  const layer: Record<string, unknown>[] = [];
  if (raw.length > 0) {
    layer.push({ data: { values: raw }, mark: { type: 'line', opacity: 0.2, strokeWidth: 1, clip: true }, encoding });
  }
  layer.push({ data: { values: smoothed }, mark: { type: 'line', clip: true }, encoding });
  return { $schema: SCHEMA, title, width, height, config: config(), layer };
}

// ───────────────────────────── histogram grid ─────────────────────────────

export interface HistogramPanel {
  name: string;
  values: Float32Array | Float64Array | NumLike;
}

export interface HistogramGridOptions {
  title: string;
  panels: HistogramPanel[];
  /** Number of equal-width bins (default 30, as in the book). */
  bins?: number;
  /** Range that is binned (default [0, 1], the sigmoid's range); values outside it are not counted. */
  domain?: [number, number];
  /** Panels per row (default: all in one row, like the book's figure). */
  columns?: number;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/**
 * One histogram per panel, side by side (the activation-distribution figure). Counts are computed here, so the
 * spec holds `bins` rows per panel however many values there are. The count axis is shared by all panels.
 */
export function histogramGrid(opts: HistogramGridOptions): VegaLiteSpec {
  const { title, panels, bins = 30, domain = [0, 1], xLabel = 'activation', yLabel = 'count' } = opts;
  const { width = DEFAULT_PANEL_WIDTH, height = DEFAULT_PANEL_HEIGHT } = opts;
  checkNonEmpty('histogramGrid panels', panels);
  checkUnique(
    'histogramGrid panels',
    panels.map((p) => p.name),
  );
  checkPositiveInt('histogramGrid bins', bins);
  checkRange('histogramGrid domain', domain);
  checkSize('histogramGrid width', width);
  checkSize('histogramGrid height', height);
  const columns = opts.columns ?? panels.length;
  checkPositiveInt('histogramGrid columns', columns);

  const rows: { p: string; x0: number; x1: number; n: number }[] = [];
  const w = (domain[1] - domain[0]) / bins;
  for (const p of panels) {
    const counts = histogram(p.values, bins, domain);
    for (let i = 0; i < bins; i++) {
      rows.push({
        p: p.name,
        x0: sig6(domain[0] + i * w),
        x1: sig6(i === bins - 1 ? domain[1] : domain[0] + (i + 1) * w),
        n: counts[i],
      });
    }
  }
  return {
    $schema: SCHEMA,
    title,
    config: config(),
    data: { values: rows },
    columns,
    facet: { field: 'p', type: 'nominal', sort: panels.map((p) => p.name), title: null },
    spec: {
      width,
      height,
      mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5, color: PALETTE[0] },
      encoding: {
        x: {
          field: 'x0',
          type: 'quantitative',
          title: xLabel,
          scale: { domain: [domain[0], domain[1]], nice: false, zero: false },
        },
        x2: { field: 'x1' },
        y: { field: 'n', type: 'quantitative', title: yLabel },
        y2: { datum: 0 },
      },
    },
    resolve: { scale: { y: 'shared' } },
  };
}

// ───────────────────────────── small multiples ─────────────────────────────

export interface FacetPanel {
  name: string;
  series: { name: string; y: NumLike }[];
}

export interface FacetLineGridOptions {
  title: string;
  panels: FacetPanel[];
  /** Panels per row (default 4). */
  columns?: number;
  xLabel: string;
  yLabel: string;
  yDomain?: [number, number];
  width?: number;
  height?: number;
  maxPoints?: number;
}

/**
 * Small multiples: one line chart per panel (x = 0, 1, … of each series), shared axes, one legend for the series
 * names (e.g. the BatchNorm experiment: 16 weight scales × {with, without} BatchNorm).
 */
export function facetLineGrid(opts: FacetLineGridOptions): VegaLiteSpec {
  const { title, panels, columns = 4, xLabel, yLabel, yDomain } = opts;
  const { width = DEFAULT_PANEL_WIDTH, height = DEFAULT_PANEL_HEIGHT } = opts;
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  checkNonEmpty('facetLineGrid panels', panels);
  checkUnique(
    'facetLineGrid panels',
    panels.map((p) => p.name),
  );
  checkPositiveInt('facetLineGrid columns', columns);
  checkRange('facetLineGrid yDomain', yDomain);
  checkSize('facetLineGrid width', width);
  checkSize('facetLineGrid height', height);
  checkPositiveInt('facetLineGrid maxPoints', maxPoints);

  const names: string[] = [];
  const rows: { p: string; s: string; x: number; y: number }[] = [];
  for (const panel of panels) {
    checkNonEmpty(`facetLineGrid panel "${panel.name}" series`, panel.series);
    checkUnique(
      `facetLineGrid panel "${panel.name}" series`,
      panel.series.map((s) => s.name),
    );
    for (const s of panel.series) {
      if (!names.includes(s.name)) names.push(s.name);
      const p = seriesPoints(`facetLineGrid panel "${panel.name}" series`, s, false);
      for (const r of rowsOf(s.name, p.x, p.y, maxPoints)) rows.push({ p: panel.name, ...r });
    }
  }
  return {
    $schema: SCHEMA,
    title,
    config: config(),
    data: { values: rows },
    columns,
    facet: { field: 'p', type: 'nominal', sort: panels.map((p) => p.name), title: null },
    spec: {
      width,
      height,
      mark: { type: 'line', clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xLabel, scale: { zero: false, nice: false } },
        y: { field: 'y', type: 'quantitative', title: yLabel, scale: axisScale(false, yDomain) },
        color: {
          field: 's',
          type: 'nominal',
          title: null,
          scale: { domain: names },
          legend: { orient: 'top', symbolType: 'stroke', symbolStrokeWidth: 2.5 },
        },
      },
    },
    resolve: { scale: { x: 'shared', y: 'shared' } },
  };
}

// ───────────────────────────── scatter ─────────────────────────────

export interface ScatterPoint {
  x: number;
  y: number;
  value: number;
  label?: string;
}

export interface ScatterChartOptions {
  title: string;
  points: ScatterPoint[];
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  /** Title of the colour legend (what `value` is, e.g. "validation accuracy"). */
  colorLabel: string;
  /** Colour range; defaults to the data's extent. */
  colorDomain?: [number, number];
  width?: number;
  height?: number;
}

/** Points at (x, y) coloured by `value` (viridis), e.g. validation accuracy over (learning rate, weight decay). */
export function scatterChart(opts: ScatterChartOptions): VegaLiteSpec {
  const { title, points, xLabel, yLabel, logX, logY, colorLabel, colorDomain } = opts;
  const { width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT } = opts;
  checkNonEmpty('scatterChart points', points);
  checkRange('scatterChart colorDomain', colorDomain);
  checkSize('scatterChart width', width);
  checkSize('scatterChart height', height);
  const rows: Record<string, unknown>[] = [];
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || !Number.isFinite(p.value)) continue;
    if ((logX && p.x <= 0) || (logY && p.y <= 0)) continue;
    const row: Record<string, unknown> = { x: sig6(p.x), y: sig6(p.y), v: sig6(p.value) };
    if (p.label !== undefined) row.label = p.label;
    rows.push(row);
  }
  // Log axes: ticks, labels and grid lines at the powers of ten only (1e-6, 1e-5, …) when the data spans a decade.
  const logAxis = (vals: number[]): Record<string, unknown> => {
    const lo = Math.floor(Math.log10(Math.min(...vals)));
    const hi = Math.ceil(Math.log10(Math.max(...vals)));
    const axis: Record<string, unknown> = { format: '.0e', labelOverlap: true };
    if (hi - lo >= 2) axis.values = Array.from({ length: hi - lo + 1 }, (_, k) => Number(`1e${lo + k}`));
    return axis;
  };
  const tooltip: Record<string, unknown>[] = [
    { field: 'x', type: 'quantitative', title: xLabel, format: '.3~g' },
    { field: 'y', type: 'quantitative', title: yLabel, format: '.3~g' },
    { field: 'v', type: 'quantitative', title: colorLabel, format: '.4~g' },
  ];
  if (points.some((p) => p.label !== undefined)) tooltip.unshift({ field: 'label', type: 'nominal', title: 'label' });
  const color: Record<string, unknown> = {
    field: 'v',
    type: 'quantitative',
    title: colorLabel,
    scale: { scheme: 'viridis' },
  };
  if (colorDomain) (color.scale as Record<string, unknown>).domain = [colorDomain[0], colorDomain[1]];
  return {
    $schema: SCHEMA,
    title,
    width,
    height,
    config: config(),
    data: { values: rows },
    mark: { type: 'point', filled: true, size: 70, opacity: 0.9, stroke: '#333', strokeWidth: 0.4 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: xLabel,
        scale: axisScale(logX),
        ...(logX && rows.length ? { axis: logAxis(rows.map((r) => r.x as number)) } : {}),
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: yLabel,
        scale: axisScale(logY),
        ...(logY && rows.length ? { axis: logAxis(rows.map((r) => r.y as number)) } : {}),
      },
      color,
      tooltip,
    },
  };
}

// ───────────────────────────── optimizer paths ─────────────────────────────

export interface PathsOverContoursOptions {
  title: string;
  f: (x: number, y: number) => number;
  xDomain: [number, number];
  yDomain: [number, number];
  /** One panel per path (e.g. SGD, Momentum, AdaGrad, Adam), in this order. */
  paths: { name: string; points: [number, number][] }[];
  /** A number of contour levels (default 8, spaced quadratically between the grid's min and max, so a quadratic
   *  bowl gets evenly spaced rings), or the levels themselves. */
  levels?: number | number[];
  /** Where to draw the '+' (default: the grid point where f is smallest). */
  minimum?: [number, number];
  /** Panels per row (default 2: a 2×2 grid for 4 paths). */
  columns?: number;
  xLabel?: string;
  yLabel?: string;
  /** Grid points per axis for the contours (default 101). */
  resolution?: number;
  width?: number;
  height?: number;
}

/**
 * The optimizer-paths figure: one panel per path, each with the contour lines of f (grey), the path as a line
 * with point markers, and a '+' at the minimum. Contours are computed here by marching squares and shared by
 * all panels through the spec's top-level `datasets`.
 */
export function pathsOverContours(opts: PathsOverContoursOptions): VegaLiteSpec {
  const {
    title,
    f,
    xDomain,
    yDomain,
    paths,
    levels = 8,
    columns = 2,
    xLabel = 'x',
    yLabel = 'y',
    resolution = 101,
  } = opts;
  const { width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT } = opts;
  if (typeof f !== 'function') throw new ValueError(`pathsOverContours f: expected a function, found ${typeof f}`);
  checkRange('pathsOverContours xDomain', xDomain);
  checkRange('pathsOverContours yDomain', yDomain);
  checkNonEmpty('pathsOverContours paths', paths);
  checkUnique(
    'pathsOverContours paths',
    paths.map((p) => p.name),
  );
  checkPositiveInt('pathsOverContours columns', columns);
  checkSize('pathsOverContours width', width);
  checkSize('pathsOverContours height', height);
  if (!(Number.isInteger(resolution) && resolution >= 2)) {
    throw new ValueError(`pathsOverContours resolution: expected an integer ≥ 2, found ${resolution}`);
  }
  if (opts.minimum !== undefined && !(opts.minimum.length === 2 && opts.minimum.every(Number.isFinite))) {
    throw new ValueError(`pathsOverContours minimum: expected [x, y] finite, found ${JSON.stringify(opts.minimum)}`);
  }

  // Grid minimum / maximum (and argmin for the '+').
  let zmin = Infinity,
    zmax = -Infinity,
    argmin: [number, number] = [xDomain[0], yDomain[0]];
  for (let j = 0; j < resolution; j++) {
    const y = yDomain[0] + ((yDomain[1] - yDomain[0]) * j) / (resolution - 1);
    for (let i = 0; i < resolution; i++) {
      const x = xDomain[0] + ((xDomain[1] - xDomain[0]) * i) / (resolution - 1);
      const v = f(x, y);
      if (!Number.isFinite(v)) continue;
      if (v < zmin) {
        zmin = v;
        argmin = [x, y];
      }
      if (v > zmax) zmax = v;
    }
  }
  let lv: number[];
  if (Array.isArray(levels)) {
    checkNonEmpty('pathsOverContours levels', levels);
    lv = levels;
  } else {
    checkPositiveInt('pathsOverContours levels', levels);
    if (!(zmax > zmin))
      throw new ValueError(`pathsOverContours f: expected f to vary over the domain, found it constant or non-finite`);
    lv = Array.from({ length: levels }, (_, k) => zmin + (zmax - zmin) * ((k + 1) / (levels + 1)) ** 2);
  }
  const contourRows: { id: number; i: number; x: number; y: number }[] = [];
  contourLines(f, xDomain, yDomain, lv, resolution).forEach((line, id) => {
    line.points.forEach(([x, y], i) => contourRows.push({ id, i, x: sig6(x), y: sig6(y) }));
  });
  const minimum = opts.minimum ?? argmin;

  const x = {
    field: 'x',
    type: 'quantitative',
    title: xLabel,
    scale: { domain: [xDomain[0], xDomain[1]], nice: false, zero: false },
    axis: { grid: false },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: yLabel,
    scale: { domain: [yDomain[0], yDomain[1]], nice: false, zero: false },
    axis: { grid: false },
  };
  const panels = paths.map((p, k) => {
    checkNonEmpty(`pathsOverContours path "${p.name}" points`, p.points);
    const rows: { i: number; x: number; y: number }[] = [];
    p.points.forEach((pt, i) => {
      if (Array.isArray(pt) && Number.isFinite(pt[0]) && Number.isFinite(pt[1]))
        rows.push({ i, x: sig6(pt[0]), y: sig6(pt[1]) });
    });
    const colour = PALETTE[k % PALETTE.length];
    return {
      title: { text: p.name, fontSize: 13 },
      width,
      height,
      layer: [
        {
          data: { name: 'contours' },
          mark: { type: 'line', stroke: '#a6a6a6', strokeWidth: 0.8, clip: true },
          encoding: { x, y, detail: { field: 'id', type: 'nominal' }, order: { field: 'i', type: 'quantitative' } },
        },
        {
          data: { values: rows },
          mark: {
            type: 'line',
            color: colour,
            strokeWidth: 1.5,
            clip: true,
            point: { filled: true, size: 22, color: colour },
          },
          encoding: { x, y, order: { field: 'i', type: 'quantitative' } },
        },
        {
          data: { values: [{ x: sig6(minimum[0]), y: sig6(minimum[1]) }] },
          mark: { type: 'point', shape: 'cross', size: 110, filled: true, color: '#000', opacity: 1, clip: true },
          encoding: { x, y },
        },
      ],
    };
  });
  return { $schema: SCHEMA, title, config: config(), datasets: { contours: contourRows }, columns, concat: panels };
}

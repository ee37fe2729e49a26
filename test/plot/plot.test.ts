import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { compileSpec, renderSvg, writeSpec, writeSvg, type RenderLog } from '../../src/plot/render.node.js';
import {
  contourLines,
  facetLineGrid,
  histogram,
  histogramGrid,
  lineChart,
  movingAverage,
  pathsOverContours,
  scatterChart,
  strideIndices,
  type VegaLiteSpec,
} from '../../src/plot/specs.js';

/** Render with a collecting logger and insist that neither Vega-Lite nor Vega warned. */
async function render(spec: VegaLiteSpec): Promise<string> {
  const log: RenderLog = { warnings: [] };
  const svg = await renderSvg(spec, { log });
  expect(log.warnings).toEqual([]);
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  return svg;
}

const count = (svg: string, role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dataOf = (spec: VegaLiteSpec): any[] => (spec.data as { values: unknown[] }).values;

describe('movingAverage', () => {
  it('is a centred average with shrinking windows at the ends', () => {
    expect(movingAverage([1, 2, 3, 4, 5], 3)).toEqual([1.5, 2, 3, 4, 4.5]);
    expect(movingAverage([1, 2, 3, 4, 5], 2)).toEqual([1.5, 2.5, 3.5, 4.5, 5]); // even: extra point on the right
    expect(movingAverage([2, 4, 6], 0)).toEqual([2, 4, 6]);
    expect(movingAverage([2, 4, 6], 1)).toEqual([2, 4, 6]);
    expect(movingAverage([3, 6, 9], 99)).toEqual([6, 6, 6]);
    expect(movingAverage([], 5)).toEqual([]);
  });
  it('rejects bad windows', () => {
    expect(() => movingAverage([1], -1)).toThrow(ValueError);
    expect(() => movingAverage([1], 1.5)).toThrow(ValueError);
  });
});

describe('histogram', () => {
  it('bins a known vector (last bin closed, like numpy)', () => {
    expect(histogram([0, 0.05, 0.1, 0.96, 1.0], 10, [0, 1])).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
  });
  it('ignores NaN and values outside the domain, and accepts Float32Array', () => {
    expect(histogram(Float32Array.from([-0.1, NaN, 0.25, 0.75, 1.1, Infinity]), 2, [0, 1])).toEqual([1, 1]);
    expect(histogram([-3, -1, 0, 1, 3], 3, [-3, 3])).toEqual([1, 2, 2]); // [-3,-1) [-1,1) [1,3]
  });
  it('rejects bins ≤ 0 and bad domains', () => {
    expect(() => histogram([1], 0)).toThrow(ValueError);
    expect(() => histogram([1], -3)).toThrow(ValueError);
    expect(() => histogram([1], 2.5)).toThrow(ValueError);
    expect(() => histogram([1], 10, [1, 1])).toThrow(ValueError);
    expect(() => histogram([1], 10, [0, NaN])).toThrow(ValueError);
  });
});

describe('strideIndices', () => {
  it('keeps short series whole and thins long ones by a uniform stride, keeping the last point', () => {
    expect(strideIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(strideIndices(10, 4)).toEqual([0, 3, 6, 9]);
    expect(strideIndices(11, 4)).toEqual([0, 3, 6, 9, 10]);
    const idx = strideIndices(5000, 2000);
    expect(idx.length).toBeLessThanOrEqual(2001);
    expect(idx[1] - idx[0]).toBe(3);
    expect(idx[idx.length - 1]).toBe(4999);
  });
});

describe('contourLines (marching squares)', () => {
  const f = (x: number, y: number) => x * x + y * y;
  const h = 6 / 100; // grid spacing for resolution 101 on [-3, 3]

  it('finds circles of radius r for f = x² + y² at level r²', () => {
    for (const r of [0.5, 1, 2.5]) {
      const lines = contourLines(f, [-3, 3], [-3, 3], [r * r], 101);
      expect(lines.length).toBe(1); // one closed ring
      const pts = lines[0].points;
      expect(pts.length).toBeGreaterThan(20);
      expect(pts[0]).toEqual(pts[pts.length - 1]);
      for (const [x, y] of pts) expect(Math.abs(Math.hypot(x, y) - r)).toBeLessThan(h / 4);
      // The ring goes all the way round: every quadrant is visited.
      const quadrants = new Set(pts.map(([x, y]) => (x >= 0 ? 1 : 0) + (y >= 0 ? 2 : 0)));
      expect(quadrants.size).toBe(4);
    }
  });
  it('splits a ring cut by the domain border into open arcs', () => {
    // r = 2 circle on x ∈ [-1, 3]: the part with x < -1 is outside, so one open arc remains.
    const lines = contourLines(f, [-1, 3], [-3, 3], [4], 81);
    expect(lines.length).toBe(1);
    const pts = lines[0].points;
    expect(pts[0]).not.toEqual(pts[pts.length - 1]);
    for (const [x, y] of pts) expect(Math.abs(Math.hypot(x, y) - 2)).toBeLessThan(0.02);
  });
  it('returns nothing for a level outside the range of f', () => {
    expect(contourLines(f, [-1, 1], [-1, 1], [100], 21)).toEqual([]);
  });
});

describe('lineChart', () => {
  const series = [
    { name: 'SGD', y: Array.from({ length: 50 }, (_, i) => 2 / (1 + i)) },
    { name: 'Momentum', y: Array.from({ length: 50 }, (_, i) => 1.5 / (1 + i)) },
    {
      name: 'Adam',
      x: Array.from({ length: 50 }, (_, i) => 2 * i),
      y: Array.from({ length: 50 }, (_, i) => 1 / (1 + i)),
    },
  ];

  it('renders one line per series with a legend and the labels', async () => {
    const spec = lineChart({ title: 'Loss per optimizer', xLabel: 'iterations', yLabel: 'loss', series });
    const svg = await render(spec);
    expect(svg).toContain('Loss per optimizer');
    expect(count(svg, 'line mark')).toBe(3);
    expect(count(svg, 'legend')).toBe(1);
    const t = texts(svg);
    for (const label of ['SGD', 'Momentum', 'Adam', 'iterations', 'loss']) expect(t).toContain(label);
  });

  it('with smooth > 0 draws the smoothed lines over faint raw lines', async () => {
    const spec = lineChart({ title: 'Smoothed', xLabel: 'it', yLabel: 'loss', series, smooth: 5, logY: true });
    const layer = spec.layer as { data: { values: { s: string; y: number }[] } }[];
    expect(layer.length).toBe(2);
    const rawSgd = layer[0].data.values.filter((r) => r.s === 'SGD').map((r) => r.y);
    const smSgd = layer[1].data.values.filter((r) => r.s === 'SGD').map((r) => r.y);
    expect(smSgd[10]).toBeCloseTo(movingAverage(series[0].y, 5)[10], 5);
    expect(rawSgd[10]).toBeCloseTo(series[0].y[10], 5);
    const svg = await render(spec);
    expect(count(svg, 'line mark')).toBe(6);
  });

  it('defaults x to 0..n-1, drops non-finite points (and y ≤ 0 on a log axis)', () => {
    const spec = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 'a', y: [1, NaN, 3, Infinity, 0, -1] }],
    });
    const rows = (spec.layer as { data: { values: { x: number; y: number }[] } }[])[0].data.values;
    expect(rows.map((r) => [r.x, r.y])).toEqual([
      [0, 1],
      [2, 3],
      [4, 0],
      [5, -1],
    ]);
    const logSpec = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logY: true,
      series: [{ name: 'a', y: [1, NaN, 3, Infinity, 0, -1] }],
    });
    const logRows = (logSpec.layer as { data: { values: { x: number; y: number }[] } }[])[0].data.values;
    expect(logRows.map((r) => [r.x, r.y])).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('renders a series whose points are all dropped as a legend entry without a line', async () => {
    const spec = lineChart({
      title: 'Diverged',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'ok', y: [1, 2] },
        { name: 'nan', y: [NaN, NaN] },
      ],
    });
    const svg = await render(spec);
    expect(count(svg, 'line mark')).toBe(1);
    expect(texts(svg)).toContain('nan');
  });

  it('thins long series by a uniform stride', async () => {
    const n = 10_000;
    const y = Float32Array.from({ length: n }, (_, i) => Math.exp(-i / 2000));
    const spec = lineChart({
      title: 'Long',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'a', y },
        { name: 'b', y },
      ],
      smooth: 11,
    });
    for (const l of spec.layer as { data: { values: unknown[] } }[]) {
      expect(l.data.values.length).toBeLessThanOrEqual(2 * 2001);
      expect(l.data.values.length).toBeGreaterThan(2 * 1000);
    }
    expect(JSON.stringify(spec).length).toBeLessThan(400_000);
    const svg = await render(spec);
    expect(svg.length).toBeLessThan(400_000);
  });

  it('clips to a given yDomain', async () => {
    const spec = lineChart({
      title: 'Acc',
      xLabel: 'epochs',
      yLabel: 'accuracy',
      yDomain: [0, 1],
      series: [{ name: 'train', y: [0.1, 0.5, 1.2] }],
    });
    await render(spec);
  });

  it('rejects bad input with ValueError', () => {
    const base = { title: 't', xLabel: 'x', yLabel: 'y' };
    expect(() => lineChart({ ...base, series: [] })).toThrow(ValueError);
    expect(() => lineChart({ ...base, series: [{ name: 'a', y: [] }] })).toThrow(ValueError);
    expect(() => lineChart({ ...base, series: [{ name: 'a', x: [0, 1], y: [1, 2, 3] }] })).toThrow(ValueError);
    expect(() =>
      lineChart({
        ...base,
        series: [
          { name: 'a', y: [1] },
          { name: 'a', y: [2] },
        ],
      }),
    ).toThrow(ValueError);
    expect(() => lineChart({ ...base, series: [{ name: 'a', y: [1] }], smooth: -1 })).toThrow(ValueError);
    expect(() => lineChart({ ...base, series: [{ name: 'a', y: [1] }], yDomain: [1, 0] })).toThrow(ValueError);
    expect(() => lineChart({ ...base, series: [{ name: 'a', y: [1] }], logY: true, yDomain: [0, 1] })).toThrow(
      ValueError,
    );
    expect(() => lineChart({ ...base, series: [{ name: 'a', y: [1] }], width: 0 })).toThrow(ValueError);
  });
});

describe('histogramGrid', () => {
  it('pre-aggregates 100,000 values per panel into `bins` rows and renders one panel each', async () => {
    let s = 1;
    const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const panels = [1, 2, 3, 4, 5].map((l) => ({
      name: `${l}-layer`,
      values: Float32Array.from({ length: 100_000 }, rnd),
    }));
    const spec = histogramGrid({ title: 'Activation distribution', panels });
    const rows = dataOf(spec);
    expect(rows.length).toBe(5 * 30);
    for (const p of panels) expect(rows.filter((r) => r.p === p.name).reduce((a, r) => a + r.n, 0)).toBe(100_000);
    expect(JSON.stringify(spec).length).toBeLessThan(20_000);
    const svg = await render(spec);
    expect(svg).toContain('Activation distribution');
    expect(count(svg, 'bar')).toBe(150);
    const t = texts(svg);
    for (const p of panels) expect(t).toContain(p.name);
  });

  it('uses the given domain and bins', () => {
    const spec = histogramGrid({
      title: 'ReLU',
      domain: [-1, 1],
      bins: 4,
      columns: 1,
      panels: [{ name: 'a', values: [-1, -0.2, 0, 0.3, 1, 5] }],
    });
    expect(dataOf(spec).map((r) => [r.x0, r.x1, r.n])).toEqual([
      [-1, -0.5, 1],
      [-0.5, 0, 1],
      [0, 0.5, 2],
      [0.5, 1, 1],
    ]);
  });

  it('rejects bad input with ValueError', () => {
    const panels = [{ name: 'a', values: [0.5] }];
    expect(() => histogramGrid({ title: 't', panels: [] })).toThrow(ValueError);
    expect(() => histogramGrid({ title: 't', panels, bins: 0 })).toThrow(ValueError);
    expect(() => histogramGrid({ title: 't', panels, bins: -2 })).toThrow(ValueError);
    expect(() => histogramGrid({ title: 't', panels, domain: [1, 0] })).toThrow(ValueError);
    expect(() => histogramGrid({ title: 't', panels, columns: 0 })).toThrow(ValueError);
    expect(() => histogramGrid({ title: 't', panels: [...panels, ...panels] })).toThrow(ValueError);
  });
});

describe('facetLineGrid', () => {
  it('renders 16 panels with 2 lines each and one shared legend', async () => {
    const panels = Array.from({ length: 16 }, (_, k) => ({
      name: `W: ${(10 ** ((-4 * k) / 15)).toPrecision(2)}`,
      series: [
        { name: 'Batch Normalization', y: Array.from({ length: 20 }, (_, e) => 0.9 - 0.8 * Math.exp(-e / 3)) },
        { name: 'Normal (without BatchNorm)', y: Array.from({ length: 20 }, (_, e) => 0.1 + 0.01 * e) },
      ],
    }));
    const spec = facetLineGrid({
      title: 'BatchNorm experiment',
      panels,
      xLabel: 'epochs',
      yLabel: 'accuracy',
      yDomain: [0, 1],
    });
    expect(dataOf(spec).length).toBe(16 * 2 * 20);
    const svg = await render(spec);
    expect(svg).toContain('BatchNorm experiment');
    expect(count(svg, 'line mark')).toBe(32);
    expect(count(svg, 'legend')).toBe(1);
    const t = texts(svg);
    for (const label of [
      'Batch Normalization',
      'Normal (without BatchNorm)',
      'W: 1.0',
      'W: 0.00010',
      'epochs',
      'accuracy',
    ]) {
      expect(t).toContain(label);
    }
  });

  it('rejects bad input with ValueError', () => {
    const base = { title: 't', xLabel: 'x', yLabel: 'y' };
    expect(() => facetLineGrid({ ...base, panels: [] })).toThrow(ValueError);
    expect(() => facetLineGrid({ ...base, panels: [{ name: 'p', series: [] }] })).toThrow(ValueError);
    expect(() => facetLineGrid({ ...base, panels: [{ name: 'p', series: [{ name: 's', y: [] }] }] })).toThrow(
      ValueError,
    );
    expect(() =>
      facetLineGrid({ ...base, panels: [{ name: 'p', series: [{ name: 's', y: [1] }] }], columns: 0 }),
    ).toThrow(ValueError);
  });
});

describe('scatterChart', () => {
  it('renders one point per finite point on log axes, coloured by value', async () => {
    const points = Array.from({ length: 40 }, (_, i) => ({
      x: 10 ** (-6 + (4 * i) / 39),
      y: 10 ** (-8 + ((i * 7) % 40) / 10),
      value: i / 40,
      label: `#${i}`,
    }));
    points.push({ x: NaN, y: 1, value: 0.5, label: 'nan' }, { x: -1, y: 1, value: 0.5, label: 'neg' });
    const spec = scatterChart({
      title: 'Hyperparameter search',
      points,
      xLabel: 'learning rate',
      yLabel: 'weight decay',
      logX: true,
      logY: true,
      colorLabel: 'validation accuracy',
    });
    expect(dataOf(spec).length).toBe(40);
    const svg = await render(spec);
    expect(svg).toContain('Hyperparameter search');
    expect(count(svg, 'point')).toBe(40);
    const t = texts(svg);
    for (const label of ['learning rate', 'weight decay', 'validation accuracy', '1e-6', '1e-2'])
      expect(t).toContain(label);
  });

  it('rejects bad input with ValueError', () => {
    expect(() => scatterChart({ title: 't', points: [], xLabel: 'x', yLabel: 'y', colorLabel: 'v' })).toThrow(
      ValueError,
    );
  });
});

describe('pathsOverContours', () => {
  const f = (x: number, y: number) => (x * x) / 20 + y * y;
  const sgd = (lr: number): [number, number][] => {
    const pts: [number, number][] = [[-7, 2]];
    for (let t = 0; t < 30; t++) {
      const [x, y] = pts[pts.length - 1];
      pts.push([x - lr * (x / 10), y - lr * 2 * y]);
    }
    return pts;
  };

  it('draws a 2×2 grid: contours, one path with markers and a + at the minimum per panel', async () => {
    const names = ['SGD', 'Momentum', 'AdaGrad', 'Adam'];
    const spec = pathsOverContours({
      title: 'Optimizer paths',
      f,
      xDomain: [-10, 10],
      yDomain: [-5, 5],
      paths: names.map((name, k) => ({ name, points: sgd(0.2 + 0.2 * k) })),
      levels: 5,
    });
    expect(spec.columns).toBe(2);
    expect((spec.concat as unknown[]).length).toBe(4);
    const contours = (spec.datasets as { contours: { id: number }[] }).contours;
    const rings = new Set(contours.map((r) => r.id)).size;
    expect(rings).toBeGreaterThanOrEqual(5);
    const svg = await render(spec);
    expect(svg).toContain('Optimizer paths');
    const t = texts(svg);
    for (const n of names) expect(t).toContain(n);
    expect(count(svg, 'line mark')).toBe(4 * (rings + 1)); // contour polylines + the path, in each panel
    expect(count(svg, 'point')).toBe(4 * (31 + 1)); // path markers + the '+'
  });

  it('accepts explicit levels and minimum', async () => {
    const spec = pathsOverContours({
      title: 'One',
      f,
      xDomain: [-10, 10],
      yDomain: [-5, 5],
      paths: [{ name: 'SGD', points: sgd(0.9) }],
      levels: [0.5, 2, 8],
      minimum: [0, 0],
    });
    const contours = (spec.datasets as { contours: { x: number; y: number }[] }).contours;
    for (const p of contours) expect([0.5, 2, 8].some((l) => Math.abs(f(p.x, p.y) - l) < 0.05 * l)).toBe(true);
    await render(spec);
  });

  it('rejects bad input with ValueError', () => {
    const base = { title: 't', f, xDomain: [-1, 1] as [number, number], yDomain: [-1, 1] as [number, number] };
    expect(() => pathsOverContours({ ...base, paths: [] })).toThrow(ValueError);
    expect(() => pathsOverContours({ ...base, paths: [{ name: 'a', points: [] }] })).toThrow(ValueError);
    expect(() => pathsOverContours({ ...base, xDomain: [1, -1], paths: [{ name: 'a', points: [[0, 0]] }] })).toThrow(
      ValueError,
    );
    expect(() => pathsOverContours({ ...base, levels: 0, paths: [{ name: 'a', points: [[0, 0]] }] })).toThrow(
      ValueError,
    );
    expect(() => pathsOverContours({ ...base, f: () => 1, paths: [{ name: 'a', points: [[0, 0]] }] })).toThrow(
      ValueError,
    );
  });
});

describe('render', () => {
  const spec = lineChart({ title: 'Written', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', y: [1, 2, 3] }] });

  it('compiles to a Vega spec and renders without the canvas package', async () => {
    const log: RenderLog = { warnings: [] };
    const vg = (await compileSpec(spec, log)) as { marks?: unknown[] };
    expect(Array.isArray(vg.marks)).toBe(true);
    expect(log.warnings).toEqual([]);
    const svg2 = await renderSvg(spec, { scale: 2 });
    expect(svg2).toMatch(/^<svg[^>]* width="\d+"/);
  });

  it('reports Vega-Lite warnings through the log', async () => {
    const log: RenderLog = { warnings: [] };
    await renderSvg(
      {
        mark: 'point',
        data: { values: [{ a: 1 }] },
        encoding: { x: { field: 'a', type: 'quantitative', aggregate: 'nonsense' } },
      },
      { log },
    );
    expect(log.warnings.length).toBeGreaterThan(0);
  });

  it('does not mutate the spec (Vega tags data rows it ingests), so a spec can be rendered twice', async () => {
    const s = lineChart({ title: 'Twice', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', y: [1, 2, 3] }], smooth: 3 });
    const before = JSON.stringify(s);
    const rows = (s.layer as { data: { values: object[] } }[])[0].data.values;
    const a = await renderSvg(s);
    expect(Object.getOwnPropertySymbols(rows[0])).toEqual([]);
    expect(JSON.stringify(s)).toBe(before);
    const noIds = (svg: string) => svg.replace(/clip\d+/g, 'clip'); // Vega numbers clip paths globally
    expect(noIds(await renderSvg(s))).toBe(noIds(a));
  });

  it('writeSvg / writeSpec create the parent directory and write SVG / JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zerodl-plot-'));
    try {
      await writeSvg(join(dir, 'a', 'b', 'chart.svg'), spec);
      await writeSpec(join(dir, 'a', 'b', 'chart.vl.json'), spec);
      expect((await readFile(join(dir, 'a', 'b', 'chart.svg'), 'utf8')).startsWith('<svg')).toBe(true);
      expect(JSON.parse(await readFile(join(dir, 'a', 'b', 'chart.vl.json'), 'utf8'))).toEqual(spec);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps specs.ts browser-safe (no node: or vega imports)', () => {
    const src = readFileSync(new URL('../../src/plot/specs.ts', import.meta.url), 'utf8');
    const imports = [...src.matchAll(/^\s*import\s[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imports).toEqual(['../errors.js', '../math.js']);
    // (src/math.ts, shared with the net and the CLI, imports nothing)
    const math = readFileSync(new URL('../../src/math.ts', import.meta.url), 'utf8');
    expect([...math.matchAll(/^\s*import\s/gm)]).toEqual([]);
  });
});

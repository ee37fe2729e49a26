// The book's loss-curve smoothing (common/util.py smooth_curve) against numpy: test/fixtures/smooth-curve.json holds
// np.kaiser(11, 2) and the smoothed series computed with np.convolve (scripts/oracles/smooth_curve.py). Both sides
// are float64 sums of 11 products in different orders: equal to 1e-14.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { kaiserWindow, lineChart, smoothCurve, SMOOTH_CURVE_WINDOW } from '../../src/plot/specs.js';
import { expectClose } from '../helpers.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/smooth-curve.json', import.meta.url), 'utf8')) as {
  window: number[];
  cases: { x: number[]; y: number[] }[];
};

describe("smoothCurve (the book's Kaiser smoothing)", () => {
  it("its window is numpy's np.kaiser(11, 2), normalised", () => {
    const w = kaiserWindow(SMOOTH_CURVE_WINDOW, 2);
    const s = w.reduce((a, b) => a + b, 0);
    expectClose(
      w.map((v) => v / s),
      fixture.window,
      1e-15,
      'window',
    );
    expect(kaiserWindow(1, 2)).toEqual([1]);
  });

  it.each(fixture.cases.map((c, i) => [i, c.x.length, c] as const))("case %d (n = %d) equals numpy's", (_, n, c) => {
    const y = smoothCurve(c.x);
    expect(y.length).toBe(n);
    expectClose(y, c.y, 1e-14, `smoothCurve n=${n}`);
  });

  it('is not a box average (the impulse spreads with the Kaiser weights, mirrored at the start)', () => {
    const impulse = fixture.cases[fixture.cases.length - 1];
    const y = smoothCurve(impulse.x);
    expect(y[5]).toBeCloseTo(fixture.window[5], 15); // the centre weight, 0.1196, not 1/11
    expect(Math.abs(y[5] - 1 / 11)).toBeGreaterThan(0.02);
  });

  it('series shorter than the window are a ValueError; lineChart then draws them raw', () => {
    expect(() => smoothCurve([1, 2, 3])).toThrow(ValueError);
    const spec = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      smooth: 'book',
      series: [{ name: 'a', y: [1, 2, 3] }],
    });
    expect((spec.layer as unknown[]).length).toBe(1);
    const long = Array.from({ length: 40 }, (_, i) => (i % 2 ? 1 : 0));
    const spec2 = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', smooth: 'book', series: [{ name: 'a', y: long }] });
    const layers = spec2.layer as { data: { values: { y: number }[] } }[];
    expect(layers.length).toBe(2); // faint raw + smoothed
    expectClose(
      layers[1].data.values.map((r) => r.y),
      smoothCurve(long).map((v) => Number(v.toPrecision(6))),
      1e-5,
      'drawn',
    );
    expect(() =>
      lineChart({ title: 't', xLabel: 'x', yLabel: 'y', smooth: 'kaiser' as never, series: [{ name: 'a', y: long }] }),
    ).toThrow(ValueError);
  });
});

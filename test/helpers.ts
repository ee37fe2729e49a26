// Shared test helpers.
import { expect } from 'vitest';

/**
 * Expects |actual[i] − expected[i]| ≤ tol · (1 + |expected[i]|) for every i (a relative tolerance for large
 * values, an absolute one near 0), and equal lengths. NaN matches only NaN. On failure the message gives the
 * label, the largest difference and its index, and the first 5 mismatches.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label = ''): void {
  const name = label ? `${label}: ` : '';
  expect(actual.length, `${name}length`).toBe(expected.length);
  let maxDiff = 0;
  let maxAt = -1;
  let count = 0;
  const first: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const bothNaN = Number.isNaN(a) && Number.isNaN(e);
    const diff = bothNaN || a === e ? 0 : Math.abs(a - e); // a === e also covers equal infinities; NaN vs number → NaN
    const bad = !bothNaN && a !== e && !(Number.isFinite(a) && Number.isFinite(e) && diff <= tol * (1 + Math.abs(e)));
    if (diff > maxDiff) {
      maxDiff = diff;
      maxAt = i;
    }
    if (bad) {
      count++;
      if (first.length < 5) first.push(`[${i}] actual ${a} expected ${e} (diff ${Math.abs(a - e)})`);
    }
  }
  if (count > 0) {
    expect.fail(
      `${name}${count} of ${expected.length} elements differ by more than ${tol}·(1 + |expected|); ` +
        `max |diff| ${maxDiff} at [${maxAt}]; first mismatches:\n  ${first.join('\n  ')}`,
    );
  }
}

/** A scalar version of expectClose. */
export function expectCloseTo(actual: number, expected: number, tol: number, label = ''): void {
  expectClose([actual], [expected], tol, label);
}

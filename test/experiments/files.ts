// Checks on what an experiment writes with `out`: results.json (the whole result) and SVG + .vl.json per figure.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ExperimentResult } from '../../src/experiments/index.js';

export function expectWrittenFiles(result: ExperimentResult, out: string, figureCount: number): void {
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ExperimentResult;
  expect(json.name).toBe(result.name);
  expect(json.findings).toEqual(result.findings);
  expect(json.summary).toEqual(result.summary);
  expect(json.figures).toEqual(result.figures);
  expect(result.figures).toHaveLength(figureCount);
  for (const svg of result.figures) {
    expect(svg.startsWith(out), svg).toBe(true);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg'), `${svg} starts with <svg`).toBe(true);
    expect(text.trimEnd().endsWith('</svg>'), `${svg} ends with </svg>`).toBe(true);
    const spec = svg.replace(/\.svg$/, '.vl.json');
    expect(existsSync(spec), spec).toBe(true);
    expect(JSON.parse(readFileSync(spec, 'utf8'))).toHaveProperty('$schema');
  }
}

/** Every finding held; on failure the message lists the ones that did not. */
export function expectFindingsHold(result: ExperimentResult): void {
  const failed = result.findings.filter((f) => !f.holds).map((f) => f.claim);
  expect(failed, `${result.name}: findings that did not hold`).toEqual([]);
  expect(result.findings.length).toBeGreaterThan(0);
}

/** The fields every result has, with the run's options. */
export function expectShape(result: ExperimentResult, name: string, quick: boolean, seed = 0): void {
  expect(result.name).toBe(name);
  expect(result.quick).toBe(quick);
  expect(result.seed).toBe(seed);
  expect(result.seconds).toBeGreaterThan(0);
  expect(result.summary.rows.length).toBeGreaterThan(0);
  for (const row of result.summary.rows) expect(row).toHaveLength(result.summary.columns.length);
  expect(() => JSON.stringify(result)).not.toThrow();
}

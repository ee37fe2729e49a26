// A training run's report folder: results.json (what --json prints), loss.svg (loss per iteration, smoothed) and
// accuracy.svg (train/test accuracy per epoch), each plot with its Vega-Lite spec beside it (.vl.json).
import { join } from 'node:path';
import { writeResultsJson } from '../io/file.node.js';
import { writeSpec, writeSvg } from '../plot/render.node.js';
import { lineChart } from '../plot/specs.js';
import { DependencyError } from '../errors.js';

export interface RunReport {
  trainLoss: number[];
  trainAcc: number[];
  testAcc: number[];
  [key: string]: unknown;
}

/** Moving-average window for the loss plot: about 1/50 of the run, at least 1, at most 100 iterations. */
export function lossWindow(iterations: number): number {
  return Math.max(1, Math.min(100, Math.round(iterations / 50)));
}

/** Writes the report into `dir` (made if missing); returns the paths written. Plots without data are skipped. */
export async function writeReport(dir: string, report: RunReport): Promise<string[]> {
  const written: string[] = [await writeResultsJson(dir, report)];

  if (report.trainLoss.some(Number.isFinite)) {
    const spec = lineChart({
      title: 'Training loss',
      xLabel: 'iteration',
      yLabel: 'loss',
      series: [{ name: 'train loss', x: report.trainLoss.map((_, i) => i + 1), y: report.trainLoss }],
      smooth: lossWindow(report.trainLoss.length),
    });
    written.push(...(await plot(dir, 'loss', spec)));
  }
  if (report.trainAcc.length > 0) {
    const epochs = report.trainAcc.map((_, i) => i + 1);
    const spec = lineChart({
      title: 'Accuracy',
      xLabel: 'epoch',
      yLabel: 'accuracy',
      series: [
        { name: 'train', x: epochs, y: report.trainAcc },
        { name: 'test', x: epochs, y: report.testAcc },
      ],
    });
    written.push(...(await plot(dir, 'accuracy', spec)));
  }
  return written;
}

/** Figures left out because vega/vega-lite (optional) are absent: the command tells the user once. */
export const skippedFigures: { message?: string } = {};

async function plot(dir: string, name: string, spec: Record<string, unknown>): Promise<string[]> {
  const svg = join(dir, `${name}.svg`),
    vl = join(dir, `${name}.vl.json`);
  await writeSpec(vl, spec);
  try {
    await writeSvg(svg, spec, { log: { warnings: [] } });
  } catch (error) {
    // A finished run still gets its results.json and specs; only the SVG waits for the optional packages.
    if (!(error instanceof DependencyError)) throw error;
    skippedFigures.message = error.message;
    return [vl];
  }
  return [svg, vl];
}

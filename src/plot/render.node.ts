// Node-side rendering of the Vega-Lite specs from `specs.ts`: Vega-Lite → Vega → headless View → SVG string.
// No `canvas` package is needed: with renderer 'none' Vega estimates text widths instead of measuring them.

import { makeDirectory, writeFileAtomic } from '../io/file.node.js';
import { dirname } from 'node:path';
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { DependencyError, isMissingPackage, ValueError } from '../errors.js';
import type { VegaLiteSpec } from './specs.js';

/** What compiling or running a spec logged at warning level or above (Vega-Lite and Vega alike). */
export interface RenderLog {
  warnings: string[];
}

// vega and vega-lite are loaded on first use, so commands that draw nothing (eval, predict) start fast.
type Libs = { vega: typeof Vega; compile: typeof import('vega-lite').compile };
let libs: Promise<Libs> | undefined;
function loadLibs(): Promise<Libs> {
  // Both are optional dependencies of zerodl (11 MB that browser users never need): a clear error when absent.
  libs ??= Promise.all([import('vega'), import('vega-lite')]).then(
    ([vega, vl]) => ({ vega, compile: vl.compile }),
    (error: unknown) => {
      libs = undefined;
      if (isMissingPackage(error, 'vega')) {
        throw new DependencyError(
          'drawing SVG figures in Node needs the optional packages vega and vega-lite, which ' +
            'are not installed: npm install vega vega-lite (the Vega-Lite specs themselves need nothing)',
          ['vega', 'vega-lite'],
        );
      }
      throw error;
    },
  );
  return libs;
}

function collectingLogger(vega: typeof Vega, log: RenderLog): Vega.LoggerInterface {
  const handler = (_method: unknown, level: unknown, input: readonly unknown[]) => {
    log.warnings.push(`${String(level)} ${input.map(String).join(' ')}`);
  };
  return vega.logger(vega.Warn, undefined, handler as never);
}

/**
 * A Vega (not Vega-Lite) spec as plain JSON. Typed loosely on purpose: vega's own typings need DOM types, and the
 * public .d.ts must compile without them (and without vega installed: it is an optional dependency).
 */
export type VegaSpec = Record<string, unknown>;

/** Compile a Vega-Lite spec to a Vega spec. Warnings go to `log` when given (else to the console, as Vega-Lite does). */
export async function compileSpec(spec: VegaLiteSpec, log?: RenderLog): Promise<VegaSpec> {
  if (spec === null || typeof spec !== 'object')
    throw new ValueError(`compileSpec spec: expected a Vega-Lite spec object, found ${spec}`);
  const { vega, compile } = await loadLibs();
  const options = log ? { logger: collectingLogger(vega, log) } : {};
  // Vega keeps references to inline data rows and tags them with a symbol id when it ingests them; compile a
  // copy so the caller's spec stays untouched (and can be rendered again or written as JSON).
  return compile(structuredClone(spec) as unknown as TopLevelSpec, options).spec as unknown as VegaSpec;
}

/**
 * Render a Vega-Lite spec to an SVG string. Compilation errors throw; warnings are collected into `log` if given.
 * `scale` multiplies the output size (default 1).
 */
export async function renderSvg(spec: VegaLiteSpec, opts: { log?: RenderLog; scale?: number } = {}): Promise<string> {
  const { log, scale = 1 } = opts;
  if (!(Number.isFinite(scale) && scale > 0))
    throw new ValueError(`renderSvg scale: expected a positive number, found ${scale}`);
  const vgSpec = await compileSpec(spec, log);
  const { vega } = await loadLibs();
  const view = new vega.View(vega.parse(vgSpec as unknown as Vega.Spec), {
    renderer: 'none',
    ...(log ? { logger: collectingLogger(vega, log) } : {}),
  });
  try {
    return await view.toSVG(scale);
  } finally {
    view.finalize();
  }
}

/** Render `spec` and write it to `path` as SVG, creating the parent directory if needed. */
export async function writeSvg(
  path: string,
  spec: VegaLiteSpec,
  opts: { log?: RenderLog; scale?: number } = {},
): Promise<void> {
  const svg = await renderSvg(spec, opts);
  await makeDirectory(dirname(path));
  await writeFileAtomic(path, new TextEncoder().encode(svg));
}

/** Write the spec itself as JSON (conventionally `name.vl.json` next to `name.svg`) for the browser demo. */
export async function writeSpec(path: string, spec: VegaLiteSpec): Promise<void> {
  await makeDirectory(dirname(path));
  await writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(spec) + '\n'));
}

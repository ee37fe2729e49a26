// Model files: a MultiLayerNet as safetensors bytes. Browser-safe: pure functions on bytes, no `node:` imports.
// Saving to and loading from paths (Node-only) lives in model.node.ts, so that bundling this file never pulls in
// node:fs (a dynamic `import('./file.node.js')` would not help: a bundler inlines it and hoists its `node:` imports).
//
// The file holds
//   tensors       every parameter by its book name and shape: W{l} [n_in, n_out], b{l} [n_out],
//                 gamma{l}/beta{l} [n_out] (BatchNorm), then the running statistics runningMean{l}/runningVar{l} [n_out]
//   __metadata__  { format: 'zerodl', version: '1', config: JSON of net.config (every option resolved) }
// so that Python reads it with `safetensors.numpy.load_file` and gets the book's params dict.
//
// This is the codec only: bytes ⇄ { config, tensors }. It builds no net (MultiLayerNet.toBytes/fromBytes do that
// from what it returns), so the net and its file format do not import each other.
import { FormatError, ValueError } from '../errors.js';
import type { BackendName } from '../backend/types.js';
import type { NetConfig } from '../net/config.js';
import { decodeSafetensors, encodeSafetensors, type F32Tensor, readSafetensorsHeader } from './safetensors.js';

export const MODEL_FORMAT = 'zerodl';
export const MODEL_VERSION = '1';

export interface LoadNetOptions {
  /** Run the loaded net on this backend instead of the one recorded in the file. */
  backend?: BackendName;
}

/** What a model file holds: the net's config and its tensors (params, then running statistics) by name. */
export interface ModelContents {
  config: NetConfig;
  tensors: Record<string, Float32Array>;
}

/**
 * Model bytes from a net's config and tensors, each tensor with the shape `modelShapes(config)` gives it.
 * Throws ValueError if a value is not finite or a tensor is missing or of the wrong size.
 */
export function encodeModel({ config, tensors }: ModelContents): Uint8Array {
  const out: Record<string, F32Tensor> = {};
  for (const [name, shape] of modelShapes(config)) {
    const data = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
    const n = shape.reduce((a, b) => a * b, 1);
    if (!data || data.length !== n) throw new ValueError(`cannot save the net: '${name}' should hold ${n} values`);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    // A file its own reader would refuse is worse than no file.
    if (bad >= 0)
      throw new ValueError(`cannot save the net: '${name}'[${bad}] is ${data[bad]} (parameters must be finite)`);
    out[name] = { dtype: 'F32', shape, data };
  }
  // maxBatchSize only sizes buffers; a file records at most what a reader accepts (a larger batch grows them anyway).
  const recorded = { ...config, maxBatchSize: Math.min(config.maxBatchSize, MAX_MODEL_BATCH) };
  return encodeSafetensors(out, { format: MODEL_FORMAT, version: MODEL_VERSION, config: JSON.stringify(recorded) });
}

/**
 * Limits of a model file, checked before anything is parsed or allocated: a header of at most 1 MiB, at most
 * MAX_MODEL_LAYERS hidden layers (so at most 6 tensors per hidden layer + 2), and at most MAX_MODEL_BATCH rows of
 * activation buffers (`maxBatchSize` only sizes buffers: a larger batch grows them when it comes).
 */
export const MAX_MODEL_HEADER_BYTES = 1 << 20;
export const MAX_MODEL_LAYERS = 1000;
export const MAX_MODEL_BATCH = 65_536;
const MAX_MODEL_TENSORS = 6 * MAX_MODEL_LAYERS + 2;

/** The type of each key of a net config (NetConfig); no other key may appear in a file's config. */
const CONFIG_KEYS: Record<keyof NetConfig, (v: unknown) => boolean> = {
  inputSize: (v) => isPositiveInt(v),
  hiddenSizes: (v) => Array.isArray(v) && v.length <= MAX_MODEL_LAYERS && v.every(isPositiveInt),
  outputSize: (v) => isPositiveInt(v),
  activation: (v) => typeof v === 'string',
  weightInit: (v) => typeof v === 'string' || typeof v === 'number',
  useBatchNorm: (v) => typeof v === 'boolean',
  useDropout: (v) => typeof v === 'boolean',
  dropoutRatio: (v) => typeof v === 'number',
  weightDecayLambda: (v) => typeof v === 'number',
  seed: (v) => Number.isSafeInteger(v),
  backend: (v) => typeof v === 'string',
  maxBatchSize: (v) => isPositiveInt(v) && (v as number) <= MAX_MODEL_BATCH,
};
const CONFIG_EXPECTED: Record<keyof NetConfig, string> = {
  inputSize: 'a positive integer',
  hiddenSizes: `an array of at most ${MAX_MODEL_LAYERS} positive integers`,
  outputSize: 'a positive integer',
  activation: 'a string',
  weightInit: 'a number or a string',
  useBatchNorm: 'true or false',
  useDropout: 'true or false',
  dropoutRatio: 'a number',
  weightDecayLambda: 'a number',
  seed: 'an integer',
  backend: 'a string',
  maxBatchSize: `an integer from 1 to ${MAX_MODEL_BATCH}`,
};

function isPositiveInt(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) > 0;
}

/** The config of a model file, every key of the right type (values are checked by the net's constructor). */
function readConfig(text: string | undefined, name: string): Partial<NetConfig> {
  if (text === undefined) throw new FormatError(`${name}: expected a net config in the metadata, found none`);
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new FormatError(`${name}: the metadata config is not JSON (${(error as Error).message})`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new FormatError(`${name}: expected the metadata config to be a JSON object, found ${describeValue(config)}`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (!Object.hasOwn(CONFIG_KEYS, key)) {
      throw new FormatError(
        `${name}: the metadata config is not a valid net config: unknown key "${describeValue(key)}" ` +
          `(expected ${Object.keys(CONFIG_KEYS).join(', ')})`,
      );
    }
    if (!CONFIG_KEYS[key as keyof NetConfig](value)) {
      throw new FormatError(
        `${name}: the metadata config is not a valid net config: ${key} must be ` +
          `${CONFIG_EXPECTED[key as keyof NetConfig]}, found ${describeValue(value)}`,
      );
    }
  }
  for (const key of ['inputSize', 'hiddenSizes', 'outputSize'] as const) {
    if (!Object.hasOwn(config, key)) {
      throw new FormatError(`${name}: the metadata config is not a valid net config: ${key} is missing`);
    }
  }
  return config as Partial<NetConfig>;
}

/** The tensors (names and shapes) a net of this config is saved as, in the net's order (see the file comment). */
export function modelShapes(
  c: Pick<NetConfig, 'inputSize' | 'hiddenSizes' | 'outputSize' | 'useBatchNorm'>,
): Map<string, number[]> {
  const sizes = [c.inputSize!, ...c.hiddenSizes!, c.outputSize!];
  const shapes = new Map<string, number[]>(),
    stats = new Map<string, number[]>();
  const L = sizes.length - 1;
  for (let l = 1; l <= L; l++) {
    shapes.set(`W${l}`, [sizes[l - 1], sizes[l]]);
    shapes.set(`b${l}`, [sizes[l]]);
    if (c.useBatchNorm && l < L) {
      shapes.set(`gamma${l}`, [sizes[l]]);
      shapes.set(`beta${l}`, [sizes[l]]);
      stats.set(`runningMean${l}`, [sizes[l]]);
      stats.set(`runningVar${l}`, [sizes[l]]);
    }
  }
  return new Map([...shapes, ...stats]);
}

/**
 * The config and tensors of model bytes, checked completely, and in an order that allocates nothing for a bad file:
 * the header (its size and tensor count bounded), the metadata, the config (every key of its type, sizes bounded),
 * every expected tensor present with its exact shape and no other tensor — all from the header alone — then the
 * values (finite; running variances ≥ 0). The config's values are checked by the net that is built from it.
 * `name` (a path or label) starts every error message; every problem with the bytes is a FormatError.
 */
export function decodeModel(
  bytes: Uint8Array,
  name = 'model bytes',
): { config: Partial<NetConfig>; tensors: Record<string, Float32Array> } {
  const { metadata, entries } = readSafetensorsHeader(bytes, name, {
    maxHeaderBytes: MAX_MODEL_HEADER_BYTES,
    maxTensors: MAX_MODEL_TENSORS,
  });
  if (metadata.format !== MODEL_FORMAT) {
    throw new FormatError(
      `${name}: expected a zerodl model (metadata format '${MODEL_FORMAT}'), found ` +
        (metadata.format === undefined ? 'no format in the metadata' : `format '${metadata.format}'`),
    );
  }
  if (metadata.version !== MODEL_VERSION) {
    throw new FormatError(
      `${name}: expected model version '${MODEL_VERSION}', found ` +
        (metadata.version === undefined ? 'none' : `'${metadata.version}'`),
    );
  }
  const c = readConfig(metadata.config, name);

  // A config asking for more weights than the file holds is corrupt (and might ask for gigabytes).
  const sizes = [c.inputSize!, ...c.hiddenSizes!, c.outputSize!];
  let weights = 0;
  for (let l = 1; l < sizes.length; l++) weights += sizes[l - 1] * sizes[l];
  let floatsInFile = 0;
  for (const e of entries) floatsInFile += (e.end - e.begin) / 4;
  if (weights > floatsInFile) {
    throw new FormatError(
      `${name}: the config describes a net with ${weights} weights, but the file holds only ` +
        `${floatsInFile} values`,
    );
  }
  const expected = modelShapes(c as NetConfig);
  const found = new Map(entries.map((e) => [e.name, e]));
  const names = (): string => [...expected.keys()].join(', ');
  for (const [tensor, shape] of expected) {
    const e = found.get(tensor);
    if (!e) throw new FormatError(`${name}: tensor "${tensor}" is missing (a net of this config has ${names()})`);
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      throw new FormatError(
        `${name}: tensor "${tensor}": expected shape [${shape.join(', ')}], found [${e.shape.join(', ')}]`,
      );
    }
  }
  const extra = entries.filter((e) => !expected.has(e.name)).map((e) => e.name);
  if (extra.length > 0) {
    const list =
      extra
        .slice(0, 10)
        .map((k) => `"${describeValue(k)}"`)
        .join(', ') + (extra.length > 10 ? `, … (${extra.length} in all)` : '');
    throw new FormatError(
      `${name}: unexpected tensor${extra.length > 1 ? 's' : ''} ${list} (a net of this config has ${names()})`,
    );
  }

  // Only now the data: copied out (at most what the file holds) and checked.
  const { tensors } = decodeSafetensors(bytes, name, {
    maxHeaderBytes: MAX_MODEL_HEADER_BYTES,
    maxTensors: MAX_MODEL_TENSORS,
  });
  const record: Record<string, Float32Array> = {};
  for (const tensor of expected.keys()) {
    const t = tensors[tensor];
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new FormatError(`${name}: tensor "${tensor}" holds ${t.data[bad]} at index ${bad}: values must be finite`);
    if (tensor.startsWith('runningVar')) {
      const negative = t.data.findIndex((v) => v < 0);
      if (negative >= 0) {
        throw new FormatError(
          `${name}: tensor "${tensor}" holds ${t.data[negative]} at index ${negative}: ` + 'a variance must be ≥ 0',
        );
      }
    }
    record[tensor] = t.data;
  }

  return { config: c, tensors: record };
}

/** Short, bounded rendering of a value from the file for error messages. */
function describeValue(value: unknown): string {
  const s = (typeof value === 'string' ? value : JSON.stringify(value)) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// Model files: a MultiLayerNet as safetensors bytes. Browser-safe: pure functions on bytes, no `node:` imports.
// Saving to and loading from paths (Node-only) lives in model-node.ts, so that bundling this file never pulls in
// node:fs (a dynamic `import('./file.js')` would not help: a bundler inlines it and hoists its `node:` imports).
//
// The file holds
//   tensors       every parameter by its book name and shape: W{l} [n_in, n_out], b{l} [n_out],
//                 gamma{l}/beta{l} [n_out] (BatchNorm), then the running statistics runningMean{l}/runningVar{l} [n_out]
//   __metadata__  { format: 'zerodl', version: '1', config: JSON of net.config (every option resolved) }
// so that Python reads it with `safetensors.numpy.load_file` and gets the book's params dict.
import { BackendError, FormatError, ValueError, ZerodlError } from '../errors.js';
import type { BackendName } from '../backend/types.js';
import { MultiLayerNet, type MultiLayerNetOptions } from '../net/MultiLayerNet.js';
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from './safetensors.js';

export const MODEL_FORMAT = 'zerodl';
export const MODEL_VERSION = '1';

export interface LoadNetOptions {
  /** Run the loaded net on this backend instead of the one recorded in the file. */
  backend?: BackendName;
}

/** The tensor shapes a net's file must hold: params by `net.shapes`, running statistics as [n]. */
function expectedShapes(net: MultiLayerNet): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const name of Object.keys(net.params)) shapes[name] = net.shapes[name];
  for (const [name, b] of Object.entries(net.buffers)) shapes[name] = [b.length];
  return shapes;
}

/** Serializes a net's parameters, BatchNorm running statistics and config. Throws ValueError if a value is not finite. */
export function netToBytes(net: MultiLayerNet): Uint8Array {
  const tensors: Record<string, F32Tensor> = {};
  const all = { ...net.params, ...net.buffers };
  for (const [name, shape] of Object.entries(expectedShapes(net))) {
    const data = all[name];
    const bad = data.findIndex((v) => !Number.isFinite(v));
    // A file its own reader would refuse is worse than no file.
    if (bad >= 0) throw new ValueError(`cannot save the net: '${name}'[${bad}] is ${data[bad]} (parameters must be finite)`);
    tensors[name] = { dtype: 'F32', shape, data };
  }
  return encodeSafetensors(tensors, { format: MODEL_FORMAT, version: MODEL_VERSION, config: JSON.stringify(net.config) });
}

/**
 * A new net from model bytes, checked completely before any parameter is set: the metadata, the config (a valid
 * net config), every expected tensor present with its exact shape, no other tensor, every value finite.
 * `name` (a path or label) starts every error message; every problem with the bytes is a FormatError.
 */
export function netFromBytes(bytes: Uint8Array, name = 'model bytes', options: LoadNetOptions = {}): MultiLayerNet {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (metadata.format !== MODEL_FORMAT) {
    throw new FormatError(`${name}: expected a zerodl model (metadata format '${MODEL_FORMAT}'), found ` +
      (metadata.format === undefined ? 'no format in the metadata' : `format '${metadata.format}'`));
  }
  if (metadata.version !== MODEL_VERSION) {
    throw new FormatError(`${name}: expected model version '${MODEL_VERSION}', found ` +
      (metadata.version === undefined ? 'none' : `'${metadata.version}'`));
  }
  if (metadata.config === undefined) throw new FormatError(`${name}: expected a net config in the metadata, found none`);
  let config: unknown;
  try {
    config = JSON.parse(metadata.config);
  } catch (error) {
    throw new FormatError(`${name}: the metadata config is not JSON (${(error as Error).message})`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new FormatError(`${name}: expected the metadata config to be a JSON object, found ${JSON.stringify(config)}`);
  }

  // Before allocating the net's memory: a config asking for more weights than the file holds is corrupt (and might
  // ask for gigabytes). Skipped when the sizes are not numbers; the constructor then names what is wrong.
  const c = config as Partial<MultiLayerNetOptions>;
  const sizes = [c.inputSize, ...(Array.isArray(c.hiddenSizes) ? c.hiddenSizes : []), c.outputSize];
  let weights = 0;
  for (let l = 1; l < sizes.length; l++) weights += Number(sizes[l - 1]) * Number(sizes[l]);
  let floatsInFile = 0;
  for (const t of Object.values(tensors)) floatsInFile += t.data.length;
  if (weights > floatsInFile) {
    throw new FormatError(`${name}: the config describes a net with ${weights} weights, but the file holds only ` +
      `${floatsInFile} values`);
  }

  let net: MultiLayerNet;
  try {
    net = new MultiLayerNet({ ...c, backend: options.backend ?? c.backend } as MultiLayerNetOptions);
  } catch (error) {
    // A missing wasm init() is the caller's problem, not the file's.
    if (error instanceof BackendError) throw error;
    if (error instanceof ZerodlError || error instanceof RangeError) {
      throw new FormatError(`${name}: the metadata config is not a valid net config: ${error.message}`);
    }
    throw error;
  }

  const expected = expectedShapes(net);
  const record: Record<string, Float32Array> = {};
  for (const [tensor, shape] of Object.entries(expected)) {
    const t = tensors[tensor];
    if (!t) {
      throw new FormatError(`${name}: tensor "${tensor}" is missing (a net of this config has ` +
        `${Object.keys(expected).join(', ')})`);
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new FormatError(`${name}: tensor "${tensor}": expected shape [${shape.join(', ')}], found [${t.shape.join(', ')}]`);
    }
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new FormatError(`${name}: tensor "${tensor}" holds ${t.data[bad]} at index ${bad}: values must be finite`);
    record[tensor] = t.data;
  }
  const extra = Object.keys(tensors).filter((k) => !(k in expected));
  if (extra.length > 0) {
    throw new FormatError(`${name}: unexpected tensor${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')} ` +
      `(a net of this config has ${Object.keys(expected).join(', ')})`);
  }
  net.setParams(record);
  return net;
}

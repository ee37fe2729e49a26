// Every buffer a MultiLayerNet holds, by name and size, computed from its config and a row count — as llm.c's
// ParameterTensors / ActivationTensors. The one place these sizes are stated: the net allocates its parameters,
// gradients, running statistics and state from this list, reserves memory for exactly what it lists, and checks
// after building its layers that every activation buffer they allocated has the size listed here
// (checkLayerBuffers), so that a layer and the reservation cannot drift apart unnoticed.
//
//   params       W{l}: n_in×n_out, b{l}: n_out, and with BatchNorm gamma{l}, beta{l}: n_out (hidden layers)
//   grads        one per parameter, same size
//   stats        runningMean{l}, runningVar{l}: n_out (BatchNorm, hidden layers; saved with the model)
//   state        dropoutRng: 1 int32 (the dropout stream's mulberry32 state)
//   activations  for `rows` rows (B):
//                input: B×inputSize
//                Affine{l}.out: B×n_out, Affine{l}.dx: B×n_in (empty for l = 1: the input needs no gradient)
//                BatchNorm{l}.xn: B×n_out, .mean, .invStd: n_out;   Dropout{l}.mask: B×n_out
//                (Relu/Sigmoid work in place and keep a view of their input: no buffer)
//                SoftmaxWithLoss.y, .dx, .onehot: B×C, .labels: B int32
//   optimizer    room for an optimizer's state: up to OPTIMIZER_SLOTS_MAX slots per parameter (Adam's m and v),
//                reserved if memory has it, so that the first update need not grow memory.
import { ALIGN } from '../backend/wasm/limits.js';
import { optimizerStateFloats } from '../optim/Optimizer.js';
import type { NetConfig } from './config.js';

/** One buffer: its name, its length in elements (float32, or int32 where `int32`), and for params its shape. */
export interface BufferSpec {
  readonly name: string;
  readonly floats: number;
  readonly int32?: boolean;
  readonly shape?: readonly number[];
}

/** An activation buffer: the field `field` of the layer named `owner` ('net' for the net's own input buffer). */
export interface ActivationSpec extends BufferSpec {
  readonly owner: string;
  readonly field: string;
}

/** The buffers that live as long as the net (those that do not depend on the row count). */
export interface ParameterLayout {
  readonly params: readonly BufferSpec[];
  /** The same names and sizes as params. */
  readonly grads: readonly BufferSpec[];
  readonly stats: readonly BufferSpec[];
  readonly state: readonly BufferSpec[];
}

/** The most state buffers an optimizer keeps per parameter (Adam: m and v; Momentum, AdaGrad, RMSprop: one). */
export const OPTIMIZER_SLOTS_MAX = 2;

/** The layer sizes [inputSize, ...hiddenSizes, outputSize]. */
export function layerSizes(c: Pick<NetConfig, 'inputSize' | 'hiddenSizes' | 'outputSize'>): number[] {
  return [c.inputSize, ...c.hiddenSizes, c.outputSize];
}

/** Parameters (in the book's order: W1, b1, gamma1, beta1, W2, …), gradients, running statistics and state. */
export function parameterLayout(c: NetConfig): ParameterLayout {
  const sizes = layerSizes(c),
    L = sizes.length - 1;
  const params: BufferSpec[] = [],
    stats: BufferSpec[] = [];
  for (let l = 1; l <= L; l++) {
    const nIn = sizes[l - 1],
      nOut = sizes[l];
    params.push(
      { name: `W${l}`, floats: nIn * nOut, shape: [nIn, nOut] },
      { name: `b${l}`, floats: nOut, shape: [nOut] },
    );
    if (c.useBatchNorm && l < L) {
      params.push(
        { name: `gamma${l}`, floats: nOut, shape: [nOut] },
        { name: `beta${l}`, floats: nOut, shape: [nOut] },
      );
      stats.push({ name: `runningMean${l}`, floats: nOut }, { name: `runningVar${l}`, floats: nOut });
    }
  }
  return { params, grads: params, stats, state: [{ name: 'dropoutRng', floats: 1, int32: true }] };
}

/**
 * The activation buffers for `rows` rows, in the order the net makes them (its input, then layer by layer as
 * buildLayers constructs them: each layer allocates its fields in this order).
 */
export function activationLayout(c: NetConfig, rows: number): ActivationSpec[] {
  const sizes = layerSizes(c),
    L = sizes.length - 1,
    B = rows;
  const out: ActivationSpec[] = [{ owner: 'net', field: 'input', name: 'input', floats: B * c.inputSize }];
  const add = (owner: string, field: string, floats: number, int32 = false): void => {
    out.push({ owner, field, name: `${owner}.${field}`, floats, ...(int32 ? { int32 } : {}) });
  };
  for (let l = 1; l <= L; l++) {
    const nIn = sizes[l - 1],
      nOut = sizes[l];
    add(`Affine${l}`, 'out', B * nOut);
    add(`Affine${l}`, 'dx', l > 1 ? B * nIn : 0);
    if (l === L) break;
    if (c.useBatchNorm) {
      add(`BatchNorm${l}`, 'xn', B * nOut);
      add(`BatchNorm${l}`, 'mean', nOut);
      add(`BatchNorm${l}`, 'invStd', nOut);
    }
    if (c.useDropout) add(`Dropout${l}`, 'mask', B * nOut);
  }
  const C = c.outputSize;
  add('SoftmaxWithLoss', 'y', B * C);
  add('SoftmaxWithLoss', 'dx', B * C);
  add('SoftmaxWithLoss', 'labels', B, true);
  add('SoftmaxWithLoss', 'onehot', B * C);
  return out;
}

/** Σ of the elements of `specs`. */
export function elementCount(specs: readonly BufferSpec[]): number {
  let n = 0;
  for (const s of specs) n += s.floats;
  return n;
}

/**
 * Floats (4-byte elements) the backend hands out for `specs`, each allocation rounded up to the wasm backend's
 * 16-byte alignment: what a reservation for them must cover, and exactly what a single-thread wasm backend's bump
 * pointer moves by when they are allocated one after another.
 */
export function allocatedFloats(specs: readonly BufferSpec[]): number {
  const perAlign = ALIGN / 4;
  let n = 0;
  for (const s of specs) n += Math.ceil(s.floats / perAlign) * perAlign;
  return n;
}

/** Every buffer of the net that is not activation: params, grads, running statistics, state. */
export function ownBuffers(p: ParameterLayout): BufferSpec[] {
  return [...p.params, ...p.grads, ...p.stats, ...p.state];
}

/** What the net reserves when it is made, by part (floats). */
export interface Reservation {
  /** params + grads + running statistics + state, aligned. */
  readonly own: number;
  /** The activation buffers for maxBatchSize rows, aligned. */
  readonly activations: number;
  /** Room for an optimizer's state (OPTIMIZER_SLOTS_MAX slots), reserved only if memory has it. */
  readonly optimizer: number;
}

export function reservation(c: NetConfig): Reservation {
  const p = parameterLayout(c);
  return {
    own: allocatedFloats(ownBuffers(p)),
    activations: allocatedFloats(activationLayout(c, c.maxBatchSize)),
    optimizer: optimizerStateFloats(
      p.params.map((s) => s.floats),
      OPTIMIZER_SLOTS_MAX,
    ),
  };
}

/**
 * Checks that every activation buffer the layers allocated has the size the layout lists (an internal check, at
 * build time: a layer changed without its layout entry is an Error here, not a memory test failing later).
 * `owners` maps a layer name ('net' for the net itself) to the object holding the buffers as fields.
 */
export function checkLayerBuffers(specs: readonly ActivationSpec[], owners: ReadonlyMap<string, object>): void {
  for (const s of specs) {
    const owner = owners.get(s.owner);
    const buf = owner ? (owner as Record<string, unknown>)[s.field] : undefined;
    const ok = s.int32 ? buf instanceof Int32Array : buf instanceof Float32Array;
    if (!ok || (buf as Float32Array).length !== s.floats) {
      throw new Error(
        `internal: ${s.name} should be ${s.int32 ? 'an Int32Array' : 'a Float32Array'} of ${s.floats} ` +
          `values (src/net/layout.ts), got ${ok ? (buf as Float32Array).length : String(buf)}`,
      );
    }
  }
}

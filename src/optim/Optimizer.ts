// What the six optimizers share: checking the records they are handed, and state buffers ("slots": v, h, m…)
// allocated once, on first update, in the same backend (and so the same wasm memory) as the parameters.
import { createBackend } from '../backend/index.js';
import { ownerOf } from '../backend/registry.js';
import type { Backend } from '../backend/types.js';
import { MemoryError, ShapeError, ValueError } from '../errors.js';
import type { ParamRecord } from '../net/config.js';

export type { ParamRecord };

export abstract class Optimizer {
  abstract readonly name: string;
  /** State buffers per parameter name, `slotCount` each. */
  protected readonly slots = new Map<string, Float32Array[]>();
  private backend: Backend | undefined;
  private generation = 0;

  /** The book's names of the state buffers each parameter gets (Momentum ['v'], AdaGrad ['h'], Adam ['m', 'v']…). */
  constructor(readonly slotNames: readonly string[]) {}

  private get slotCount(): number {
    return this.slotNames.length;
  }

  /**
   * The state as the book's optimizer holds it: `{ v: { W1: …, b1: … } }` for Momentum, `{ m: …, v: … }` for Adam,
   * `{}` for SGD or before the first update. The arrays are the optimizer's own buffers (read them, copy to keep).
   */
  state(): Record<string, ParamRecord> {
    const out: Record<string, ParamRecord> = {};
    if (!this.backend) return out;
    if (this.backend.generation !== this.generation) this.refresh(this.backend);
    this.slotNames.forEach((slot, i) => {
      const rec: ParamRecord = {};
      for (const [key, s] of this.slots) rec[key] = s[i];
      out[slot] = rec;
    });
    return out;
  }

  /**
   * Updates every params[key] in place from grads[key]. Gradients holding NaN or ±∞ are a ValueError, with the
   * params and the optimizer's state unchanged (one count_nonfinite pass per gradient, in the backend).
   */
  update(params: ParamRecord, grads: ParamRecord): void {
    if (!this.check(params, grads)) return;
    const k = this.backend ?? ownerOf(firstOf(params)) ?? createBackend('js');
    for (const key in params) {
      const g = k.refresh(grads[key]);
      const bad = k.count_nonfinite(g, g.length);
      if (bad > 0) {
        throw new ValueError(
          `${this.name}.update: grads '${key}' holds ${bad} NaN or infinite value(s): ` +
            'params and optimizer state left unchanged',
        );
      }
    }
    this.apply(params, grads);
  }

  /**
   * As update, without the pass over the gradients: for the Trainer, which checks that the params are finite after
   * the update instead (and rolls back if not), so that a step scans its numbers once.
   */
  updateUnchecked(params: ParamRecord, grads: ParamRecord): void {
    if (this.check(params, grads)) this.apply(params, grads);
  }

  /** Checks names and lengths; false if there is nothing to update. */
  private check(params: ParamRecord, grads: ParamRecord): boolean {
    let n = 0;
    for (const key in params) {
      const p = params[key],
        g = Object.hasOwn(grads, key) ? grads[key] : undefined; // not Object.prototype's members
      if (!g) throw new ShapeError(`${this.name}.update: grads has no '${key}'`);
      if (g.length !== p.length)
        throw new ShapeError(`${this.name}.update: grads '${key}' has ${g.length} values, params ${p.length}`);
      if (this.slots.size > 0 && !this.slots.has(key)) {
        throw new ShapeError(
          `${this.name}.update: '${key}' was not among the parameters of the first update; use one optimizer per net`,
        );
      }
      n++;
    }
    return n > 0;
  }

  private apply(params: ParamRecord, grads: ParamRecord): void {
    const k = this.backend ?? this.allocate(params);
    if (k.generation !== this.generation) this.refresh(k);
    this.beginStep();
    for (const key in params) {
      this.step(k, k.refresh(params[key]), k.refresh(grads[key]), this.slots.get(key)!, params[key].length);
    }
  }

  /** Called once per update before the per-parameter steps (Adam counts its iterations here). */
  protected beginStep(): void {}

  /** One parameter's in-place update. */
  protected abstract step(k: Backend, p: Float32Array, g: Float32Array, slots: Float32Array[], n: number): void;

  /** Forgets the state (velocities, accumulated squares, moments, step count). */
  reset(): void {
    for (const s of this.slots.values()) for (const b of s) b.fill(0);
  }

  private allocate(params: ParamRecord): Backend {
    const k = ownerOf(firstOf(params)) ?? createBackend('js');
    const lengths = Object.values(params).map((p) => p.length);
    try {
      k.reserve(optimizerStateFloats(lengths, this.slotCount)); // all or nothing: no slot is allocated unless all fit
    } catch (e) {
      throw e instanceof MemoryError
        ? new MemoryError(`${this.name}: state for ${lengths.reduce((a, b) => a + b, 0)} ` + `parameters: ${e.message}`)
        : e;
    }
    for (const key in params) {
      const s: Float32Array[] = [];
      for (let i = 0; i < this.slotCount; i++) s.push(k.alloc(params[key].length));
      this.slots.set(key, s);
    }
    this.backend = k;
    this.generation = k.generation;
    return k;
  }

  private refresh(k: Backend): void {
    for (const s of this.slots.values()) for (let i = 0; i < s.length; i++) s[i] = k.refresh(s[i]);
    this.generation = k.generation;
  }
}

/**
 * The floats an optimizer with `slots` state buffers per parameter reserves for params of these lengths (and so
 * allocates at most): its state, and 4 floats of alignment per buffer. The net reserves it ahead (src/net/layout.ts).
 */
export function optimizerStateFloats(paramLengths: readonly number[], slots: number): number {
  let total = 0;
  for (const n of paramLengths) total += n * slots;
  return total + 4 * paramLengths.length * slots;
}

function firstOf(params: ParamRecord): Float32Array {
  for (const key in params) return params[key];
  throw new ShapeError('update: params is empty');
}

export function checkRate(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValueError(`${name} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

export function checkUnit(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new ValueError(`${name} must be in [0, 1), got ${String(value)}`);
  }
  return value;
}

// Typed errors. Every message names the argument, layer or file, what was expected and what was found.

/** Base class of every error zerodl throws on purpose. */
export class ZerodlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A buffer, batch or parameter has the wrong length or shape. */
export class ShapeError extends ZerodlError {}

/** A value is out of its allowed range: a label ≥ outputSize, lr ≤ 0, a dropout ratio ≥ 1, NaN in x, ... */
export class ValueError extends ZerodlError {}

/** An unknown name: activation, weight init, optimizer, backend, experiment. */
export class NameError extends ZerodlError {}

/**
 * Training produced a non-finite loss; the net is back at the last parameters whose loss was finite.
 * `result` holds what was recorded until then (the Trainer's TrainResult), when thrown by Trainer.train().
 */
export class DivergenceError extends ZerodlError {
  result?: unknown;
}

/** A file or byte string is not what it claims (bad magic, truncated, inconsistent header). */
export class FormatError extends ZerodlError {}

/**
 * The wasm module could not be loaded, or was used before `init()`; a buffer is stale or foreign; a disposed net or
 * backend was used; a kernel thread stopped in the middle of a kernel call (the pool then runs on one thread).
 */
export class BackendError extends ZerodlError {}

/**
 * An allocation does not fit: more bytes than the backend's memory can ever hold (wasm32: 4 GiB; the threads'
 * shared memory: 1 GiB), or than the engine would give. The message names the bytes requested, the limit and what
 * is in use. Nothing was allocated or moved: the backend, its buffers and the nets on it are as before the call.
 */
export class MemoryError extends ZerodlError {}

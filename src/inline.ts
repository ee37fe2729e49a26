// zerodl with the four kernel binaries embedded in the JS (base64; 41.3 kB gzipped, against 30.5 kB for the main
// entry with one wasm), for setups that cannot serve a .wasm file: a single-file bundle, a CDN that drops unknown
// types, a data: URL worker.
// Everything else is the main entry; only `init()` differs: it compiles the embedded bytes instead of fetching.
import { hasRelaxedSimd, init as initFrom, type InitOptions } from './index.js';
import relaxedWasm from '../build/zerodl-relaxed.wasm';
import threadsRelaxedWasm from '../build/zerodl-threads-relaxed.wasm';
import threadsWasm from '../build/zerodl-threads.wasm';
import simdWasm from '../build/zerodl.wasm';

export * from './index.js';

/** `init()` of the main entry, with the wasm taken from this file unless `wasm` or `wasmUrl` is given. */
export function init(options: InitOptions = {}): Promise<void> {
  if (options.wasm || options.wasmUrl) return initFrom(options);
  const relaxed = options.simd === 'relaxed-simd' || ((options.simd ?? 'auto') === 'auto' && hasRelaxedSimd());
  return initFrom({
    ...options,
    simd: relaxed ? 'relaxed-simd' : 'simd',
    wasm: (variant, threaded) =>
      variant === 'relaxed-simd' ? (threaded ? threadsRelaxedWasm : relaxedWasm) : threaded ? threadsWasm : simdWasm,
  });
}

// Compiling the kernels' wasm once per process (or page): bytes from the file system in Node (never `fetch` of a
// file: URL), `fetch` + streaming compile in browsers. Instances are then made synchronously from the module.
import { BackendError } from '../../errors.js';
import { defaultWasmUrl } from '../../wasm-url.js';

export interface InitOptions {
  /** Where to fetch the .wasm from (browsers, bundlers); default: build/zerodl.wasm beside the package's JS. */
  wasmUrl?: string | URL;
  /** The .wasm bytes themselves, or a compiled module (skips loading). */
  wasm?: BufferSource | WebAssembly.Module;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

function isNodeFileUrl(url: URL): boolean {
  return url.protocol === 'file:' && typeof process !== 'undefined' && !!process.versions?.node;
}

function checkMagic(bytes: Uint8Array, where: string): void {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new BackendError(`${where} is not a WebAssembly module: expected the bytes 00 61 73 6d, found ${head || 'nothing'}` +
      ` (${bytes.length} bytes)`);
  }
}

export async function compileKernels(options: InitOptions = {}): Promise<WebAssembly.Module> {
  const { wasm } = options;
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (wasm) {
    const bytes = wasm instanceof ArrayBuffer ? new Uint8Array(wasm)
      : new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength);
    checkMagic(bytes, 'the wasm bytes given to init()');
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  }
  const url = options.wasmUrl ? new URL(options.wasmUrl, defaultWasmUrl()) : defaultWasmUrl();
  if (isNodeFileUrl(url)) {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(fileURLToPath(url));
    } catch (e) {
      throw new BackendError(`cannot read the kernels' wasm at ${fileURLToPath(url)}: ${(e as Error).message}` +
        ' (run `npm run build` first)');
    }
    checkMagic(bytes, fileURLToPath(url));
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new BackendError(`cannot fetch the kernels' wasm from ${url.href}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new BackendError(`cannot fetch the kernels' wasm from ${url.href}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  checkMagic(bytes, url.href);
  return WebAssembly.compile(bytes);
}

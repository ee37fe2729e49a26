// safetensors (Hugging Face's tensor file format), F32 tensors only. Browser-safe: pure functions on bytes.
//
//   bytes 0..8      u64 little-endian N: header length
//   bytes 8..8+N    UTF-8 JSON object, padded with spaces to a multiple of 8:
//                     { "__metadata__": { "<key>": "<string>", ... },          (optional)
//                       "<tensor>": { "dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end] }, ... }
//   bytes 8+N..     data section: each tensor's elements, row-major, little-endian; offsets are relative to
//                   its start, and the tensors tile it exactly (no gaps, no overlaps, nothing after the last).
//
// What encodeSafetensors writes is what Python's `safetensors.numpy.load_file` reads (and vice versa for F32).
import { FormatError, ShapeError, ValueError } from '../errors.js';

export interface F32Tensor {
  dtype: 'F32';
  shape: number[];
  data: Float32Array;
}

export interface Safetensors {
  tensors: Record<string, F32Tensor>;
  metadata: Record<string, string>;
}

const METADATA_KEY = '__metadata__';
const MAX_HEADER_BYTES = 100_000_000; // the reference implementation's limit
const KNOWN_DTYPES = new Set([
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
]);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Plain assignment of the key "__proto__" would set the prototype instead of adding a property.
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// Checks for 0 first: a product that overflowed to Infinity times 0 would be NaN, not 0.
const product = (shape: readonly number[]): number => (shape.includes(0) ? 0 : shape.reduce((a, b) => a * b, 1));

/** Serializes F32 tensors (laid out in the record's key order) and optional string metadata. */
export function encodeSafetensors(tensors: Record<string, F32Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (!isPlainObject(metadata))
      throw new ValueError(`safetensors metadata: expected an object, found ${typeof metadata}`);
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new ValueError(`safetensors metadata "${key}": expected a string value, found ${typeof value}`);
      }
    }
    setOwn(header, METADATA_KEY, metadata);
  }

  const entries = Object.entries(tensors);
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === METADATA_KEY)
      throw new ValueError(`safetensors: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (t.dtype !== 'F32')
      throw new ValueError(`tensor "${name}": expected dtype "F32", found ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ShapeError(
        `tensor "${name}": expected a shape of non-negative integers, found ${JSON.stringify(t.shape)}`,
      );
    }
    if (!(t.data instanceof Float32Array) || t.data.length !== product(t.shape)) {
      throw new ShapeError(
        `tensor "${name}": shape [${t.shape.join(', ')}] needs ${product(t.shape)} floats, ` +
          `found ${t.data instanceof Float32Array ? t.data.length : 'no Float32Array'}`,
      );
    }
    setOwn(header, name, { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] });
    offset += t.data.byteLength;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8; // keeps the data section 8-byte aligned in the file
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true); // low half of the u64; the high half stays 0 (headers < 4 GiB)
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);

  let at = 8 + headerLength;
  for (const [, t] of entries) {
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    }
    at += t.data.byteLength;
  }
  return out;
}

/** A tensor's place in the data section, as the header declares it (checked: F32, shape and byte count agree). */
export interface SafetensorsEntry {
  name: string;
  shape: number[];
  /** Byte offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

/** Tighter limits than the format's own, for readers that know what they expect (model files). */
export interface SafetensorsLimits {
  /** Largest header length in bytes (default and at most the reference implementation's 100,000,000). */
  maxHeaderBytes?: number;
  /** Most tensors the header may declare. */
  maxTensors?: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** The tensors in the order of their data (they tile the data section exactly). */
  entries: SafetensorsEntry[];
  /** Where the data section starts in the bytes. */
  dataStart: number;
}

/**
 * Parses and fully validates the header of a safetensors byte string without copying any tensor data: the length
 * prefix, the JSON, each entry, and that the entries tile the data section. Lets a reader check names and shapes
 * before anything is allocated; the limits are checked before the header is parsed (length) and before its entries
 * are read (count). `name` (a path or label) starts every error message; every problem is a FormatError.
 */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  name = 'safetensors data',
  limits: SafetensorsLimits = {},
): SafetensorsHeader {
  if (bytes.length < 8) {
    throw new FormatError(`${name}: expected at least 8 bytes (the header length), found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32; // exact below 2^53, larger is rejected anyway
  const maxHeader = Math.min(limits.maxHeaderBytes ?? MAX_HEADER_BYTES, MAX_HEADER_BYTES);
  if (headerLength > maxHeader) {
    throw new FormatError(`${name}: header length ${headerLength} exceeds the ${maxHeader}-byte limit`);
  }
  if (headerLength > bytes.length - 8) {
    throw new FormatError(
      `${name}: header length ${headerLength} exceeds the ${bytes.length - 8} bytes that follow the length prefix`,
    );
  }

  let header: unknown;
  try {
    // fatal: reject invalid UTF-8 instead of replacing it; ignoreBOM: keep a BOM so that JSON.parse rejects it
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
    header = JSON.parse(text);
  } catch (error) {
    throw new FormatError(`${name}: expected a UTF-8 JSON header, found invalid data (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) {
    throw new FormatError(
      `${name}: expected the header to be a JSON object, found ${header === null ? 'null' : Array.isArray(header) ? 'an array' : typeof header}`,
    );
  }
  const keys = Object.keys(header);
  const tensorCount = keys.length - (Object.hasOwn(header, METADATA_KEY) ? 1 : 0);
  if (limits.maxTensors !== undefined && tensorCount > limits.maxTensors) {
    throw new FormatError(
      `${name}: the header declares ${tensorCount} tensors, more than the ${limits.maxTensors} allowed`,
    );
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const key of keys) {
    if (key === METADATA_KEY) {
      readMetadata(header[key], metadata, name);
    } else {
      entries.push(readEntry(key, header[key], dataLength, name));
    }
  }

  // The tensors must tile the data section: sorted by offsets, each starts where the previous one ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: SafetensorsEntry | undefined;
  for (const e of entries) {
    if (e.begin < cursor) {
      throw new FormatError(
        `${name}: tensor "${e.name}" (bytes ${e.begin}..${e.end}) overlaps tensor ` +
          `"${previous!.name}" (bytes ${previous!.begin}..${previous!.end}) in the data section`,
      );
    }
    if (e.begin > cursor) {
      throw new FormatError(
        `${name}: gap in the data section: bytes ${cursor}..${e.begin} before tensor "${e.name}" ` +
          `belong to no tensor`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    throw new FormatError(
      `${name}: the tensors cover ${cursor} bytes of the data section, but it has ${dataLength} ` +
        `(bytes ${cursor}..${dataLength} belong to no tensor)`,
    );
  }
  return { metadata, entries, dataStart };
}

/**
 * Parses and fully validates a safetensors byte string; `name` (a path or label) starts every error message.
 * Tensor data is copied into fresh Float32Arrays, since tensors inside the byte string need not be 4-byte aligned.
 * Throws FormatError for anything malformed or for a dtype other than F32.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  name = 'safetensors data',
  limits: SafetensorsLimits = {},
): Safetensors {
  const { metadata, entries, dataStart } = readSafetensorsHeader(bytes, name, limits);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: Record<string, F32Tensor> = {};
  for (const e of entries) {
    const a = dataStart + e.begin;
    const b = dataStart + e.end;
    let data: Float32Array;
    if (LITTLE_ENDIAN_HOST) {
      data = new Float32Array(bytes.slice(a, b).buffer); // slice: a fresh, aligned copy
    } else {
      data = new Float32Array((b - a) / 4);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(a + 4 * i, true);
    }
    setOwn(tensors, e.name, { dtype: 'F32', shape: e.shape, data });
  }
  return { tensors, metadata };
}

function readMetadata(value: unknown, into: Record<string, string>, name: string): void {
  if (value === null) return; // the reference implementation treats null as "no metadata"
  if (!isPlainObject(value)) {
    throw new FormatError(
      `${name}: expected "${METADATA_KEY}" to be an object of strings, found ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new FormatError(
        `${name}: metadata "${key}": expected a string value, found ${v === null ? 'null' : typeof v}`,
      );
    }
    setOwn(into, key, v);
  }
}

function readEntry(tensor: string, value: unknown, dataLength: number, name: string): SafetensorsEntry {
  const where = `${name}: tensor "${tensor}"`;
  if (!isPlainObject(value)) throw new FormatError(`${where}: expected an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = value;

  if (typeof dtype !== 'string')
    throw new FormatError(`${where}: expected a dtype string, found ${JSON.stringify(dtype) ?? 'none'}`);
  if (dtype !== 'F32') {
    const why = KNOWN_DTYPES.has(dtype) ? 'is not supported' : 'is not a safetensors dtype';
    throw new FormatError(`${where}: dtype "${dtype}" ${why}; only F32 tensors can be read`);
  }

  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(`${where}: expected a shape array of non-negative integers, found ${describe(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new FormatError(
      `${where}: expected data_offsets [begin, end] of non-negative integers, found ${describe(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new FormatError(
      `${where}: data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section ` +
        `(expected begin ≤ end ≤ ${dataLength})`,
    );
  }
  // A huge product is inexact, but it then also exceeds any real byte count, so the comparison stays sound.
  const bytesNeeded = 4 * product(shape as number[]);
  if (end - begin !== bytesNeeded) {
    throw new FormatError(
      `${where}: shape ${describe(shape)} of F32 needs ${bytesNeeded} bytes, ` +
        `but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name: tensor, shape: (shape as number[]).slice(), begin, end };
}

// Short, bounded rendering of a header value for error messages (headers may be up to 100 MB).
function describe(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

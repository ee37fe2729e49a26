// IDX files (LeCun's MNIST format), unsigned-byte flavour only. Browser-safe: pure functions on bytes.
//
//   offset 0  u8 0, u8 0, u8 type code (0x08 = ubyte), u8 rank r (1–4)
//   offset 4  r × u32 big-endian dimension sizes
//   then      prod(dims) data bytes, row-major; nothing may follow them
//
// MNIST images are magic 0x00000803 (N × rows × cols), labels 0x00000801 (N).
import { FormatError } from '../errors.js';

export interface Idx {
  dims: number[];
  /** A view into the input bytes (no copy): prod(dims) values. */
  data: Uint8Array;
}

const UBYTE = 0x08;
const MAX_RANK = 4;
// The other IDX element types, named so that a rejection says what the file actually holds.
const OTHER_TYPES: Record<number, string> = {
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** True when bytes start like a gzip stream (1f 8b, deflate method). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
}

export interface IdxHeader {
  dims: number[];
  /** Header bytes: 4 + 4·rank. */
  headerSize: number;
  /** Data bytes the header declares: prod(dims), a double (inexact, and never a real length, past 2^53). */
  dataSize: number;
}

/**
 * Validates and reads the header at the start of `bytes` (which may hold only a prefix of the file).
 * Lets a caller bound a decompression by the declared size before inflating the whole file.
 */
export function readIdxHeader(bytes: Uint8Array, name = 'IDX data'): IdxHeader {
  if (bytes.length < 4) {
    throw new FormatError(`${name}: expected at least 4 bytes of IDX header, found ${bytes.length}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = isGzip(bytes) ? ' (this is gzip data: decompress it first)' : '';
    throw new FormatError(
      `${name}: not an IDX file: expected magic bytes 0x00 0x00, found ${hex(bytes[0])} ${hex(bytes[1])}${hint}`,
    );
  }
  const type = bytes[2];
  if (type !== UBYTE) {
    const what =
      OTHER_TYPES[type] !== undefined ? `${OTHER_TYPES[type]} data, which is not supported` : 'an unknown type';
    throw new FormatError(`${name}: expected IDX type code 0x08 (unsigned byte), found ${hex(type)} (${what})`);
  }
  const rank = bytes[3];
  if (rank < 1 || rank > MAX_RANK) {
    throw new FormatError(`${name}: expected IDX rank 1 to ${MAX_RANK}, found ${rank}`);
  }
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) {
    throw new FormatError(
      `${name}: truncated header: rank ${rank} needs ${headerSize} header bytes, found ${bytes.length}`,
    );
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let dataSize = 1;
  for (let i = 0; i < rank; i++) {
    // Read signed: a size ≥ 2^31 is corruption, not a real dataset.
    const d = view.getInt32(4 + 4 * i, false);
    if (d < 0) {
      throw new FormatError(`${name}: dimension ${i} must be ≥ 0 (below 2^31), found ${d >>> 0}`);
    }
    dims.push(d);
    dataSize *= d; // at most 2^124, so a double holds it without overflow
  }
  return { dims, headerSize, dataSize };
}

/**
 * Parses a whole unsigned-byte IDX file. `name` (a path or label) starts every error message.
 * Throws FormatError for anything but a complete, exactly-sized ubyte IDX file. Allocates nothing in
 * proportion to the header's claims, so a corrupt header cannot cause a huge allocation.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): Idx {
  const { dims, headerSize, dataSize } = readIdxHeader(bytes, name);
  const expected = headerSize + dataSize;
  if (bytes.length !== expected) {
    const count = (n: number): string => (n <= Number.MAX_SAFE_INTEGER ? `${n}` : `about ${n.toExponential(3)}`);
    const problem = bytes.length < expected ? 'truncated' : 'trailing bytes after the data';
    throw new FormatError(
      `${name}: ${problem}: header declares dims [${dims.join(', ')}], so expected ${count(expected)} bytes ` +
        `(${headerSize} header + ${count(dataSize)} data), found ${bytes.length}`,
    );
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerSize, dataSize) };
}

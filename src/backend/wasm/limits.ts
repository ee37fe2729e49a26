// Sizes of wasm linear memory, in float64 arithmetic throughout: a 32-bit `(bytes + 15) & ~15` wraps at 2 GiB and
// once turned an oversized allocation into a bump pointer that went backwards over live buffers.
import { MemoryError } from '../../errors.js';

/** Bytes of one wasm page. */
export const PAGE = 65536;
/** wasm32 addresses at most 2¹⁶ pages: 4 GiB. Engines may give less (they then refuse to grow). */
export const WASM32_MAX_BYTES = 65536 * PAGE;
/** Every buffer starts on a v128 boundary. */
export const ALIGN = 16;

/** `bytes` rounded up to a multiple of 16, exact for any size below 2⁵³ (never wraps). */
export function align(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/** "3,145,728 bytes (3.0 MiB)". */
export function describeBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes,
    unit = '';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return `${bytes.toLocaleString('en-US')} bytes${unit ? ` (${v.toFixed(1)} ${unit})` : ''}`;
}

/**
 * The error of an allocation that does not fit: what was asked, what is in use and the limit (and the engine's
 * reason when it refused to grow memory below the limit).
 */
export function tooLarge(
  what: string,
  requested: number,
  inUse: number,
  limit: number,
  limitName: string,
  engine?: unknown,
): MemoryError {
  const why =
    engine === undefined
      ? `${describeBytes(inUse)} are in use and ${limitName} holds at most ${describeBytes(limit)}`
      : `the engine refused to grow memory (${describeBytes(inUse)} in use, limit ${describeBytes(limit)}): ` +
        `${engine instanceof Error ? engine.message : String(engine)}`;
  return new MemoryError(`${what}: ${describeBytes(requested)} do not fit: ${why}`);
}

// The CLI runs in a process of its own, so it may turn on what the engine has but hides: Node 20's V8 (11.3) has
// relaxed SIMD behind a flag, on by default from V8 11.4 (Node 21+, Chrome 114+), and in Bun and Deno. With it,
// init() picks the FMA build (about 1.3x faster gemm). The library itself never changes V8 flags.
// ZERODL_SIMD=simd keeps plain SIMD on every runtime: the flag is skipped AND init() is told { simd: 'simd' }
// (skipping the flag alone changes nothing where relaxed SIMD is on by default).
import { setFlagsFromString } from 'node:v8';
import { hasRelaxedSimd, init } from '../backend/index.js';
import { UsageError } from './args.js';

/** The binary ZERODL_SIMD asks for ('simd' or 'relaxed-simd'), or undefined for the engine's choice. */
export function simdFromEnv(): 'simd' | 'relaxed-simd' | undefined {
  const v = process.env.ZERODL_SIMD;
  if (v === undefined || v === '' || v === 'auto') return undefined;
  if (v === 'simd' || v === 'relaxed-simd') return v;
  throw new UsageError(`ZERODL_SIMD must be 'simd', 'relaxed-simd' or 'auto', got '${v}'`);
}

export function enableRelaxedSimd(): void {
  if (process.env.ZERODL_SIMD === 'simd' || hasRelaxedSimd()) return; // (a bad value is reported by initFromEnv)
  if (Number(process.versions?.node?.split('.')[0]) !== 20) return;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/** Loads the binary ZERODL_SIMD names, before any command's own init() (which then reuses it). */
export async function initFromEnv(): Promise<void> {
  const simd = simdFromEnv();
  if (simd) await init({ simd });
}

// The CLI runs in a process of its own, so it may turn on what the engine has but hides: Node 20's V8 (11.3) has
// relaxed SIMD behind a flag, on by default from V8 11.4 (Node 21+, Chrome 114+). With it, init() picks the FMA
// build (about 1.3x faster gemm). The library itself never changes V8 flags; ZERODL_SIMD=simd keeps plain SIMD.
import { setFlagsFromString } from 'node:v8';
import { hasRelaxedSimd } from '../backend/index.js';

export function enableRelaxedSimd(): void {
  if (process.env.ZERODL_SIMD === 'simd' || hasRelaxedSimd()) return;
  if (Number(process.versions.node.split('.')[0]) !== 20) return;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}

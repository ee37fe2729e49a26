// gemm.ts — cache- and register-blocked single-precision matrix multiply
// (plus the two bias kernels of a dense layer), SIMD128 WebAssembly.
//
//   C[M×N] = (accumulate ? C : 0) + op(A)[M×K] · op(B)[K×N]
//
// All matrices are f32, row-major, contiguous; pointers are byte addresses.
//   A: M×K (row stride K), or, when transA != 0, stored K×M (stride M), op(A) = Aᵀ
//   B: K×N (row stride N), or, when transB != 0, stored N×K (stride K), op(B) = Bᵀ
//   C: M×N (row stride N), never aliases A or B.
//
// Blocking (Goto / BLIS loop order):
//
//   for jc in 0..N step nc                       B panel columns   (L3)
//     for pc in 0..K step kc                     depth block
//       pack op(B)[pc:pc+kc, jc:jc+nc] → PACK_B  as NR-wide strips, each kc×NR,
//                                               one contiguous NR-vector per k
//       for ic in 0..M step mc                   A block rows      (L2)
//         pack op(A)[ic:ic+mc, pc:pc+kc] → PACK_A as MR-tall strips, each
//                                               kc×MR, the MR values of one k
//                                               contiguous (load32_splat them)
//         for jr in 0..nc step NR                B micro-panel     (L1)
//           for ir in 0..mc step MR
//             micro-kernel: C[ir:ir+MR, jr:jr+NR] (+)= Ap · Bp  over kc
//
// nc, kc, mc are the limits NC, KC, MC below, lowered so each dimension
// splits into equal blocks (K = 784 → 4 × 196, not 3 × 256 + 16).
//
// Transposes are absorbed entirely by the packing routines, so the macro-
// and micro-kernels only ever see one layout and all four variants run at
// the same speed. Contiguous sources are copied with plain v128 loads;
// strided sources are read 4×4 at a time and transposed with shuffles.
//
// Edges: packed strips are zero-padded past the last row/column. Edge tiles
// are computed in full and written to C through a small static tile buffer
// (TILE); full tiles load/add/store C directly. A last B strip of ≤ 4
// columns (N = 100 → 12×8 + 4, N = 10 → 8 + 2) uses a 4×4 kernel instead.
//
// accumulate = 0 is handled by *storing* (not adding) on the first depth
// block; later depth blocks add. K = 0 zero-fills C (or leaves it).
//
// Micro-kernel variants (gemm_set_variant; chosen per host at init(), see
// src/backend/wasm/gemm-variant.ts). Each packs A in strips of its own height
// MRv and B in strips of its own width NRv, and has narrow edge kernels:
//   0  4×8   8 accumulators, per k 2 B loads + 4 A splats (the default)
//   1  6×8   12 accumulators, 2 B + 6 A per k       (mc limit MC6 = 126)
//   2  4×12  12 accumulators, 3 B + 4 A per k       (nc limit NC12 = 1020)
//   3  3×12  9 accumulators, 3 B + 3 A per k        (MC6, NC12)
//   4  5×8   10 accumulators, 2 B loads + one v128 load of A's first 4 values
//            (broadcast by shuffles) + 1 A splat per k  (mc limit MC5 = 125)
// Whatever the variant, each C element is summed in the same order: its k
// terms from 0 in one accumulator with the same madd, each depth block (the K
// blocking depends on K only) stored or added to C in the same order. So C is
// bit-identical across variants for the same binary, and the choice may be
// made by timing. What V8 11.3 (Node 20) makes of them on x64, counted in its
// --print-wasm-code output (docs/notes/gemm-variants.md): TurboFan issues all
// loads of a k step before its madds, so the live v128 are accumulators +
// every value loaded per k, of 15 allocatable xmm registers (xmm15 is its
// scratch). 4×8 = 8 + 6 = 14 and 3×12 = 9 + 6 = 15 fit (relaxed; plain
// mul+add needs one more temporary, so 3×12 spills one value per k there);
// 6×8 = 12 + 8 = 20 and 4×12 = 12 + 7 = 19 spill accumulators every k step, which puts a
// store→load round trip into their madd chains. On hosts with 32 vector
// registers (arm64) those two are the candidates. 5×8 reads four of its five A
// values as one v128 and broadcasts each lane with a shuffle (pure register
// ops, which TurboFan places at their use), so its live set is 10 + 2 B + 2 A
// + 1 broadcast = 15: ten chains without a spill, for hosts whose FMA latency
// needs more than 8–9 chains (the Intel Xeon of docs/speed.md). Calibration
// picks per host.
//
// No allocation anywhere. Packing buffers (PACK_A, PACK_B, TILE) are one
// "scratch" block per thread: thread 0's is static (memory.data); each extra
// thread of the threaded build (src/backend/wasm/threads.ts) owns one on the
// heap and passes it to gemm_part, which computes a block C[i0:i1, j0:j1].
// The K blocking depends on K only and every C element is summed by one
// thread in one order, so any split of M or N is bit-identical to gemm().

// ---------------------------------------------------------------------------
// Block sizes — the one place they are defined.
//   MR×NR   register tile (fixed by the micro-kernel below)
//   KC      depth block: B micro-panel KC·NR·4 = 8 KiB + A micro-panel
//           KC·MR·4 = 4 KiB stay in L1d (32 KiB)
//   MC      rows of the packed A block: MC·KC·4 = 128 KiB, resident in L2 (512 KiB)
//   NC      columns of the packed B panel: KC·NC·4 = 1 MiB, in L3 (32 MiB)
// Measured on the 2-core Zen 3: KC ∈ {128, 256, 384, 512} × MC ∈ {64, 128,
// 256} all land within noise of each other; the micro-kernel is the limit.
// ---------------------------------------------------------------------------
import { madd } from './simd'; // c + a·b: the one switch point of the relaxed-SIMD (FMA) build

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;   // multiple of 4
const MC: i32 = 128;   // multiple of MR (and MC6 of 6: 126)
const NC: i32 = 1024;  // multiple of NR (and NC12 of 12: 1020)
const MC6: i32 = 126;  // mc limit of the 6-row and 3-row variants (≤ MC, so PACK_A fits)
const MC5: i32 = 125;  // mc limit of the 5-row variant
const NC12: i32 = 1020; // nc limit of the 12-column variant (≤ NC, so PACK_B fits)

// Micro-kernel variants (gemm_set_variant): the register tile MRv×NRv each one packs and computes with.
const V_4X8: i32 = 0;   // today's default: 8 accumulators
const V_6X8: i32 = 1;   // 12 accumulators, 6 A splats + 2 B loads per k
const V_4X12: i32 = 2;  // 12 accumulators, 4 A splats + 3 B loads per k
const V_3X12: i32 = 3;  // 9 accumulators, 3 A splats + 3 B loads per k (15 live v128: fits x64's 15 in the relaxed build; plain's mul temporary makes 16)
const V_5X8: i32 = 4;   // 10 accumulators, 2 B loads + 1 A v128 load (4 lanes broadcast by shuffles) + 1 A splat per k
const V_COUNT: i32 = 5;

// Per-thread scratch: [PACK_A MC·KC·4 | PACK_B KC·NC·4 | TILE 256 bytes], 16-byte aligned.
const PACK_A_BYTES: usize = <usize>(MC * KC * 4);
const PACK_B_BYTES: usize = <usize>(KC * NC * 4);
const TILE_BYTES: usize = 256; // one edge tile of any variant: 4×8, 5×8, 6×8 or 4×12 floats ≤ 192 bytes
const SCRATCH_BYTES: usize = PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;
// Thread 0's scratch is static. The threaded build imports its (shared) memory and needs --zeroFilledMemory,
// else asc writes these 1.2 MB of zeros as a data segment that every instantiation would copy again.
const SCRATCH0: usize = memory.data(<i32>SCRATCH_BYTES, 64);

// The variant in use, one i32 in linear memory (not a wasm global): in the threaded build the memory is shared, so
// one gemm_set_variant on any instance applies to every thread's gemm_part. 0 (the zero-filled default) is 4×8.
const VARIANT_CELL: usize = memory.data(16, 16);

/**
 * Selects the micro-kernel of every later gemm on this memory: 0 = 4×8, 1 = 6×8, 2 = 4×12, 3 = 3×12, 4 = 5×8. Returns the variant now
 * in use (unchanged, and so not v, when v is out of range). Results are bit-identical whichever is chosen.
 */
export function gemm_set_variant(v: i32): i32 {
  if (v >= 0 && v < V_COUNT) store<i32>(VARIANT_CELL, v);
  return load<i32>(VARIANT_CELL);
}

/** The micro-kernel variant in use (see gemm_set_variant). */
export function gemm_variant(): i32 {
  return load<i32>(VARIANT_CELL);
}

/** Bytes of gemm scratch each extra thread must own (16-byte aligned base). */
export function gemm_scratch_bytes(): i32 { return <i32>SCRATCH_BYTES; }

/** Address of the first byte after static data (for harnesses placing matrices). */
export function heap_base(): usize {
  return __heap_base;
}


// ---------------------------------------------------------------------------
// Packing
// ---------------------------------------------------------------------------

// Pack op(A)[i0:i0+mc, p0:p0+kc] into PACK_A.
// Layout: strip s (rows i0+4s .. +3) at PACK_A + s·kc·16; within it, depth k
// at +k·16 holds [a(i,k), a(i+1,k), a(i+2,k), a(i+3,k)].
function gemm_pack_a(PACK_A: usize, a: usize, K: i32, M: i32, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32): void {
  let dst = PACK_A;
  const zero = f32x4.splat(0);
  if (transA == 0) {
    // A stored M×K: each of the 4 rows is contiguous in k → 4×4 transposes.
    const lda = <usize>K << 2;
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = min(MR, mc - ir);
      let r0 = a + ((<usize>(i0 + ir) * <usize>K + <usize>p0) << 2);
      if (rows == MR) {
        let r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        let d = dst;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const x0 = v128.load(r0), x1 = v128.load(r1), x2 = v128.load(r2), x3 = v128.load(r3);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), 0);
          v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
          v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
          v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
          r0 += 16; r1 += 16; r2 += 16; r3 += 16; d += 64;
        }
        for (; k < kc; k++) {
          store<f32>(d, load<f32>(r0), 0);
          store<f32>(d, load<f32>(r1), 4);
          store<f32>(d, load<f32>(r2), 8);
          store<f32>(d, load<f32>(r3), 12);
          r0 += 4; r1 += 4; r2 += 4; r3 += 4; d += 16;
        }
      } else {
        let d = dst;
        // Edge strip (< 4 rows left): scalar copy, missing rows zero.
        for (let k = 0; k < kc; k++) {
          v128.store(d, zero);
          for (let r = 0; r < rows; r++) {
            store<f32>(d + (<usize>r << 2), load<f32>(r0 + <usize>r * lda + (<usize>k << 2)));
          }
          d += 16;
        }
      }
      dst += <usize>kc << 4;
    }
  } else {
    // A stored K×M: for each k the 4 values i..i+3 are contiguous → one v128 copy. Walked row by row of A (all
    // strips at depth k, then k + 1): a strip-by-strip walk reads one line per k at A's row stride, and when that
    // stride is a multiple of 512 bytes (M = 128) those lines share 8 of L1d's 64 sets and evict each other before
    // the next strip reuses them, which made small Aᵀ·B products slower than A·B (docs/notes/gemm-variants.md).
    const lda = <usize>M << 2;
    const stripBytes = <usize>kc << 4;
    const full = mc & ~(MR - 1); // rows in full strips
    let s = a + ((<usize>p0 * <usize>M + <usize>i0) << 2);
    for (let k = 0; k < kc; k++) {
      let d = dst + (<usize>k << 4);
      for (let ir = 0; ir < full; ir += MR) {
        v128.store(d, v128.load(s + (<usize>ir << 2)));
        d += stripBytes;
      }
      if (full < mc) {
        // Edge strip (< 4 rows left): scalar copy, missing rows zero.
        v128.store(d, zero);
        for (let r = 0; r < mc - full; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + (<usize>(full + r) << 2)));
      }
      s += lda;
    }
  }
}

// Pack op(B)[p0:p0+kc, j0:j0+nc] into PACK_B.
// Layout: strip s (columns j0+8s .. +7) at PACK_B + s·kc·32; within it,
// depth k at +k·32 holds [b(k,j) .. b(k,j+7)].
function gemm_pack_b(PACK_B: usize, b: usize, K: i32, N: i32, transB: i32, j0: i32, nc: i32, p0: i32, kc: i32): void {
  let dst = PACK_B;
  const zero = f32x4.splat(0);
  if (transB == 0) {
    // B stored K×N: each k row of the strip is 8 contiguous floats.
    const ldb = <usize>N << 2;
    for (let jr = 0; jr < nc; jr += NR) {
      const cols = min(NR, nc - jr);
      let s = b + ((<usize>p0 * <usize>N + <usize>(j0 + jr)) << 2);
      let d = dst;
      if (cols == NR) {
        let k = 0;
        for (; k + 2 <= kc; k += 2) {
          const x0 = v128.load(s, 0), x1 = v128.load(s, 16);
          const s1 = s + ldb;
          const x2 = v128.load(s1, 0), x3 = v128.load(s1, 16);
          v128.store(d, x0, 0);
          v128.store(d, x1, 16);
          v128.store(d, x2, 32);
          v128.store(d, x3, 48);
          s = s1 + ldb; d += 64;
        }
        for (; k < kc; k++) {
          v128.store(d, v128.load(s, 0), 0);
          v128.store(d, v128.load(s, 16), 16);
          s += ldb; d += 32;
        }
      } else {
        // Edge strip (< 8 columns left): scalar copy, missing columns zero.
        for (let k = 0; k < kc; k++) {
          v128.store(d, zero, 0);
          v128.store(d, zero, 16);
          for (let c = 0; c < cols; c++) {
            store<f32>(d + (<usize>c << 2), load<f32>(s + (<usize>c << 2)));
          }
          s += ldb; d += 32;
        }
      }
      dst += <usize>kc << 5;
    }
  } else {
    // B stored N×K: each of the 8 columns j is a contiguous row in k →
    // two 4×4 transposes per 4 depths.
    const ldb = <usize>K << 2;
    for (let jr = 0; jr < nc; jr += NR) {
      const cols = min(NR, nc - jr);
      let r0 = b + ((<usize>(j0 + jr) * <usize>K + <usize>p0) << 2);
      let d = dst;
      if (cols == NR) {
        let r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
        let r4 = r3 + ldb, r5 = r4 + ldb, r6 = r5 + ldb, r7 = r6 + ldb;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          let x0 = v128.load(r0), x1 = v128.load(r1), x2 = v128.load(r2), x3 = v128.load(r3);
          let t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          let t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          let t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          let t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), 0);
          v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
          v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
          v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
          x0 = v128.load(r4); x1 = v128.load(r5); x2 = v128.load(r6); x3 = v128.load(r7);
          t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), 16);
          v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 48);
          v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 80);
          v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 112);
          r0 += 16; r1 += 16; r2 += 16; r3 += 16;
          r4 += 16; r5 += 16; r6 += 16; r7 += 16;
          d += 128;
        }
        for (; k < kc; k++) {
          store<f32>(d, load<f32>(r0), 0);
          store<f32>(d, load<f32>(r1), 4);
          store<f32>(d, load<f32>(r2), 8);
          store<f32>(d, load<f32>(r3), 12);
          store<f32>(d, load<f32>(r4), 16);
          store<f32>(d, load<f32>(r5), 20);
          store<f32>(d, load<f32>(r6), 24);
          store<f32>(d, load<f32>(r7), 28);
          r0 += 4; r1 += 4; r2 += 4; r3 += 4;
          r4 += 4; r5 += 4; r6 += 4; r7 += 4;
          d += 32;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          v128.store(d, zero, 0);
          v128.store(d, zero, 16);
          for (let c = 0; c < cols; c++) {
            store<f32>(d + (<usize>c << 2), load<f32>(r0 + <usize>c * ldb + (<usize>k << 2)));
          }
          d += 32;
        }
      }
      dst += <usize>kc << 5;
    }
  }
}

// Edge strip of an R-row packing (gemm_pack_a6, _a5, _a3), `rows` < R rows left: a scalar copy of A stored M×K
// (r0: the strip's first row at depth p0, lda: A's row stride in bytes) into d, R floats per depth, missing rows zero.
function gemm_pack_a_edge(d: usize, r0: usize, lda: usize, rows: i32, R: i32, kc: i32): void {
  for (let k = 0; k < kc; k++) {
    for (let r = 0; r < R; r++) {
      store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(r0 + <usize>r * lda + (<usize>k << 2)) : <f32>0);
    }
    d += <usize>R << 2;
  }
}

// The same for A stored K×M (s: the strip's first value at depth p0, lda: A's row stride in bytes).
function gemm_pack_at_edge(d: usize, s: usize, lda: usize, rows: i32, R: i32, kc: i32): void {
  for (let k = 0; k < kc; k++) {
    for (let r = 0; r < R; r++) store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(s + (<usize>r << 2)) : <f32>0);
    s += lda;
    d += <usize>R << 2;
  }
}

// Pack op(A)[i0:i0+mc, p0:p0+kc] into PACK_A for the 6-row variant.
// Layout: strip s (rows i0+6s .. +5) at PACK_A + s·kc·24; within it, depth k
// at +k·24 holds [a(i,k) .. a(i+5,k)] (the splat loads need no alignment).
function gemm_pack_a6(PACK_A: usize, a: usize, K: i32, M: i32, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32): void {
  let dst = PACK_A;
  if (transA == 0) {
    // A stored M×K: rows 0–3 of the strip by 4×4 transposes, rows 4–5 by 2×4 interleaves.
    const lda = <usize>K << 2;
    for (let ir = 0; ir < mc; ir += 6) {
      const rows = min(6, mc - ir);
      let r0 = a + ((<usize>(i0 + ir) * <usize>K + <usize>p0) << 2);
      let d = dst;
      if (rows == 6) {
        let r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const x0 = v128.load(r0), x1 = v128.load(r1), x2 = v128.load(r2), x3 = v128.load(r3);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          const x4 = v128.load(r4), x5 = v128.load(r5);
          const u0 = v128.shuffle<f32>(x4, x5, 0, 4, 1, 5); // [a4k0 a5k0 a4k1 a5k1]
          const u1 = v128.shuffle<f32>(x4, x5, 2, 6, 3, 7); // [a4k2 a5k2 a4k3 a5k3]
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), 0);
          v128.store64_lane(d, u0, 0, 16);
          v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 24);
          v128.store64_lane(d, u0, 1, 40);
          v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 48);
          v128.store64_lane(d, u1, 0, 64);
          v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 72);
          v128.store64_lane(d, u1, 1, 88);
          r0 += 16; r1 += 16; r2 += 16; r3 += 16; r4 += 16; r5 += 16; d += 96;
        }
        for (; k < kc; k++) {
          store<f32>(d, load<f32>(r0), 0);
          store<f32>(d, load<f32>(r1), 4);
          store<f32>(d, load<f32>(r2), 8);
          store<f32>(d, load<f32>(r3), 12);
          store<f32>(d, load<f32>(r4), 16);
          store<f32>(d, load<f32>(r5), 20);
          r0 += 4; r1 += 4; r2 += 4; r3 += 4; r4 += 4; r5 += 4; d += 24;
        }
      } else {
        gemm_pack_a_edge(d, r0, lda, rows, 6, kc);
      }
      dst += <usize>kc * 24;
    }
  } else {
    // A stored K×M: for each k the 6 values i..i+5 are contiguous → one v128 and one 64-bit copy.
    const lda = <usize>M << 2;
    for (let ir = 0; ir < mc; ir += 6) {
      const rows = min(6, mc - ir);
      let s = a + ((<usize>p0 * <usize>M + <usize>(i0 + ir)) << 2);
      let d = dst;
      if (rows == 6) {
        for (let k = 0; k < kc; k++) {
          v128.store(d, v128.load(s));
          store<u64>(d, load<u64>(s, 16), 16);
          s += lda; d += 24;
        }
      } else {
        gemm_pack_at_edge(d, s, lda, rows, 6, kc);
      }
      dst += <usize>kc * 24;
    }
  }
}

// Pack op(A)[i0:i0+mc, p0:p0+kc] into PACK_A for the 5-row variant.
// Layout: strip s (rows i0+5s .. +4) at PACK_A + s·kc·20; within it, depth k
// at +k·20 holds [a(i,k), .., a(i+4,k)] (the kernel reads the first four as one
// unaligned v128 and the fifth as a splat).
function gemm_pack_a5(PACK_A: usize, a: usize, K: i32, M: i32, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32): void {
  let dst = PACK_A;
  if (transA == 0) {
    // A stored M×K: rows 0–3 of the strip by 4×4 transposes, row 4 lane by lane.
    const lda = <usize>K << 2;
    for (let ir = 0; ir < mc; ir += 5) {
      const rows = min(5, mc - ir);
      let r0 = a + ((<usize>(i0 + ir) * <usize>K + <usize>p0) << 2);
      let d = dst;
      if (rows == 5) {
        let r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const x0 = v128.load(r0), x1 = v128.load(r1), x2 = v128.load(r2), x3 = v128.load(r3);
          const x4 = v128.load(r4);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          // in increasing address order: each 16-byte store is followed by the lane that completes its 20 bytes
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), 0);
          v128.store32_lane(d, x4, 0, 16);
          v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 20);
          v128.store32_lane(d, x4, 1, 36);
          v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 40);
          v128.store32_lane(d, x4, 2, 56);
          v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 60);
          v128.store32_lane(d, x4, 3, 76);
          r0 += 16; r1 += 16; r2 += 16; r3 += 16; r4 += 16; d += 80;
        }
        for (; k < kc; k++) {
          store<f32>(d, load<f32>(r0), 0);
          store<f32>(d, load<f32>(r1), 4);
          store<f32>(d, load<f32>(r2), 8);
          store<f32>(d, load<f32>(r3), 12);
          store<f32>(d, load<f32>(r4), 16);
          r0 += 4; r1 += 4; r2 += 4; r3 += 4; r4 += 4; d += 20;
        }
      } else {
        gemm_pack_a_edge(d, r0, lda, rows, 5, kc);
      }
      dst += <usize>kc * 20;
    }
  } else {
    // A stored K×M: for each k the 5 values i..i+4 are contiguous → one v128 and one f32 copy.
    const lda = <usize>M << 2;
    for (let ir = 0; ir < mc; ir += 5) {
      const rows = min(5, mc - ir);
      let s = a + ((<usize>p0 * <usize>M + <usize>(i0 + ir)) << 2);
      let d = dst;
      if (rows == 5) {
        for (let k = 0; k < kc; k++) {
          v128.store(d, v128.load(s));
          store<f32>(d, load<f32>(s, 16), 16);
          s += lda; d += 20;
        }
      } else {
        gemm_pack_at_edge(d, s, lda, rows, 5, kc);
      }
      dst += <usize>kc * 20;
    }
  }
}

// Pack op(A)[i0:i0+mc, p0:p0+kc] into PACK_A for the 3-row variant.
// Layout: strip s (rows i0+3s .. +2) at PACK_A + s·kc·12; within it, depth k
// at +k·12 holds [a(i,k), a(i+1,k), a(i+2,k)].
function gemm_pack_a3(PACK_A: usize, a: usize, K: i32, M: i32, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32): void {
  let dst = PACK_A;
  if (transA == 0) {
    // A stored M×K: 3 rows (and a zero fourth) transposed 4 depths at a time.
    const lda = <usize>K << 2;
    const zero = f32x4.splat(0);
    for (let ir = 0; ir < mc; ir += 3) {
      const rows = min(3, mc - ir);
      let r0 = a + ((<usize>(i0 + ir) * <usize>K + <usize>p0) << 2);
      let d = dst;
      if (rows == 3) {
        let r1 = r0 + lda, r2 = r1 + lda;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const x0 = v128.load(r0), x1 = v128.load(r1), x2 = v128.load(r2);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(x2, zero, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(x2, zero, 2, 6, 3, 7);
          const y0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), y1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
          const y2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), y3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
          v128.store64_lane(d, y0, 0, 0);  store<f32>(d, f32x4.extract_lane(y0, 2), 8);
          v128.store64_lane(d, y1, 0, 12); store<f32>(d, f32x4.extract_lane(y1, 2), 20);
          v128.store64_lane(d, y2, 0, 24); store<f32>(d, f32x4.extract_lane(y2, 2), 32);
          v128.store64_lane(d, y3, 0, 36); store<f32>(d, f32x4.extract_lane(y3, 2), 44);
          r0 += 16; r1 += 16; r2 += 16; d += 48;
        }
        for (; k < kc; k++) {
          store<f32>(d, load<f32>(r0), 0);
          store<f32>(d, load<f32>(r1), 4);
          store<f32>(d, load<f32>(r2), 8);
          r0 += 4; r1 += 4; r2 += 4; d += 12;
        }
      } else {
        gemm_pack_a_edge(d, r0, lda, rows, 3, kc);
      }
      dst += <usize>kc * 12;
    }
  } else {
    // A stored K×M: for each k the 3 values i..i+2 are contiguous → one 64-bit and one 32-bit copy (reading exactly
    // those 3: a v128 load would read past A's last column), walked row by row of A as gemm_pack_a does (and why).
    // The strip-by-strip, per-element select loop this replaces made Aᵀ·B 10–40% slower than A·B for small products.
    const lda = <usize>M << 2;
    const stripBytes = <usize>kc * 12;
    const full = mc - mc % 3; // rows in full strips
    let s = a + ((<usize>p0 * <usize>M + <usize>i0) << 2);
    for (let k = 0; k < kc; k++) {
      let d = dst + <usize>k * 12;
      for (let ir = 0; ir < full; ir += 3) {
        const x = s + (<usize>ir << 2);
        store<u64>(d, load<u64>(x));
        store<f32>(d, load<f32>(x, 8), 8);
        d += stripBytes;
      }
      if (full < mc) {
        // Edge strip (< 3 rows left): scalar copy, missing rows zero.
        for (let r = 0; r < 3; r++) {
          store<f32>(d + (<usize>r << 2), full + r < mc ? load<f32>(s + (<usize>(full + r) << 2)) : <f32>0);
        }
      }
      s += lda;
    }
  }
}

// Pack op(B)[p0:p0+kc, j0:j0+nc] into PACK_B for the 12-column variants.
// Layout: strip s (columns j0+12s .. +11) at PACK_B + s·kc·48; within it,
// depth k at +k·48 holds [b(k,j) .. b(k,j+11)].
function gemm_pack_b12(PACK_B: usize, b: usize, K: i32, N: i32, transB: i32, j0: i32, nc: i32, p0: i32, kc: i32): void {
  let dst = PACK_B;
  if (transB == 0) {
    // B stored K×N: each k row of the strip is 12 contiguous floats.
    const ldb = <usize>N << 2;
    for (let jr = 0; jr < nc; jr += 12) {
      const cols = min(12, nc - jr);
      let s = b + ((<usize>p0 * <usize>N + <usize>(j0 + jr)) << 2);
      let d = dst;
      if (cols == 12) {
        for (let k = 0; k < kc; k++) {
          v128.store(d, v128.load(s, 0), 0);
          v128.store(d, v128.load(s, 16), 16);
          v128.store(d, v128.load(s, 32), 32);
          s += ldb; d += 48;
        }
      } else {
        // Edge strip (< 12 columns left): scalar copy, missing columns zero.
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < 12; c++) {
            store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(s + (<usize>c << 2)) : <f32>0);
          }
          s += ldb; d += 48;
        }
      }
      dst += <usize>kc * 48;
    }
  } else {
    // B stored N×K: each of the 12 columns j is a contiguous row in k →
    // three 4×4 transposes per 4 depths.
    const ldb = <usize>K << 2;
    for (let jr = 0; jr < nc; jr += 12) {
      const cols = min(12, nc - jr);
      const r0 = b + ((<usize>(j0 + jr) * <usize>K + <usize>p0) << 2);
      let d = dst;
      if (cols == 12) {
        let k = 0;
        let o: usize = 0; // byte offset of depth k in each source row
        for (; k + 4 <= kc; k += 4) {
          for (let g = 0; g < 3; g++) {
            const q = r0 + <usize>(4 * g) * ldb + o;
            const x0 = v128.load(q), x1 = v128.load(q + ldb), x2 = v128.load(q + 2 * ldb), x3 = v128.load(q + 3 * ldb);
            const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
            const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
            const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
            const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
            const e = d + (<usize>g << 4);
            v128.store(e, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), 0);
            v128.store(e, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 48);
            v128.store(e, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 96);
            v128.store(e, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 144);
          }
          o += 16; d += 192;
        }
        for (; k < kc; k++) {
          for (let c = 0; c < 12; c++) store<f32>(d + (<usize>c << 2), load<f32>(r0 + <usize>c * ldb + o));
          o += 4; d += 48;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < 12; c++) {
            store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(r0 + <usize>c * ldb + (<usize>k << 2)) : <f32>0);
          }
          d += 48;
        }
      }
      dst += <usize>kc * 48;
    }
  }
}

// ---------------------------------------------------------------------------
// Micro-kernel: C[mr×nr] (+)= Ap[kc×4] · Bp[kc×8], mr ≤ 4, nr ≤ 8.
//   pa: packed A strip (4 floats per k), pb: packed B strip (its first 8
//   floats per k; sb = bytes per k of the strip: 32, or 48 in 4×12's strips),
//   ldc = row stride of C in bytes,
//   add = 0 → store, add != 0 → C += result.
// ---------------------------------------------------------------------------
// @ts-ignore: decorator
@inline function gemm_kernel_4x8(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32, sb: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // One depth step per iteration, deliberately not unrolled in the source:
  // binaryen re-associates unrolled steps into per-accumulator chains, which
  // raises register pressure until V8 spills accumulators (-25 %). Inlined
  // into gemm (hence @inline), this loop is small enough for TurboFan to
  // unroll ×4 itself and hoist the splat address arithmetic out of it.
  const end = pa + (<usize>kc << 4);
  while (pa < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16; pb += sb;
  }

  if (mr == MR && nr == NR) {
    // Full tile: straight to C.
    let c0 = c, c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
    if (add) {
      c00 = f32x4.add(c00, v128.load(c0, 0)); c01 = f32x4.add(c01, v128.load(c0, 16));
      c10 = f32x4.add(c10, v128.load(c1, 0)); c11 = f32x4.add(c11, v128.load(c1, 16));
      c20 = f32x4.add(c20, v128.load(c2, 0)); c21 = f32x4.add(c21, v128.load(c2, 16));
      c30 = f32x4.add(c30, v128.load(c3, 0)); c31 = f32x4.add(c31, v128.load(c3, 16));
    }
    v128.store(c0, c00, 0); v128.store(c0, c01, 16);
    v128.store(c1, c10, 0); v128.store(c1, c11, 16);
    v128.store(c2, c20, 0); v128.store(c2, c21, 16);
    v128.store(c3, c30, 0); v128.store(c3, c31, 16);
  } else {
    // Edge tile: spill to the static tile buffer, copy the valid mr×nr part.
    v128.store(TILE, c00, 0);  v128.store(TILE, c01, 16);
    v128.store(TILE, c10, 32); v128.store(TILE, c11, 48);
    v128.store(TILE, c20, 64); v128.store(TILE, c21, 80);
    v128.store(TILE, c30, 96); v128.store(TILE, c31, 112);
    gemm_store_tile(TILE, 32, c, ldc, add, mr, nr);
  }
}

// Narrow edge micro-kernel for the last B strip when it has nr ≤ 4 columns
// (e.g. N = 100 → 12 strips of 8 + one of 4; N = 10 → 8 + 2): reads only the
// first half of each packed B row, so it does half the work of the 4×8 kernel.
// @ts-ignore: decorator
@inline function gemm_kernel_4x4(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32, sb: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const end = pa + (<usize>kc << 4);
  while (pa < end) {
    const b0 = v128.load(pb);
    c0 = madd(v128.load32_splat(pa, 0), b0, c0);
    c1 = madd(v128.load32_splat(pa, 4), b0, c1);
    c2 = madd(v128.load32_splat(pa, 8), b0, c2);
    c3 = madd(v128.load32_splat(pa, 12), b0, c3);
    pa += 16; pb += sb;
  }
  if (mr == MR && nr == 4) {
    const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
    if (add) {
      c0 = f32x4.add(c0, v128.load(c)); c1 = f32x4.add(c1, v128.load(r1));
      c2 = f32x4.add(c2, v128.load(r2)); c3 = f32x4.add(c3, v128.load(r3));
    }
    v128.store(c, c0); v128.store(r1, c1); v128.store(r2, c2); v128.store(r3, c3);
  } else {
    v128.store(TILE, c0, 0);  v128.store(TILE, c1, 32);
    v128.store(TILE, c2, 64); v128.store(TILE, c3, 96);
    gemm_store_tile(TILE, 32, c, ldc, add, mr, nr);
  }
}

// Micro-kernel 6×8: C[mr×nr] (+)= Ap[kc×6] · Bp[kc×8], mr ≤ 6, nr ≤ 8: 12
// f32x4 accumulators (12 independent madd chains instead of 8) and 8 loads per
// 12 madds (0.67 per madd, 4×8: 0.75). Each C element still sums its k terms
// in order from 0 with the same madd, so C is bit-identical to 4×8's.
// @ts-ignore: decorator
@inline function gemm_kernel_6x8(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  const end = pa + <usize>kc * 24;
  while (pa < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    pa += 24; pb += 32;
  }
  if (mr == 6 && nr == NR) {
    let c0 = c, c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
    if (add) {
      c00 = f32x4.add(c00, v128.load(c0, 0)); c01 = f32x4.add(c01, v128.load(c0, 16));
      c10 = f32x4.add(c10, v128.load(c1, 0)); c11 = f32x4.add(c11, v128.load(c1, 16));
      c20 = f32x4.add(c20, v128.load(c2, 0)); c21 = f32x4.add(c21, v128.load(c2, 16));
      c30 = f32x4.add(c30, v128.load(c3, 0)); c31 = f32x4.add(c31, v128.load(c3, 16));
      c40 = f32x4.add(c40, v128.load(c4, 0)); c41 = f32x4.add(c41, v128.load(c4, 16));
      c50 = f32x4.add(c50, v128.load(c5, 0)); c51 = f32x4.add(c51, v128.load(c5, 16));
    }
    v128.store(c0, c00, 0); v128.store(c0, c01, 16);
    v128.store(c1, c10, 0); v128.store(c1, c11, 16);
    v128.store(c2, c20, 0); v128.store(c2, c21, 16);
    v128.store(c3, c30, 0); v128.store(c3, c31, 16);
    v128.store(c4, c40, 0); v128.store(c4, c41, 16);
    v128.store(c5, c50, 0); v128.store(c5, c51, 16);
  } else {
    v128.store(TILE, c00, 0);   v128.store(TILE, c01, 16);
    v128.store(TILE, c10, 32);  v128.store(TILE, c11, 48);
    v128.store(TILE, c20, 64);  v128.store(TILE, c21, 80);
    v128.store(TILE, c30, 96);  v128.store(TILE, c31, 112);
    v128.store(TILE, c40, 128); v128.store(TILE, c41, 144);
    v128.store(TILE, c50, 160); v128.store(TILE, c51, 176);
    gemm_store_tile(TILE, 32, c, ldc, add, mr, nr);
  }
}

// The 6-row kernel's narrow edge (last B strip of nr ≤ 4 columns), as 4×4 is 4×8's.
// @ts-ignore: decorator
@inline function gemm_kernel_6x4(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  const end = pa + <usize>kc * 24;
  while (pa < end) {
    const b0 = v128.load(pb);
    c0 = madd(v128.load32_splat(pa, 0), b0, c0);
    c1 = madd(v128.load32_splat(pa, 4), b0, c1);
    c2 = madd(v128.load32_splat(pa, 8), b0, c2);
    c3 = madd(v128.load32_splat(pa, 12), b0, c3);
    c4 = madd(v128.load32_splat(pa, 16), b0, c4);
    c5 = madd(v128.load32_splat(pa, 20), b0, c5);
    pa += 24; pb += 32;
  }
  v128.store(TILE, c0, 0);   v128.store(TILE, c1, 32);
  v128.store(TILE, c2, 64);  v128.store(TILE, c3, 96);
  v128.store(TILE, c4, 128); v128.store(TILE, c5, 160);
  gemm_store_tile(TILE, 32, c, ldc, add, mr, nr);
}

// Micro-kernel 4×12: C[mr×nr] (+)= Ap[kc×4] · Bp[kc×12], mr ≤ 4, nr ≤ 12: 12
// accumulators and 7 loads per 12 madds (0.58 per madd); same per-element order.
// @ts-ignore: decorator
@inline function gemm_kernel_4x12(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0), c32 = f32x4.splat(0);
  const end = pa + (<usize>kc << 4);
  while (pa < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32);
    let a = v128.load32_splat(pa, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); c22 = madd(a, b2, c22);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31); c32 = madd(a, b2, c32);
    pa += 16; pb += 48;
  }
  if (mr == MR && nr == 12) {
    let c0 = c, c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
    if (add) {
      c00 = f32x4.add(c00, v128.load(c0, 0)); c01 = f32x4.add(c01, v128.load(c0, 16)); c02 = f32x4.add(c02, v128.load(c0, 32));
      c10 = f32x4.add(c10, v128.load(c1, 0)); c11 = f32x4.add(c11, v128.load(c1, 16)); c12 = f32x4.add(c12, v128.load(c1, 32));
      c20 = f32x4.add(c20, v128.load(c2, 0)); c21 = f32x4.add(c21, v128.load(c2, 16)); c22 = f32x4.add(c22, v128.load(c2, 32));
      c30 = f32x4.add(c30, v128.load(c3, 0)); c31 = f32x4.add(c31, v128.load(c3, 16)); c32 = f32x4.add(c32, v128.load(c3, 32));
    }
    v128.store(c0, c00, 0); v128.store(c0, c01, 16); v128.store(c0, c02, 32);
    v128.store(c1, c10, 0); v128.store(c1, c11, 16); v128.store(c1, c12, 32);
    v128.store(c2, c20, 0); v128.store(c2, c21, 16); v128.store(c2, c22, 32);
    v128.store(c3, c30, 0); v128.store(c3, c31, 16); v128.store(c3, c32, 32);
  } else {
    v128.store(TILE, c00, 0);   v128.store(TILE, c01, 16);  v128.store(TILE, c02, 32);
    v128.store(TILE, c10, 48);  v128.store(TILE, c11, 64);  v128.store(TILE, c12, 80);
    v128.store(TILE, c20, 96);  v128.store(TILE, c21, 112); v128.store(TILE, c22, 128);
    v128.store(TILE, c30, 144); v128.store(TILE, c31, 160); v128.store(TILE, c32, 176);
    gemm_store_tile(TILE, 48, c, ldc, add, mr, nr);
  }
}

// Micro-kernel 3×12: C[mr×nr] (+)= Ap[kc×3] · Bp[kc×12], mr ≤ 3, 8 < nr ≤ 12:
// 9 accumulators + 3 B + 3 A splats = 15 live v128 (V8 on x64 has 15 to
// allocate), 6 loads per 9 madds (0.67 per madd); same per-element order.
// @ts-ignore: decorator
@inline function gemm_kernel_3x12(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  const end = pa + <usize>kc * 12;
  while (pa < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32);
    let a = v128.load32_splat(pa, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); c22 = madd(a, b2, c22);
    pa += 12; pb += 48;
  }
  if (mr == 3 && nr == 12) {
    let c0 = c, c1 = c + ldc, c2 = c1 + ldc;
    if (add) {
      c00 = f32x4.add(c00, v128.load(c0, 0)); c01 = f32x4.add(c01, v128.load(c0, 16)); c02 = f32x4.add(c02, v128.load(c0, 32));
      c10 = f32x4.add(c10, v128.load(c1, 0)); c11 = f32x4.add(c11, v128.load(c1, 16)); c12 = f32x4.add(c12, v128.load(c1, 32));
      c20 = f32x4.add(c20, v128.load(c2, 0)); c21 = f32x4.add(c21, v128.load(c2, 16)); c22 = f32x4.add(c22, v128.load(c2, 32));
    }
    v128.store(c0, c00, 0); v128.store(c0, c01, 16); v128.store(c0, c02, 32);
    v128.store(c1, c10, 0); v128.store(c1, c11, 16); v128.store(c1, c12, 32);
    v128.store(c2, c20, 0); v128.store(c2, c21, 16); v128.store(c2, c22, 32);
  } else {
    v128.store(TILE, c00, 0);  v128.store(TILE, c01, 16); v128.store(TILE, c02, 32);
    v128.store(TILE, c10, 48); v128.store(TILE, c11, 64); v128.store(TILE, c12, 80);
    v128.store(TILE, c20, 96); v128.store(TILE, c21, 112); v128.store(TILE, c22, 128);
    gemm_store_tile(TILE, 48, c, ldc, add, mr, nr);
  }
}

// The 3-row kernel on the last strip of a 12-wide B panel when it has ≤ 8 columns (N = 100 → 8 × 12 + 4):
// the first 8 floats of each packed row, into 6 accumulators.
// @ts-ignore: decorator
@inline function gemm_kernel_3x8(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  const end = pa + <usize>kc * 12;
  while (pa < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    pa += 12; pb += 48;
  }
  v128.store(TILE, c00, 0);  v128.store(TILE, c01, 16);
  v128.store(TILE, c10, 48); v128.store(TILE, c11, 64);
  v128.store(TILE, c20, 96); v128.store(TILE, c21, 112);
  gemm_store_tile(TILE, 48, c, ldc, add, mr, nr);
}

// Micro-kernel 5×8: C[mr×nr] (+)= Ap[kc×5] · Bp[kc×8], mr ≤ 5, nr ≤ 8: 10
// accumulators. Rows 0–3 take their A value from one v128 load, broadcast lane
// by lane with a shuffle; row 4 from a splat load. The same madd per C element
// in the same k order as 4×8: bit-identical.
// @ts-ignore: decorator
@inline function gemm_kernel_5x8(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  const end = pa + <usize>kc * 20;
  while (pa < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    const av = v128.load(pa, 0);
    let a = v128.shuffle<f32>(av, av, 0, 0, 0, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.shuffle<f32>(av, av, 1, 1, 1, 1);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.shuffle<f32>(av, av, 2, 2, 2, 2);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.shuffle<f32>(av, av, 3, 3, 3, 3);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    pa += 20; pb += 32;
  }
  if (mr == 5 && nr == NR) {
    let c0 = c, c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc;
    if (add) {
      c00 = f32x4.add(c00, v128.load(c0, 0)); c01 = f32x4.add(c01, v128.load(c0, 16));
      c10 = f32x4.add(c10, v128.load(c1, 0)); c11 = f32x4.add(c11, v128.load(c1, 16));
      c20 = f32x4.add(c20, v128.load(c2, 0)); c21 = f32x4.add(c21, v128.load(c2, 16));
      c30 = f32x4.add(c30, v128.load(c3, 0)); c31 = f32x4.add(c31, v128.load(c3, 16));
      c40 = f32x4.add(c40, v128.load(c4, 0)); c41 = f32x4.add(c41, v128.load(c4, 16));
    }
    v128.store(c0, c00, 0); v128.store(c0, c01, 16);
    v128.store(c1, c10, 0); v128.store(c1, c11, 16);
    v128.store(c2, c20, 0); v128.store(c2, c21, 16);
    v128.store(c3, c30, 0); v128.store(c3, c31, 16);
    v128.store(c4, c40, 0); v128.store(c4, c41, 16);
  } else {
    v128.store(TILE, c00, 0);   v128.store(TILE, c01, 16);
    v128.store(TILE, c10, 32);  v128.store(TILE, c11, 48);
    v128.store(TILE, c20, 64);  v128.store(TILE, c21, 80);
    v128.store(TILE, c30, 96);  v128.store(TILE, c31, 112);
    v128.store(TILE, c40, 128); v128.store(TILE, c41, 144);
    gemm_store_tile(TILE, 32, c, ldc, add, mr, nr);
  }
}

// The 5-row kernel's narrow edge (last B strip of nr ≤ 4 columns), as 4×4 is 4×8's.
// @ts-ignore: decorator
@inline function gemm_kernel_5x4(TILE: usize, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0), c4 = f32x4.splat(0);
  const end = pa + <usize>kc * 20;
  while (pa < end) {
    const b0 = v128.load(pb);
    c0 = madd(v128.load32_splat(pa, 0), b0, c0);
    c1 = madd(v128.load32_splat(pa, 4), b0, c1);
    c2 = madd(v128.load32_splat(pa, 8), b0, c2);
    c3 = madd(v128.load32_splat(pa, 12), b0, c3);
    c4 = madd(v128.load32_splat(pa, 16), b0, c4);
    pa += 20; pb += 32;
  }
  v128.store(TILE, c0, 0);   v128.store(TILE, c1, 32);
  v128.store(TILE, c2, 64);  v128.store(TILE, c3, 96);
  v128.store(TILE, c4, 128);
  gemm_store_tile(TILE, 32, c, ldc, add, mr, nr);
}

// Copy the valid mr×nr corner of TILE (row stride ts bytes) into C.
function gemm_store_tile(TILE: usize, ts: usize, c: usize, ldc: usize, add: i32, mr: i32, nr: i32): void {
  for (let i = 0; i < mr; i++) {
    const t = TILE + <usize>i * ts;
    const cr = c + <usize>i * ldc;
    if (add) {
      for (let j = 0; j < nr; j++) {
        const o = <usize>j << 2;
        store<f32>(cr + o, load<f32>(cr + o) + load<f32>(t + o));
      }
    } else {
      for (let j = 0; j < nr; j++) {
        const o = <usize>j << 2;
        store<f32>(cr + o, load<f32>(t + o));
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------

/**
 * C[M×N] = (accumulate ? C : 0) + op(A)·op(B); see the header for layouts.
 */
export function gemm(c: usize, a: usize, b: usize, M: i32, N: i32, K: i32, transA: i32, transB: i32, accumulate: i32): void {
  gemm_part(c, a, b, M, N, K, transA, transB, accumulate, 0, M, 0, N, SCRATCH0);
}

/**
 * The block C[i0:i1, j0:j1] of the same product, with the caller's scratch
 * (SCRATCH_BYTES at a 16-byte aligned address; 0 → thread 0's static scratch).
 * The K blocking depends on K only, so any split of M/N gives bit-identical C.
 */
export function gemm_part(c: usize, a: usize, b: usize, M: i32, N: i32, K: i32, transA: i32, transB: i32, accumulate: i32,
                          i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize): void {
  if (scratch == 0) scratch = SCRATCH0;
  const PACK_A = scratch;
  const PACK_B = scratch + PACK_A_BYTES;
  const TILE = PACK_B + PACK_B_BYTES;
  const Mp = i1 - i0, Np = j1 - j0;
  if (Mp <= 0 || Np <= 0) return;
  const ldc = <usize>N << 2;
  if (K <= 0) {
    if (!accumulate) for (let i = i0; i < i1; i++) memory.fill(c + ((<usize>i * <usize>N + <usize>j0) << 2), 0, <usize>Np << 2);
    return;
  }
  const v = load<i32>(VARIANT_CELL);
  // This variant's register tile mr×nr and block limits.
  const mr = v == V_6X8 ? 6 : v == V_3X12 ? 3 : v == V_5X8 ? 5 : MR, nr = v == V_4X12 || v == V_3X12 ? 12 : NR;
  const mcMax = mr == MR ? MC : mr == 5 ? MC5 : MC6, ncMax = nr == 12 ? NC12 : NC;
  const nb = (Np + ncMax - 1) / ncMax;
  const ncb = gemm_round_up((Np + nb - 1) / nb, nr);
  // The K blocking depends on K only (never on the variant or the M/N split): it fixes the summation order.
  const kb = (K + KC - 1) / KC;
  const kcb = gemm_round_up((K + kb - 1) / kb, 4);
  const mb = (Mp + mcMax - 1) / mcMax;
  const mcb = gemm_round_up((Mp + mb - 1) / mb, mr);
  for (let jc = j0; jc < j1; jc += ncb) {
    const nc = min(ncb, j1 - jc);
    for (let pc = 0; pc < K; pc += kcb) {
      const kc = min(kcb, K - pc);
      const add = accumulate != 0 || pc != 0 ? 1 : 0;
      if (nr == 12) gemm_pack_b12(PACK_B, b, K, N, transB, jc, nc, pc, kc);
      else gemm_pack_b(PACK_B, b, K, N, transB, jc, nc, pc, kc);
      for (let ic = i0; ic < i1; ic += mcb) {
        const mc = min(mcb, i1 - ic);
        const cp = c + ((<usize>ic * <usize>N + <usize>jc) << 2);
        if (v == V_6X8) {
          gemm_pack_a6(PACK_A, a, K, M, transA, ic, mc, pc, kc);
          gemm_macro_6x8(TILE, PACK_A, PACK_B, cp, ldc, add, mc, nc, kc);
        } else if (v == V_3X12) {
          gemm_pack_a3(PACK_A, a, K, M, transA, ic, mc, pc, kc);
          gemm_macro_3x12(TILE, PACK_A, PACK_B, cp, ldc, add, mc, nc, kc);
        } else if (v == V_5X8) {
          gemm_pack_a5(PACK_A, a, K, M, transA, ic, mc, pc, kc);
          gemm_macro_5x8(TILE, PACK_A, PACK_B, cp, ldc, add, mc, nc, kc);
        } else {
          gemm_pack_a(PACK_A, a, K, M, transA, ic, mc, pc, kc);
          if (v == V_4X12) gemm_macro_4x12(TILE, PACK_A, PACK_B, cp, ldc, add, mc, nc, kc);
          else gemm_macro_4x8(TILE, PACK_A, PACK_B, cp, ldc, add, mc, nc, kc);
        }
      }
    }
  }
}

// Macro-kernels: C[0:mc, 0:nc] (+)= PACK_A · PACK_B over one depth block, micro-tile by micro-tile (c = the
// block's top-left element, ldc = row stride of C in bytes). One function per variant, so that TurboFan compiles
// and register-allocates each micro-kernel loop on its own.
function gemm_macro_4x8(TILE: usize, PACK_A: usize, PACK_B: usize, c: usize, ldc: usize, add: i32, mc: i32, nc: i32, kc: i32): void {
  let pb = PACK_B;
  const strideA = <usize>kc << 4;
  const strideB = <usize>kc << 5;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let pa = PACK_A;
    let cp = c + (<usize>jr << 2);
    if (nr > 4) {
      for (let ir = 0; ir < mc; ir += MR) {
        gemm_kernel_4x8(TILE, kc, pa, pb, cp, ldc, add, min(MR, mc - ir), nr, 32);
        pa += strideA;
        cp += ldc << 2;
      }
    } else {
      for (let ir = 0; ir < mc; ir += MR) {
        gemm_kernel_4x4(TILE, kc, pa, pb, cp, ldc, add, min(MR, mc - ir), nr, 32);
        pa += strideA;
        cp += ldc << 2;
      }
    }
    pb += strideB;
  }
}

function gemm_macro_6x8(TILE: usize, PACK_A: usize, PACK_B: usize, c: usize, ldc: usize, add: i32, mc: i32, nc: i32, kc: i32): void {
  let pb = PACK_B;
  const strideA = <usize>kc * 24;
  const strideB = <usize>kc << 5;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let pa = PACK_A;
    let cp = c + (<usize>jr << 2);
    if (nr > 4) {
      for (let ir = 0; ir < mc; ir += 6) {
        gemm_kernel_6x8(TILE, kc, pa, pb, cp, ldc, add, min(6, mc - ir), nr);
        pa += strideA;
        cp += ldc * 6;
      }
    } else {
      for (let ir = 0; ir < mc; ir += 6) {
        gemm_kernel_6x4(TILE, kc, pa, pb, cp, ldc, add, min(6, mc - ir), nr);
        pa += strideA;
        cp += ldc * 6;
      }
    }
    pb += strideB;
  }
}

function gemm_macro_5x8(TILE: usize, PACK_A: usize, PACK_B: usize, c: usize, ldc: usize, add: i32, mc: i32, nc: i32, kc: i32): void {
  let pb = PACK_B;
  const strideA = <usize>kc * 20;
  const strideB = <usize>kc << 5;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let pa = PACK_A;
    let cp = c + (<usize>jr << 2);
    if (nr > 4) {
      for (let ir = 0; ir < mc; ir += 5) {
        gemm_kernel_5x8(TILE, kc, pa, pb, cp, ldc, add, min(5, mc - ir), nr);
        pa += strideA;
        cp += ldc * 5;
      }
    } else {
      for (let ir = 0; ir < mc; ir += 5) {
        gemm_kernel_5x4(TILE, kc, pa, pb, cp, ldc, add, min(5, mc - ir), nr);
        pa += strideA;
        cp += ldc * 5;
      }
    }
    pb += strideB;
  }
}

function gemm_macro_4x12(TILE: usize, PACK_A: usize, PACK_B: usize, c: usize, ldc: usize, add: i32, mc: i32, nc: i32, kc: i32): void {
  let pb = PACK_B;
  const strideA = <usize>kc << 4;
  const strideB = <usize>kc * 48;
  for (let jr = 0; jr < nc; jr += 12) {
    const nr = min(12, nc - jr);
    let pa = PACK_A;
    let cp = c + (<usize>jr << 2);
    // A last strip of ≤ 8 (≤ 4) columns runs the 4×8 (4×4) kernel on the first 8 (4) floats of each 12-wide row.
    if (nr > 8) {
      for (let ir = 0; ir < mc; ir += MR) {
        gemm_kernel_4x12(TILE, kc, pa, pb, cp, ldc, add, min(MR, mc - ir), nr);
        pa += strideA;
        cp += ldc << 2;
      }
    } else if (nr > 4) {
      for (let ir = 0; ir < mc; ir += MR) {
        gemm_kernel_4x8(TILE, kc, pa, pb, cp, ldc, add, min(MR, mc - ir), nr, 48);
        pa += strideA;
        cp += ldc << 2;
      }
    } else {
      for (let ir = 0; ir < mc; ir += MR) {
        gemm_kernel_4x4(TILE, kc, pa, pb, cp, ldc, add, min(MR, mc - ir), nr, 48);
        pa += strideA;
        cp += ldc << 2;
      }
    }
    pb += strideB;
  }
}

function gemm_macro_3x12(TILE: usize, PACK_A: usize, PACK_B: usize, c: usize, ldc: usize, add: i32, mc: i32, nc: i32, kc: i32): void {
  let pb = PACK_B;
  const strideA = <usize>kc * 12;
  const strideB = <usize>kc * 48;
  for (let jr = 0; jr < nc; jr += 12) {
    const nr = min(12, nc - jr);
    let pa = PACK_A;
    let cp = c + (<usize>jr << 2);
    if (nr > 8) {
      for (let ir = 0; ir < mc; ir += 3) {
        gemm_kernel_3x12(TILE, kc, pa, pb, cp, ldc, add, min(3, mc - ir), nr);
        pa += strideA;
        cp += ldc * 3;
      }
    } else {
      for (let ir = 0; ir < mc; ir += 3) {
        gemm_kernel_3x8(TILE, kc, pa, pb, cp, ldc, add, min(3, mc - ir), nr);
        pa += strideA;
        cp += ldc * 3;
      }
    }
    pb += strideB;
  }
}

// @ts-ignore: decorator
@inline function gemm_round_up(x: i32, m: i32): i32 {
  return (x + m - 1) / m * m;
}

/** y[i,j] += bias[j] for a B×N matrix y. */
export function bias_forward(y: usize, bias: usize, B: i32, N: i32): void {
  const n4 = N & ~3;
  for (let i = 0; i < B; i++) {
    const row = y + ((<usize>i * <usize>N) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(row + o, f32x4.add(v128.load(row + o), v128.load(bias + o)));
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      store<f32>(row + o, load<f32>(row + o) + load<f32>(bias + o));
    }
  }
}

/** db[j] = Σ_i dy[i,j] for a B×N matrix dy (db is overwritten). */
export function bias_backward(db: usize, dy: usize, B: i32, N: i32): void {
  if (N <= 0) return;
  if (B <= 0) { memory.fill(db, 0, <usize>N << 2); return; }
  const n4 = N & ~3;
  // Row 0 initialises db, later rows add into it: contiguous reads of dy.
  memory.copy(db, dy, <usize>N << 2);
  for (let i = 1; i < B; i++) {
    const row = dy + ((<usize>i * <usize>N) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(row + o)));
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      store<f32>(db + o, load<f32>(db + o) + load<f32>(row + o));
    }
  }
}

// The threads' shared memory: one shared WebAssembly.Memory for the process (or page), the main thread's module
// instance on it, and the allocator every threaded backend takes its blocks from (first fit over a free list,
// else a bump pointer; a backend's blocks come back by dispose() or when it is garbage-collected).
import { BackendError } from '../../errors.js';
import { align, describeBytes, PAGE, tooLarge } from './limits.js';

/** A backend's blocks, while the heap tracks them (see SharedHeap.track). */
interface Tracked {
  blocks: [number, number][];
}

/**
 * The shared memory, the main thread's instance on it, and its allocator. Sizes are float64 (limits.ts) and
 * checked against the memory's maximum before anything moves: a block that does not fit is a MemoryError with the
 * bump pointer, the free list and every block as they were.
 */
export class SharedHeap {
  readonly memory: WebAssembly.Memory;
  readonly exports: Record<string, unknown>;
  /** Bytes the memory may grow to (its maximum pages). */
  readonly limit: number;
  private top: number;
  /** Free blocks [ptr, bytes], sorted by ptr, merged when adjacent. */
  private free: [number, number][] = [];
  /** Every SharedArrayBuffer object `memory.buffer` has been (a new one after each grow; all stay valid). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private current: ArrayBufferLike;
  readonly scratchBytes: number;
  /** The blocks of every live (not disposed, not yet finalized) backend, by its block list. */
  private readonly tracked = new Map<[number, number][], Tracked>();
  /** Returns a GC'd backend's blocks to the heap. */
  private readonly released = new FinalizationRegistry<Tracked>((t) => this.untrackEntry(t));

  constructor(
    readonly module: WebAssembly.Module,
    initialPages: number,
    maximumPages: number,
  ) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
    this.limit = maximumPages * PAGE;
    try {
      this.exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports;
    } catch (e) {
      throw new BackendError(`the threaded kernels do not instantiate on shared memory: ${(e as Error).message}`);
    }
    this.current = this.memory.buffer;
    this.buffers.add(this.current);
    this.top = align((this.exports.heap_base as () => number)());
    this.scratchBytes = (this.exports.gemm_scratch_bytes as () => number)();
  }

  get buffer(): ArrayBufferLike {
    return this.current;
  }

  owns(buffer: ArrayBufferLike): boolean {
    return buffer === this.current || this.buffers.has(buffer);
  }

  /**
   * The block list of a backend: its blocks come back to the heap by `untrack` (dispose) or, failing that, when the
   * garbage collector finalizes the backend.
   */
  track(owner: object): [number, number][] {
    // (No WeakRef to the owner: one made in a synchronous job keeps its target alive until the job ends.)
    const t: Tracked = { blocks: [] };
    this.tracked.set(t.blocks, t);
    this.released.register(owner, t, t);
    return t.blocks;
  }

  /** Returns a backend's blocks now (dispose). */
  untrack(blocks: [number, number][]): void {
    const t = this.tracked.get(blocks);
    if (t === undefined) return;
    this.released.unregister(t);
    this.untrackEntry(t);
  }

  private untrackEntry(t: Tracked): void {
    if (!this.tracked.delete(t.blocks)) return; // already returned
    this.release(t.blocks.splice(0));
  }

  /**
   * A zero-filled block of `bytes` (16-byte aligned), reusing freed blocks first. Every block is cleared: memory
   * above the bump pointer is not necessarily fresh, since freed blocks at the top lower the pointer.
   * Throws a MemoryError, changing nothing, when it does not fit.
   */
  take(bytes: number): number {
    const requested = bytes;
    bytes = align(bytes);
    const ptr = this.fit(bytes);
    if (ptr < 0) throw this.tooLarge('alloc', requested);
    new Uint8Array(this.current, ptr, bytes).fill(0);
    return ptr;
  }

  /** First fit in the free list, else at the top (growing memory): the block's pointer, or −1 if it cannot fit. */
  private fit(bytes: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const [at, size] = this.free[i];
      if (size < bytes) continue;
      if (size === bytes) this.free.splice(i, 1);
      else this.free[i] = [at + bytes, size - bytes];
      return at;
    }
    const ptr = this.top;
    if (ptr + bytes > this.limit || !this.ensure(ptr + bytes)) return -1;
    this.top = ptr + bytes;
    return ptr;
  }

  /** Grows memory (by half again at least) so that `end` bytes fit; false if the engine refuses. */
  ensure(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end > this.limit) return false;
    if (end > have) {
      const want = Math.min(this.limit, Math.max(end, Math.floor(have * 1.5)));
      try {
        this.memory.grow(Math.ceil((want - have) / PAGE));
      } catch {
        try {
          this.memory.grow(Math.ceil((end - have) / PAGE));
        } catch (e) {
          this.refused = e;
          return false;
        }
      }
    }
    const b = this.memory.buffer;
    if (b !== this.current) {
      this.current = b;
      this.buffers.add(b);
    }
    return true;
  }
  /** Why the engine last refused to grow memory (for the error message). */
  private refused: unknown;

  /**
   * Room for `bytes` more (a net reserves what it will allocate), so that allocations of that many bytes in all
   * cannot fail: at the top (growing memory), or in one free block that large (first fit then serves every one of
   * them from it or from smaller holes before it). Throws a MemoryError, changing nothing, when neither has room.
   */
  reserve(bytes: number): void {
    bytes = align(bytes);
    if (this.free.some(([, size]) => size >= bytes)) return;
    if (!this.ensure(this.top + bytes)) throw this.tooLarge('reserve', bytes);
  }

  private tooLarge(what: string, bytes: number): Error {
    const used = this.usedBytes();
    const engine = this.top + bytes <= this.limit ? this.refused : undefined;
    const e = tooLarge(`shared wasm memory ${what}`, bytes, used, this.limit, "the threads' shared memory", engine);
    const holes = this.top - used,
      largest = this.largestFreeBlock();
    e.message +=
      `; ${describeBytes(holes)} are free below the top (largest block ${describeBytes(largest)}). ` +
      "Call dispose() on nets you no longer use: a dropped net's memory comes back only when the garbage " +
      'collector finalizes it, which needs the event loop to run (an await), never inside a synchronous loop';
    return e;
  }

  release(blocks: [number, number][]): void {
    for (const [ptr, bytes] of blocks) {
      if (bytes === 0) continue;
      let i = 0;
      while (i < this.free.length && this.free[i][0] < ptr) i++;
      this.free.splice(i, 0, [ptr, bytes]);
      // merge with the next, then with the previous block
      if (i + 1 < this.free.length && ptr + bytes === this.free[i + 1][0]) {
        this.free[i][1] += this.free[i + 1][1];
        this.free.splice(i + 1, 1);
      }
      if (i > 0 && this.free[i - 1][0] + this.free[i - 1][1] === ptr) {
        this.free[i - 1][1] += this.free[i][1];
        this.free.splice(i, 1);
        i--;
      }
      // a free block at the top goes back to the bump pointer
      const last = this.free[this.free.length - 1];
      if (last && last[0] + last[1] === this.top) {
        this.top = last[0];
        this.free.pop();
      }
    }
  }

  /** Bytes of the largest free block below the bump pointer (0 if none): a block larger comes from the top. */
  largestFreeBlock(): number {
    return this.free.reduce((m, [, b]) => Math.max(m, b), 0);
  }

  /** Bytes below the bump pointer that are in use (for tests: blocks come back when backends are collected). */
  usedBytes(): number {
    return this.top - this.free.reduce((s, [, b]) => s + b, 0);
  }
}

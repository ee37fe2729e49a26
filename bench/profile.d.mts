// Types of bench/profile.mjs, for the test that imports it (test/bench/profile.test.ts).
export interface KernelProfile {
  /** Milliseconds per kernel name since the last reset. */
  readonly ms: Record<string, number>;
  /** Calls per kernel name since the last reset. */
  readonly calls: Record<string, number>;
  /** With `perCall`: the milliseconds of each call since the last reset, in call order (else empty). */
  readonly callMs: number[];
  reset(): void;
}
export function profileKernels(
  backend: object,
  names: readonly string[],
  options?: { perCall?: boolean },
): KernelProfile;

/** Per kernel call since the last reset: whether it ran as a job of the backend's thread pool. */
export interface PoolJobCalls {
  readonly split: boolean[];
  reset(): void;
}
export function poolJobCalls(backend: object, names: readonly string[]): PoolJobCalls;

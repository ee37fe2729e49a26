// Types of bench/profile.mjs, for the test that imports it (test/bench/profile.test.ts).
export interface KernelProfile {
  /** Milliseconds per kernel name since the last reset. */
  readonly ms: Record<string, number>;
  /** Calls per kernel name since the last reset. */
  readonly calls: Record<string, number>;
  reset(): void;
}
export function profileKernels(backend: object, names: readonly string[]): KernelProfile;

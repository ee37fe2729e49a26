// Long loops (the Trainer, the experiments' own training loops) give the event loop a turn now and then, so that
// timers, progress redraws and an AbortSignal (Ctrl-C) are not starved.

/** Yield to the event loop this often (ms), so timers, signals and redraws get their turn. */
export const YIELD_EVERY_MS = 50;

/** A macrotask turn: resolves after every pending timer and I/O callback had its chance. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

// A fake output stream for running commands in-process; `onWrite` sees each chunk (to react to a progress line).
import type { Writer } from '../../src/cli/args.js';

export interface Sink extends Writer {
  readonly text: string;
  readonly lines: string[];
}

export function sink(onWrite?: (chunk: string) => void): Sink {
  const chunks: string[] = [];
  return {
    isTTY: false,
    write(chunk: string) {
      chunks.push(chunk);
      onWrite?.(chunk);
      return true;
    },
    get text() { return chunks.join(''); },
    get lines() { return chunks.join('').split('\n').filter((l) => l !== ''); },
  };
}

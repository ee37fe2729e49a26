// Test helpers for the command line: a fake output stream for running commands in-process, and the built CLI
// (dist/cli.js) spawned as a user runs it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Writer } from '../../src/cli/args.js';

/** The built CLI. */
export const CLI = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'cli.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the built CLI in folder `cwd`; `onStdout` may act on the running child (signal it, close its stdout). */
export function spawnCli(
  cwd: string,
  args: string[],
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// A fake output stream for running commands in-process; `onWrite` sees each chunk (to react to a progress line).

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
    get text() {
      return chunks.join('');
    },
    get lines() {
      return chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '');
    },
  };
}

#!/usr/bin/env node
// The `zerodl` command: dispatch to train / eval / predict / experiment / search, and the one place that turns errors
// into exit codes: 2 for a wrong command line (with the usage), 1 for any ZerodlError or file-system error
// (one line, no stack trace), 128 + the signal's number for a run stopped by SIGINT (130), SIGTERM (143) or
// SIGHUP (129), and 141 (128 + SIGPIPE) when stdout was closed (`zerodl train | head -1`). The bundle entry
// (dist/cli.js).
import { readFileSync, realpathSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { pathToFileURL } from 'node:url';
import { ZerodlError } from '../errors.js';
import { installNode } from '../install.node.js';
import { enableRelaxedSimd, initFromEnv } from './engine.js';
import { type CliIO, UsageError } from './args.js';
import { EVAL_USAGE, runEval } from './eval.js';
import { experimentUsage, runExperimentCommand } from './experiment.js';
import { PREDICT_USAGE, runPredict } from './predict.js';
import { runSearchCommand, SEARCH_USAGE } from './search.js';
import { runTrain, TRAIN_USAGE } from './train.js';

installNode(); // the CLI is Node: the kernels' wasm, threads and model files the Node way (src/host.ts)

const COMMANDS: Record<
  string,
  { run: (argv: string[], io: CliIO) => Promise<number>; usage: () => string; interruptible: boolean }
> = {
  train: { run: runTrain, usage: () => TRAIN_USAGE, interruptible: true },
  eval: { run: runEval, usage: () => EVAL_USAGE, interruptible: false },
  predict: { run: runPredict, usage: () => PREDICT_USAGE, interruptible: false },
  experiment: { run: runExperimentCommand, usage: experimentUsage, interruptible: true },
  search: { run: runSearchCommand, usage: () => SEARCH_USAGE, interruptible: false },
};

export const USAGE = `Usage: zerodl <command> [options]

Chapter 6 of Deep Learning from Scratch: fully connected nets on MNIST with SIMD wasm kernels.

Commands
  train                  train a net (every option of the book's MultiLayerNetExtend and Trainer)
  eval --model FILE      test accuracy of a saved model
  predict --model FILE   classify one test image and draw it
  experiment <name>      re-run one of the chapter's experiments (\`zerodl experiment list\`)
  search merge <dir>...  combine the shards of a hyperparameter search into one report

  zerodl <command> --help   options of a command
  zerodl --version          the version`;

/** The package version, from the package.json above this file (dist/cli.js or src/cli/main.ts). */
export function version(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'zerodl' && pkg.version) return pkg.version;
    } catch {
      // not there: try the next level up
    }
  }
  return 'unknown';
}

/** Runs the command line `argv` (without node and the script); returns the exit code. Never throws expected errors. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  let command: string | undefined;
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      (first === undefined ? io.stderr : io.stdout).write(USAGE + '\n');
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-v') {
      io.stdout.write(version() + '\n');
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, first)) {
      throw new UsageError(
        first.startsWith('-')
          ? `unknown option '${first}' (expected a command first)`
          : `unknown command '${first}': expected one of ${Object.keys(COMMANDS).join(', ')}`,
      );
    }
    command = first;
    await initFromEnv(); // ZERODL_SIMD=simd|relaxed-simd: that binary, before the command's own init()
    return await COMMANDS[first].run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const cmd = error.command ?? command;
      io.stderr.write(`zerodl: ${error.message}\n\n${cmd ? COMMANDS[cmd].usage() : USAGE}\n`);
      return 2;
    }
    if (error instanceof ZerodlError || isSystemError(error)) {
      io.stderr.write(`zerodl: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

/** A file-system error (ENOENT, EACCES, ENOSPC, …): the user's to fix, so no stack trace. */
function isSystemError(error: unknown): boolean {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!) &&
    'syscall' in error
  );
}

/** Signals that stop a run the way Ctrl-C does: after the current step, still reporting and saving. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const PIPE_CLOSED = 128 + osConstants.signals.SIGPIPE;

/**
 * A process stream as a Writer that never throws or emits an unhandled error: once a write fails (EPIPE: the reader
 * went away; EIO: the terminal closed), later writes are dropped and `onClosed` is called once.
 */
function guarded(stream: NodeJS.WriteStream, onClosed: () => void): CliIO['stdout'] {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    onClosed();
  };
  stream.on('error', close);
  return {
    write: (chunk: string) => (closed ? false : stream.write(chunk)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/**
 * As a process: real streams, SIGINT / SIGTERM / SIGHUP → abort (then, a second signal, exit at once), a closed
 * stdout → abort quietly, exit code.
 */
async function cli(): Promise<void> {
  enableRelaxedSimd(); // before the first wasm compile
  const argv = process.argv.slice(2);
  const controller = new AbortController();
  let stoppedBy: number | undefined; // the exit code the stop calls for
  const stop = (code: number, note?: string): void => {
    if (controller.signal.aborted) {
      if (note !== undefined) process.exit(code); // a second signal: quit at once
      return;
    }
    stoppedBy = code;
    controller.abort();
    if (note) io.stderr.write(note);
  };
  const io: CliIO = {
    stdout: guarded(process.stdout, () => stop(PIPE_CLOSED)),
    stderr: guarded(process.stderr, () => undefined),
    signal: controller.signal,
  };
  const handlers = STOP_SIGNALS.map((name) => {
    const code = 128 + osConstants.signals[name];
    const key = name === 'SIGINT' ? 'Ctrl-C' : name;
    return [
      name,
      () => stop(code, `\n${name}: stopping after the current step (${key} again to quit at once)\n`),
    ] as const;
  });
  // Only commands that check the signal keep these signals from ending the process at once.
  const interruptible = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) && COMMANDS[argv[0]].interruptible;
  if (interruptible) for (const [name, handler] of handlers) process.on(name, handler);
  try {
    const code = await main(argv, io);
    // An interrupted run returns 130 (the code of Ctrl-C); report the stop that really happened.
    process.exitCode = code === 130 && stoppedBy !== undefined ? stoppedBy : code;
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}

function isEntry(): boolean {
  try {
    return !!process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntry()) void cli();

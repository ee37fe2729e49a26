// The `zerodl` command: dispatch to train / eval / predict / experiment / search, and the one place that turns errors
// into exit codes: 2 for a wrong command line (with the usage), 1 for any ZerodlError or file-system error
// (one line, no stack trace), 130 for an interrupted run. The bundle entry (dist/cli.js).
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ZerodlError } from '../errors.js';
import { enableRelaxedSimd, initFromEnv } from './engine.js';
import { type CliIO, UsageError } from './args.js';
import { EVAL_USAGE, runEval } from './eval.js';
import { experimentUsage, runExperimentCommand } from './experiment.js';
import { PREDICT_USAGE, runPredict } from './predict.js';
import { runSearchCommand, SEARCH_USAGE } from './search.js';
import { runTrain, TRAIN_USAGE } from './train.js';

const COMMANDS: Record<string, { run: (argv: string[], io: CliIO) => Promise<number>; usage: () => string; interruptible: boolean }> = {
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
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
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
      throw new UsageError(first.startsWith('-') ? `unknown option '${first}' (expected a command first)`
        : `unknown command '${first}': expected one of ${Object.keys(COMMANDS).join(', ')}`);
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
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!) && 'syscall' in error;
}

/** As a process: real streams, Ctrl-C → abort (then, a second time, exit at once), exit code. */
async function cli(): Promise<void> {
  enableRelaxedSimd(); // before the first wasm compile
  const argv = process.argv.slice(2);
  const controller = new AbortController();
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, signal: controller.signal };
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    process.stderr.write('\nstopping after the current step (Ctrl-C again to quit at once)\n');
  };
  // Only commands that check the signal keep Ctrl-C from ending the process at once.
  if (argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) && COMMANDS[argv[0]].interruptible) {
    process.on('SIGINT', onSigint);
  }
  try {
    process.exitCode = await main(argv, io);
  } finally {
    process.off('SIGINT', onSigint);
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

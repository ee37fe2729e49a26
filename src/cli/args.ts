// Command-line parsing: Node's util.parseArgs (strict) plus value checks that name the flag. A bad command line
// is a UsageError (exit code 2, printed with the command's usage); everything else a command throws is not.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValueError } from '../errors.js';
import { parseShard } from '../experiments/search/plan.js';

/** The command line is wrong: unknown flag, missing or bad value. `command` selects the usage text to print. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What a command writes to; tests pass string sinks, main.ts the process streams. */
export interface CliIO {
  stdout: Writer;
  stderr: Writer;
  /** Stops training (Ctrl-C); main.ts wires SIGINT to it. */
  signal?: AbortSignal;
}

export interface Writer {
  write(chunk: string): unknown;
  /** True when the stream is a terminal (progress bars, colours); absent means no. */
  isTTY?: boolean;
  columns?: number;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** util.parseArgs in strict mode, with its errors turned into UsageErrors for `command`. */
export function parse(argv: string[], options: OptionSpec, command: string, maxPositionals = 0): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      strict: true,
      allowPositionals: maxPositionals > 0,
    });
  } catch (error) {
    // Node's messages are clear ("Unknown option '--foo'") but end with hints for script authors; keep line one.
    const message = (error as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(message, command);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`, command);
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

/**
 * `--lr -1` → `--lr=-1`: parseArgs refuses a value that starts with '-' as ambiguous; for a negative number it is
 * clearly the value, and the value check then says what is wrong with it.
 */
function joinNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i],
      next = argv[i + 1];
    const long = a.startsWith('--') ? a.slice(2) : undefined;
    const short =
      !long && /^-[a-zA-Z]$/.test(a) ? Object.keys(options).find((k) => options[k].short === a[1]) : undefined;
    const name = long ?? short;
    if (name && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

// ---- value checks: each takes the raw string and the flag name, returns the value or throws a UsageError -------

function bad(flag: string, value: string, expected: string, command?: string): never {
  throw new UsageError(`--${flag}: expected ${expected}, got '${value}'`, command);
}

/** A decimal number (no hex, no empty string, no trailing junk). */
function toNumber(value: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim()) ? Number(value) : NaN;
}

export function positiveNumber(value: string, flag: string, command?: string): number {
  const v = toNumber(value);
  if (!(Number.isFinite(v) && v > 0)) bad(flag, value, 'a number > 0', command);
  return v;
}

export function nonNegativeNumber(value: string, flag: string, command?: string): number {
  const v = toNumber(value);
  if (!(Number.isFinite(v) && v >= 0)) bad(flag, value, 'a number ≥ 0', command);
  return v;
}

/** A number in [0, 1) (dropout ratio), or (0, 1) when `open` (momentum, β). */
export function unitInterval(value: string, flag: string, command?: string, open = false): number {
  const v = toNumber(value);
  if (!(v < 1 && (open ? v > 0 : v >= 0))) bad(flag, value, `a number in ${open ? '(0, 1)' : '[0, 1)'}`, command);
  return v;
}

export function positiveInt(value: string, flag: string, command?: string): number {
  const v = toNumber(value);
  if (!(Number.isSafeInteger(v) && v > 0) || !/^\+?\d+$/.test(value.trim()))
    bad(flag, value, 'a positive integer', command);
  return v;
}

/** The most threads `init({ threads })` accepts (its own range check, repeated here so --threads is a usage error). */
export const MAX_THREADS = 256;

/** `--threads N`: an integer from 1 to MAX_THREADS. */
export function threadsFlag(value: string, flag: string, command?: string): number {
  const v = toNumber(value);
  if (!(Number.isSafeInteger(v) && v >= 1 && v <= MAX_THREADS) || !/^\+?\d+$/.test(value.trim())) {
    bad(flag, value, `an integer from 1 to ${MAX_THREADS}`, command);
  }
  return v;
}

export function integer(value: string, flag: string, command?: string): number {
  const v = toNumber(value);
  if (!Number.isSafeInteger(v) || !/^[+-]?\d+$/.test(value.trim())) bad(flag, value, 'an integer', command);
  return v;
}

export function nonNegativeInt(value: string, flag: string, command?: string): number {
  const v = integer(value, flag, command);
  if (v < 0) bad(flag, value, 'an integer ≥ 0', command);
  return v;
}

/** Comma-separated positive integers ('100,100,100'); '' or 'none' is the empty list (no hidden layer). */
export function intList(value: string, flag: string, command?: string): number[] {
  if (value.trim() === '' || value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((part) => {
    const v = toNumber(part);
    if (!(Number.isSafeInteger(v) && v > 0) || !/^\s*\+?\d+\s*$/.test(part)) {
      bad(flag, value, `comma-separated positive integers (like 100,100), and '${part.trim()}' is not one`, command);
    }
    return v;
  });
}

export function choice<T extends string>(value: string, flag: string, choices: readonly T[], command?: string): T {
  const v = value.toLowerCase() as T;
  if (!choices.includes(v)) bad(flag, value, `one of ${choices.join(', ')}`, command);
  return v;
}

/** The string value of a flag, or undefined when absent. */
export function str(values: Parsed['values'], flag: string): string | undefined {
  const v = values[flag];
  return typeof v === 'string' ? v : undefined;
}

/** `--shard i/n`: a slice of a hyperparameter search, 1 ≤ i ≤ n. */
export function shardSpec(value: string, flag: string, command?: string): { index: number; count: number } {
  try {
    return parseShard(value);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    return bad(flag, value, 'i/n with integers 1 ≤ i ≤ n (like 2/4)', command);
  }
}

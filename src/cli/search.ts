// `zerodl search merge <dir|results.json>... [--out DIR]`: the shards of a hyperparameter search (each written by
// `zerodl experiment hyperparameter-search --shard i/n`) checked and combined into the report of the whole search.
import { join } from 'node:path';
import { mergeShards } from '../experiments/search/merge.node.js';
import { makeDirectory } from '../io/file.node.js';
import { type CliIO, type OptionSpec, parse, str, UsageError } from './args.js';
import { printResult } from './experiment.js';

const SEARCH_OPTIONS: OptionSpec = {
  out: { type: 'string' },
  'no-out': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

export const SEARCH_USAGE = `Usage: zerodl search merge <dir|results.json>... [options]

Combines the shards of one hyperparameter search (\`zerodl experiment hyperparameter-search --shard I/N\`, one
folder or results.json each) into the report of the whole search: results.json, figures, summary and findings,
the same as an unsharded run with the same seed. The shards must share the search config and seed and hold every
trial exactly once (any mix of splits will do).

  --out DIR        where results.json and the figures go        [report/hyperparameter-search/]
  --no-out         write nothing
  --json           print the result as one JSON object, the last line of stdout
  -q, --quiet      no progress lines
  -h, --help       show this help`;

export async function runSearchCommand(argv: string[], io: CliIO): Promise<number> {
  const { values: v, positionals } = parse(argv, SEARCH_OPTIONS, 'search', Infinity);
  if (v.help) {
    io.stdout.write(SEARCH_USAGE + '\n');
    return 0;
  }
  const [sub, ...paths] = positionals;
  if (sub === undefined) throw new UsageError('expected a subcommand: merge', 'search');
  if (sub !== 'merge') throw new UsageError(`unknown subcommand '${sub}': expected merge`, 'search');
  if (paths.length === 0) throw new UsageError('merge: expected the shards (folders or results.json files)', 'search');
  if (v.out !== undefined && v['no-out']) throw new UsageError('--out and --no-out contradict each other', 'search');
  const out = v['no-out'] ? undefined : (str(v, 'out') ?? join('report', 'hyperparameter-search'));
  if (out) await makeDirectory(out); // fail now, not after reading and checking the shards
  const human = v.json ? io.stderr : io.stdout;
  const say = (line: string) => {
    if (!v.quiet) human.write(line + '\n');
  };
  const result = await mergeShards(paths, { out, log: say });
  printResult(result, out, io, !!v.json);
  return 0;
}

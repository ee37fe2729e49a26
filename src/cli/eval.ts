// `zerodl eval`: a saved model's accuracy on the whole test set.
import { BACKEND_NAMES, init } from '../backend/index.js';
import { loadNet } from '../io/model.node.js';
import { choice, type CliIO, type OptionSpec, parse, str, UsageError } from './args.js';
import { checkModelFitsData, dataName, loadData } from './data.js';

export const EVAL_OPTIONS: OptionSpec = {
  model: { type: 'string', short: 'm' },
  data: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const EVAL_USAGE = `Usage: zerodl eval --model FILE [options]

Prints a saved model's accuracy on the test set.

  -m, --model FILE   a model saved by \`zerodl train --save\` (safetensors)
  --data DIR         a folder with the four IDX files                  [MNIST]
  --backend NAME     ${BACKEND_NAMES.join(' | ')}                                         [as saved]
  --json             print one JSON object { accuracy, correct, total, model, data }
  -h, --help         show this help`;

export async function runEval(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parse(argv, EVAL_OPTIONS, 'eval');
  if (v.help) {
    io.stdout.write(EVAL_USAGE + '\n');
    return 0;
  }
  const model = str(v, 'model');
  if (!model) throw new UsageError('--model FILE is required', 'eval');
  const backend = str(v, 'backend');
  await init();
  const net = await loadNet(model, backend ? { backend: choice(backend, 'backend', BACKEND_NAMES, 'eval') } : {});
  const data = await loadData(str(v, 'data'));
  checkModelFitsData(net, data, model);
  const accuracy = net.accuracy(data.xTest, data.tTest);
  const total = data.testSize,
    correct = Math.round(accuracy * total);
  if (v.json) {
    io.stdout.write(JSON.stringify({ accuracy, correct, total, model, data: dataName(str(v, 'data')) }) + '\n');
  } else {
    io.stdout.write(
      `test accuracy ${accuracy.toFixed(4)} (${correct} of ${total} ${dataName(str(v, 'data'))} test images)\n`,
    );
  }
  return 0;
}

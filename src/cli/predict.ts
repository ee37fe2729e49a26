// `zerodl predict`: one test image through a saved model — the class, the true label, the ten probabilities
// (softmax of the scores) and the digit itself in ASCII.
import { BACKEND_NAMES, init } from '../backend/index.js';
import { loadNet } from '../io/model.node.js';
import { softmax } from '../math.js';
import { choice, type CliIO, nonNegativeInt, type OptionSpec, parse, str, UsageError } from './args.js';
import { checkModelFitsData, loadData } from './data.js';

export const PREDICT_OPTIONS: OptionSpec = {
  model: { type: 'string', short: 'm' },
  index: { type: 'string', short: 'i' },
  data: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const PREDICT_USAGE = `Usage: zerodl predict --model FILE --index N [options]

Classifies test image N with a saved model and draws it.

  -m, --model FILE   a model saved by \`zerodl train --save\` (safetensors)
  -i, --index N      which test image: 0 … 9999 for MNIST             [0]
  --data DIR         a folder with the four IDX files                  [MNIST]
  --backend NAME     ${BACKEND_NAMES.join(' | ')}                                         [as saved]
  --json             print one JSON object { index, label, predicted, correct, probabilities }
  -h, --help         show this help`;

export { softmax } from '../math.js';

const RAMP = ' .:-=+*#%@';

/** Pixels in [0, 1] (rows × cols) as text, two pixel rows per line (a character is about twice as tall as wide). */
export function asciiImage(pixels: ArrayLike<number>, rows: number, cols: number): string[] {
  const lines: string[] = [];
  for (let r = 0; r < rows; r += 2) {
    let line = '';
    for (let c = 0; c < cols; c++) {
      const a = pixels[r * cols + c],
        b = r + 1 < rows ? pixels[(r + 1) * cols + c] : a;
      const v = Math.min(1, Math.max(0, (a + b) / 2));
      line += RAMP[Math.min(RAMP.length - 1, Math.floor(v * RAMP.length))];
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

export async function runPredict(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parse(argv, PREDICT_OPTIONS, 'predict');
  if (v.help) {
    io.stdout.write(PREDICT_USAGE + '\n');
    return 0;
  }
  const model = str(v, 'model');
  if (!model) throw new UsageError('--model FILE is required', 'predict');
  const index = nonNegativeInt(str(v, 'index') ?? '0', 'index', 'predict');
  const backend = str(v, 'backend');
  await init();
  const net = await loadNet(model, backend ? { backend: choice(backend, 'backend', BACKEND_NAMES, 'predict') } : {});
  const data = await loadData(str(v, 'data'));
  checkModelFitsData(net, data, model);
  if (index >= data.testSize) {
    throw new UsageError(
      `--index: expected 0 … ${data.testSize - 1} (the test set's size is ${data.testSize}), got ${index}`,
      'predict',
    );
  }
  const I = net.inputSize;
  const x = data.xTest.slice(index * I, (index + 1) * I);
  const probabilities = softmax(net.predict(x));
  let predicted = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[predicted]) predicted = k;
  const label = data.tTest[index];
  if (v.json) {
    io.stdout.write(JSON.stringify({ index, label, predicted, correct: predicted === label, probabilities }) + '\n');
    return 0;
  }
  const out: string[] = [];
  out.push(`test image ${index}: predicted ${predicted}, label ${label} ${predicted === label ? '✓' : '✗'}`, '');
  const art = asciiImage(x, data.rows, data.cols);
  const bars = probabilities.map(
    (p, k) => `${k === predicted ? '>' : ' '} ${k}  ${p.toFixed(4)}  ${'█'.repeat(Math.round(p * 20))}`,
  );
  const width = data.cols;
  for (let i = 0; i < Math.max(art.length, bars.length + 1); i++) {
    const left = (art[i] ?? '').padEnd(width);
    const right = i === 0 ? '  class  probability' : (bars[i - 1] ?? '');
    out.push(`|${left}|  ${right}`.trimEnd());
  }
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}

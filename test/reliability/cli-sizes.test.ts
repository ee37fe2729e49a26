// Issue 10, fault 5: sizes that do not fit memory end the CLI with a typed error on one line and exit code 1,
// never a RangeError stack trace (in-process, as test/cli/commands.test.ts runs the commands).
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { init } from '../../src/index.js';
import { sink } from '../cli/helpers.js';

afterAll(() => init({ threads: 1 }));

async function train(...flags: string[]) {
  const stdout = sink(),
    stderr = sink();
  const code = await main(['train', '--train-size', '1000', '--epochs', '1', '--no-out', '--quiet', ...flags], {
    stdout,
    stderr,
  });
  return { code, stderr: stderr.text };
}

function expectOneLine(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^zerodl: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/RangeError|\n\s+at /);
}

describe('zerodl train: sizes that do not fit', () => {
  it('--hidden 100000,100000', async () => {
    expectOneLine(await train('--hidden', '100000,100000'), /MultiLayerNet 784-100000-100000-10 .*do not fit/);
  });

  it('--batch-size 1000000', async () => {
    expectOneLine(await train('--batch-size', '1000000'), /activation buffers for 1000000 rows.*do not fit/);
  });

  it("--hidden 8000,8000 --threads 2 (the net fits the 1 GiB shared memory, Adam's state does not)", async () => {
    expectOneLine(
      await train('--hidden', '8000,8000', '--threads', '2', '--batch-size', '10'),
      /Adam: state for [\d]+ parameters: shared wasm memory reserve: .* do not fit/,
    );
  });
});

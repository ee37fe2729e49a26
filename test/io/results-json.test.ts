// writeResultsJson (src/io/file.ts): the one writer of a report folder's results.json (CLI train/experiment, the
// experiments' Context): the folder made if missing, one JSON line, written atomically (no temp file left).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResultsJson } from '../../src/io/file.node.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zerodl-results-json-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeResultsJson', () => {
  it('makes the folder, writes one JSON line, replaces an earlier results.json whole, leaves no temp file', async () => {
    const out = join(dir, 'a', 'b');
    const path = await writeResultsJson(out, { acc: 0.97, curve: [1, 2] });
    expect(path).toBe(join(out, 'results.json'));
    expect(await readFile(path, 'utf8')).toBe('{"acc":0.97,"curve":[1,2]}\n');
    await writeResultsJson(out, { acc: 0.5 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ acc: 0.5 });
    expect(await readdir(out)).toEqual(['results.json']);
  });
});

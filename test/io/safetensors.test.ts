// safetensors encode/decode (round trips, exact bytes, every corruption) and atomic file writes.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, ShapeError, ValueError } from '../../src/errors.js';
import { readFileBytes, writeFileAtomic } from '../../src/io/file.node.js';
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from '../../src/io/safetensors.js';

const f32 = (shape: number[], values: number[]): F32Tensor => ({ dtype: 'F32', shape, data: new Float32Array(values) });
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u64le = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24, 0, 0, 0, 0];

/** A hand-made file: the length prefix, the header text as given (padded to 8 with spaces), the data bytes. */
function build(header: string | object, data: ArrayLike<number> = [], prefix?: number[]): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const padded = Math.ceil(json.length / 8) * 8;
  text += ' '.repeat(padded - json.length);
  const body = new TextEncoder().encode(text);
  return new Uint8Array([...(prefix ?? u64le(body.length)), ...body, ...Array.from(data)]);
}

function expectFormatError(bytes: Uint8Array, ...fragments: string[]): string {
  let error: unknown;
  try {
    decodeSafetensors(bytes, 'model.safetensors');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FormatError);
  const message = (error as Error).message;
  expect(message.startsWith('model.safetensors: ')).toBe(true);
  for (const f of fragments) expect(message).toContain(f);
  return message;
}

describe('encodeSafetensors / decodeSafetensors', () => {
  it('round-trips several tensors, an empty one and scalars', () => {
    const tensors = {
      W1: f32([2, 3], [1, 2, 3, 4, 5, -6.5]),
      b1: f32([3], [0.1, 0.2, 0.3]),
      empty: f32([0], []),
      emptyMatrix: f32([4, 0], []),
      scalar: f32([], [Math.PI]),
      special: f32([4], [NaN, Infinity, -Infinity, -0]),
    };
    const bytes = encodeSafetensors(tensors);
    const { tensors: back, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({});
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name].dtype).toBe('F32');
      expect(back[name].shape).toEqual(t.shape);
      expect(new Uint8Array(back[name].data.buffer)).toEqual(new Uint8Array(t.data.buffer)); // bit-exact, NaN and -0 too
    }
    expect(Object.is(back.special.data[3], -0)).toBe(true);
  });

  it('writes exactly the bytes the reference implementation writes (known answer)', () => {
    const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 bytes, padded to 56
    const expected = new Uint8Array([
      0x38,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...ascii(header),
      0x20,
      0x20,
      0x00,
      0x00,
      0x80,
      0x3f, // 1.0f
      0x00,
      0x00,
      0x00,
      0xc0, // -2.0f
    ]);
    const bytes = encodeSafetensors({ w: f32([2], [1, -2]) });
    expect(bytes).toEqual(expected);
    expect(decodeSafetensors(expected).tensors.w.data).toEqual(new Float32Array([1, -2]));
  });

  it('writes metadata first and lays tensors out in order (known answer)', () => {
    const header =
      '{"__metadata__":{"format":"np"},' +
      '"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
      '"a":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}}'; // 140 bytes, padded to 144
    const expected = new Uint8Array([
      144,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...ascii(header),
      0x20,
      0x20,
      0x20,
      0x20,
      0x00,
      0x00,
      0x00,
      0x3f, // 0.5f
      0x00,
      0x00,
      0x80,
      0x3f,
      0x00,
      0x00,
      0x00,
      0xc0,
    ]);
    expect(encodeSafetensors({ b: f32([], [0.5]), a: f32([1, 2], [1, -2]) }, { format: 'np' })).toEqual(expected);
  });

  it('round-trips metadata, including odd keys', () => {
    const metadata = { format: 'pt', 'zerodl.config': '{"sizes":[784,100,10]}', ünï: 'cödé ✓', '': '' };
    const back = decodeSafetensors(encodeSafetensors({ x: f32([1], [1]) }, metadata));
    expect(back.metadata).toEqual(metadata);
  });

  it('keeps names that look special', () => {
    const tensors: Record<string, F32Tensor> = {};
    Object.defineProperty(tensors, '__proto__', { value: f32([1], [1]), enumerable: true });
    tensors['0'] = f32([1], [2]);
    tensors['a.b/c d'] = f32([1], [3]);
    const back = decodeSafetensors(encodeSafetensors(tensors)).tensors;
    expect(Object.keys(back).sort()).toEqual(['0', '__proto__', 'a.b/c d']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back['a.b/c d'].data[0]).toBe(3);
  });

  it('decodes files with tensors in any header order and unaligned data', () => {
    // data section starts at 8 + 57 = 65: not a multiple of 4, so the copy must realign
    const header =
      '{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const data = [...new Uint8Array(new Float32Array([1.5, -3]).buffer)];
    const text = new TextEncoder().encode(header + ' ');
    const bytes = new Uint8Array([...u64le(text.length), ...text, ...data]);
    const { tensors } = decodeSafetensors(bytes.subarray(0)); // also: a view with its own offset
    expect(tensors.a.data[0]).toBe(1.5);
    expect(tensors.b.data[0]).toBe(-3);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(decodeSafetensors(shifted.subarray(1)).tensors.b.data[0]).toBe(-3);
  });

  it('accepts a file with no tensors, and null metadata', () => {
    expect(decodeSafetensors(encodeSafetensors({}))).toEqual({ tensors: {}, metadata: {} });
    expect(decodeSafetensors(build('{"__metadata__":null}')).metadata).toEqual({});
  });

  it('rejects bad arguments when encoding', () => {
    expect(() => encodeSafetensors({ w: f32([2, 2], [1, 2, 3]) })).toThrow(ShapeError);
    expect(() => encodeSafetensors({ w: f32([-1], []) })).toThrow(ShapeError);
    expect(() => encodeSafetensors({ w: f32([1.5], [1]) })).toThrow(ShapeError);
    expect(() => encodeSafetensors({ w: { dtype: 'F16' as 'F32', shape: [1], data: new Float32Array(1) } })).toThrow(
      ValueError,
    );
    expect(() => encodeSafetensors({ __metadata__: f32([1], [1]) })).toThrow(ValueError);
    expect(() => encodeSafetensors({}, { n: 1 as unknown as string })).toThrow(ValueError);
  });
});

describe('decodeSafetensors on corrupt input', () => {
  const one = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
  const four = [0, 0, 0x80, 0x3f];

  it('rejects a file shorter than the length prefix', () => {
    expectFormatError(new Uint8Array(5), 'at least 8 bytes', 'found 5');
  });

  it('rejects a header length beyond the file or the 100 MB limit', () => {
    expectFormatError(build({ w: one }, four, u64le(1000)), 'header length 1000', 'exceeds');
    expectFormatError(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]), 'limit');
    expectFormatError(new Uint8Array([0x01, 0xe1, 0xf5, 0x05, 0, 0, 0, 0]), 'limit'); // 100,000,001
    expectFormatError(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123]), 'exceeds the 1 bytes');
  });

  it('rejects headers that are not a UTF-8 JSON object', () => {
    expectFormatError(build('not json'), 'JSON');
    expectFormatError(build('{"w": '), 'JSON');
    expectFormatError(new Uint8Array([...u64le(2), 0xff, 0xfe]), 'UTF-8');
    expectFormatError(new Uint8Array([...u64le(5), 0xef, 0xbb, 0xbf, 0x7b, 0x7d]), 'JSON'); // BOM + {}
    expectFormatError(build('[]'), 'object', 'array');
    expectFormatError(build('null'), 'object', 'null');
    expectFormatError(build('42'), 'object', 'number');
    expectFormatError(build(''), 'JSON');
  });

  it('rejects dtypes other than F32, naming the tensor and the dtype', () => {
    expectFormatError(
      build({ weights: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, four),
      'tensor "weights"',
      'dtype "F16"',
      'not supported',
      'F32',
    );
    expectFormatError(
      build({ w: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, four),
      '"F33"',
      'not a safetensors dtype',
    );
    expectFormatError(build({ w: { shape: [1], data_offsets: [0, 4] } }, four), 'tensor "w"', 'dtype');
    expectFormatError(build({ w: { dtype: 7, shape: [1], data_offsets: [0, 4] } }, four), 'dtype');
  });

  it('rejects malformed entries, shapes and offsets', () => {
    expectFormatError(build({ w: 'x' }, four), 'tensor "w"', 'object');
    expectFormatError(build({ w: [] }, four), 'tensor "w"', 'object');
    expectFormatError(build({ w: { ...one, shape: [-1] } }, four), 'shape', '[-1]');
    expectFormatError(build({ w: { ...one, shape: [0.5] } }, four), 'shape');
    expectFormatError(build({ w: { ...one, shape: '1' } }, four), 'shape');
    expectFormatError(build({ w: { ...one, shape: [1e300] } }, four), 'shape');
    expectFormatError(build({ w: { ...one, data_offsets: [0] } }, four), 'data_offsets');
    expectFormatError(build({ w: { ...one, data_offsets: [0, 4, 8] } }, four), 'data_offsets');
    expectFormatError(build({ w: { ...one, data_offsets: [-4, 0] } }, four), 'data_offsets');
    expectFormatError(build({ w: { ...one, data_offsets: ['0', '4'] } }, four), 'data_offsets');
    expectFormatError(build({ w: { ...one, data_offsets: [0, 4.5] } }, four), 'data_offsets');
  });

  it('rejects offsets outside the data section', () => {
    expectFormatError(
      build({ w: { ...one, data_offsets: [0, 400] } }, four),
      'tensor "w"',
      '[0, 400]',
      '4-byte data section',
    );
    expectFormatError(build({ w: { ...one, data_offsets: [4, 0] } }, four), 'begin ≤ end');
    expectFormatError(build({ w: { dtype: 'F32', shape: [2 ** 40], data_offsets: [0, 2 ** 42] } }, four), 'outside');
  });

  it('rejects a shape that does not match its offsets', () => {
    expectFormatError(
      build({ w: { ...one, shape: [3], data_offsets: [0, 8] } }, [...four, ...four]),
      'tensor "w"',
      'needs 12 bytes',
      'span 8',
    );
    expectFormatError(build({ w: { ...one, shape: [], data_offsets: [0, 0] } }), 'needs 4 bytes', 'span 0');
    expectFormatError(build({ w: { ...one, shape: [2 ** 52, 2 ** 52, 0, 2 ** 52, 2 ** 52] } }, four), 'needs 0 bytes');
  });

  it('rejects overlapping tensors, naming both', () => {
    const a = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
    const b = { dtype: 'F32', shape: [2], data_offsets: [4, 12] };
    expectFormatError(build({ a, b }, new Array(12).fill(0)), 'overlaps', '"a"', '"b"');
    expectFormatError(build({ a, b: a }, new Array(8).fill(0)), 'overlaps');
  });

  it('rejects gaps and uncovered trailing bytes (the spec allows no holes)', () => {
    const a = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
    const b = { dtype: 'F32', shape: [1], data_offsets: [8, 12] };
    expectFormatError(build({ a, b }, new Array(12).fill(0)), 'gap', 'bytes 4..8', '"b"');
    expectFormatError(build({ b }, new Array(12).fill(0)), 'gap', 'bytes 0..8');
    expectFormatError(build({ a }, new Array(12).fill(0)), 'cover 4 bytes', 'has 12');
    expectFormatError(build({}, [1]), 'cover 0 bytes', 'has 1');
  });

  it('rejects metadata that is not an object of strings', () => {
    expectFormatError(build({ __metadata__: { epochs: 3 }, w: one }, four), 'metadata "epochs"', 'string', 'number');
    expectFormatError(build({ __metadata__: { a: null } }), 'metadata "a"', 'null');
    expectFormatError(build({ __metadata__: ['x'] }), '__metadata__', 'array');
    expectFormatError(build({ __metadata__: 'x' }), '__metadata__', 'string');
  });

  it('copes with a large, deeply nested header without crashing', () => {
    expectFormatError(build('['.repeat(200_000)), 'JSON');
    expectFormatError(build(`{"w":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 'tensor "w"');
  });
});

describe('decodeSafetensors never fails any other way (property)', () => {
  const valid = encodeSafetensors(
    { a: f32([2, 2], [1, 2, 3, 4]), s: f32([], [5]), e: f32([0], []), b: f32([3], [6, 7, 8]) },
    { k: 'v' },
  );

  const check = (bytes: Uint8Array): void => {
    let result: ReturnType<typeof decodeSafetensors>;
    try {
      result = decodeSafetensors(bytes, 'prop');
    } catch (error) {
      if (!(error instanceof FormatError) || !error.message.startsWith('prop: ')) throw error;
      return;
    }
    let total = 0;
    for (const t of Object.values(result.tensors)) {
      expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      total += t.data.byteLength;
    }
    expect(total).toBeLessThanOrEqual(bytes.length);
    for (const v of Object.values(result.metadata)) expect(typeof v).toBe('string');
  };

  it('on random byte strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => check(b)),
      { numRuns: 3000 },
    );
  });

  it('on random headers with a plausible length prefix', () => {
    const headers = fc.oneof(
      fc.json(),
      fc
        .dictionary(
          fc.string({ maxLength: 4 }),
          fc.record(
            {
              dtype: fc.constantFrom('F32', 'F16', 'I64', 'x'),
              shape: fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 3 }),
              data_offsets: fc.array(fc.integer({ min: -4, max: 64 }), { maxLength: 3 }),
            },
            { requiredKeys: [] },
          ),
          { maxKeys: 4 },
        )
        .map((h) => JSON.stringify(h)),
    );
    fc.assert(
      fc.property(headers, fc.uint8Array({ maxLength: 64 }), (h, data) => check(build(h, data))),
      { numRuns: 3000 },
    );
  });

  it('on truncations and single-byte mutations of a valid file', () => {
    check(valid);
    expect(() => decodeSafetensors(valid)).not.toThrow();
    const mutated = fc.oneof(
      fc.nat(valid.length - 1).map((k) => valid.slice(0, k)),
      fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
        const c = valid.slice();
        c[i] = v;
        return c;
      }),
      fc.tuple(fc.nat(valid.length - 1), fc.nat(7)).map(([i, bit]) => {
        const c = valid.slice();
        c[i] ^= 1 << bit;
        return c;
      }),
    );
    fc.assert(
      fc.property(mutated, (b) => check(b)),
      { numRuns: 3000 },
    );
    // every single truncation, exhaustively: only the full file is valid
    for (let k = 0; k < valid.length; k++) expect(() => decodeSafetensors(valid.subarray(0, k))).toThrow(FormatError);
  });

  it('round-trips random tensors bit-exactly', () => {
    const tensor = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.float32Array({ minLength: n, maxLength: n }).map((data) => ({ dtype: 'F32' as const, shape, data }));
    });
    const dict = fc.dictionary(
      fc.string({ maxLength: 6 }).filter((s) => s !== '__metadata__'),
      tensor,
      { maxKeys: 5 },
    );
    fc.assert(
      fc.property(dict, fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (tensors, metadata) => {
        const back = decodeSafetensors(encodeSafetensors(tensors, metadata));
        expect(back.metadata).toEqual(metadata);
        expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
        for (const [name, t] of Object.entries(tensors)) {
          expect(back.tensors[name].shape).toEqual(t.shape);
          expect(new Uint8Array(back.tensors[name].data.buffer)).toEqual(
            new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('writeFileAtomic / readFileBytes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zerodl-io-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes, replaces and leaves no temp file behind', async () => {
    const path = join(dir, 'model.safetensors');
    const first = encodeSafetensors({ w: f32([2], [1, 2]) });
    await writeFileAtomic(path, first);
    expect(new Uint8Array(await readFile(path))).toEqual(first);
    const second = encodeSafetensors({ w: f32([3], [3, 4, 5]) }, { step: '2' });
    await writeFileAtomic(path, second);
    const back = await readFileBytes(path);
    expect(back).toEqual(second);
    expect(back.constructor).toBe(Uint8Array);
    expect(decodeSafetensors(back, path).metadata).toEqual({ step: '2' });
    expect(await readdir(dir)).toEqual(['model.safetensors']);
  });

  it('writes a view with an offset and empty files', async () => {
    const path = join(dir, 'view.bin');
    const big = new Uint8Array([9, 1, 2, 3, 9]);
    await writeFileAtomic(path, big.subarray(1, 4));
    expect([...(await readFileBytes(path))]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, new Uint8Array(0));
    expect((await readFileBytes(path)).length).toBe(0);
  });

  it('rejects a write into a missing directory and leaves nothing', async () => {
    const before = await readdir(dir);
    await expect(writeFileAtomic(join(dir, 'missing', 'model.safetensors'), new Uint8Array([1]))).rejects.toThrow();
    expect(await readdir(dir)).toEqual(before);
  });

  it('rejects when the target is a directory, and removes its temp file', async () => {
    const target = join(dir, 'taken');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'x');
    const before = await readdir(dir);
    await expect(writeFileAtomic(target, new Uint8Array([1]))).rejects.toThrow();
    expect(await readdir(dir)).toEqual(before);
    await rm(target, { recursive: true });
  });

  it('turns a missing file into a FormatError naming the path', async () => {
    const path = join(dir, 'nope.safetensors');
    await expect(readFileBytes(path)).rejects.toThrow(FormatError);
    await expect(readFileBytes(path)).rejects.toThrow(path);
  });
});

import { describe, expect, it } from 'vitest';
import { readSafetensors, readSafetensorsHeader, writeSafetensors, type NamedArray } from '../src/io/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Assembles a safetensors file by hand per the spec: u64 LE header size, JSON header, buffer. */
function assemble(header: string, buffer: ArrayLike<number>, pad = true): Uint8Array {
  let json = enc(header);
  if (pad && json.length % 8) json = enc(header + ' '.repeat(8 - (json.length % 8)));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

// The reference implementation's test vector (safetensors/src/tensor.rs, test_serialization):
// {"attn.0": F32 [1, 2, 3] = 0..5}, 64-byte header needing no padding.
const REFERENCE_BYTES = [
  64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
  116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
  58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
  101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
  0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
];

describe('safetensors known bytes', () => {
  it('writes the reference implementation test vector byte for byte', () => {
    const out = writeSafetensors({ 'attn.0': { dtype: 'float32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    expect([...out]).toEqual(REFERENCE_BYTES);
  });

  it('reads the reference test vector', () => {
    const { tensors, metadata } = readSafetensors(new Uint8Array(REFERENCE_BYTES));
    expect(metadata).toEqual({});
    expect(tensors['attn.0'].dtype).toBe('float32');
    expect(tensors['attn.0'].shape).toEqual([1, 2, 3]);
    expect([...tensors['attn.0'].data]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('pads the header with spaces to a multiple of 8, and writes {} for no tensors', () => {
    // Empty file per the reference writer: "{}" + 6 spaces.
    expect([...writeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const out = writeSafetensors({ attn0: { dtype: 'float32', shape: [1, 1, 2, 3], data: new Float32Array(6) } });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    expect(n).toBe(72); // 65-byte JSON + 7 spaces
    expect([...out.subarray(8 + 65, 8 + 72)]).toEqual([32, 32, 32, 32, 32, 32, 32]);
  });

  it('reads a hand-assembled file with metadata, mixed dtypes and little-endian values', () => {
    // a: I64 [2] = [-1, 2^40]; b: F16 [2] = [1.0, -2.0]; c: BOOL [3]; d: U8 [] scalar
    const buffer = [
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, // a
      0x00, 0x3c, 0x00, 0xc0, // b
      1, 0, 1, // c
      200, // d
    ];
    const header =
      '{"__metadata__":{"format":"pt","note":"hand made"},' +
      '"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},' +
      '"b":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},' +
      '"c":{"dtype":"BOOL","shape":[3],"data_offsets":[20,23]},' +
      '"d":{"dtype":"U8","shape":[],"data_offsets":[23,24]}}';
    const file = assemble(header, buffer);
    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({ format: 'pt', note: 'hand made' });
    expect(Object.keys(tensors)).toEqual(['a', 'b', 'c', 'd']);
    expect(tensors.a).toEqual({ dtype: 'int64', shape: [2], data: new BigInt64Array([-1n, 2n ** 40n]) });
    expect(tensors.b).toEqual({ dtype: 'float16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) });
    expect(tensors.c).toEqual({ dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) });
    expect(tensors.d).toEqual({ dtype: 'uint8', shape: [], data: new Uint8Array([200]) });
    const decoded = readSafetensors(file, { decodeHalf: true, names: ['b'] });
    expect(Object.keys(decoded.tensors)).toEqual(['b']);
    expect(decoded.tensors.b).toEqual({ dtype: 'float32', shape: [2], data: new Float32Array([1, -2]) });
  });

  it('decodes BF16 when asked', () => {
    // bfloat16 bits 0x3fc0 = 1.5, 0xc2f7 = -123.5
    const file = assemble('{"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}', [0xc0, 0x3f, 0xf7, 0xc2]);
    expect([...readSafetensors(file, { decodeHalf: true }).tensors.w.data]).toEqual([1.5, -123.5]);
  });

  it('returns zero-copy views when aligned and copies when not', () => {
    const file = writeSafetensors({ w: { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) } });
    const view = readSafetensors(file).tensors.w.data as Float32Array;
    expect(view.buffer).toBe(file.buffer);
    // The same bytes at an odd offset inside a larger buffer: must copy, values unchanged.
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const copy = readSafetensors(shifted.subarray(1)).tensors.w.data as Float32Array;
    expect(copy.buffer).not.toBe(shifted.buffer);
    expect([...copy]).toEqual([1, 2]);
  });

  it('normalises BOOL bytes other than 0/1 to 1', () => {
    const file = assemble('{"b":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}', [0, 7, 1]);
    expect([...readSafetensors(file).tensors.b.data]).toEqual([0, 1, 1]);
  });

  it('accepts zero-sized tensors', () => {
    const file = assemble(
      '{"e":{"dtype":"F32","shape":[2,0],"data_offsets":[0,0]},"x":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}',
      [5, 0, 0, 0],
    );
    const { tensors } = readSafetensors(file);
    expect(tensors.e.data.length).toBe(0);
    expect([...tensors.x.data]).toEqual([5]);
  });
});

describe('safetensors round trip', () => {
  const all: Record<string, NamedArray> = {
    f64: { dtype: 'float64', shape: [2], data: new Float64Array([Math.PI, -1e300]) },
    f32: { dtype: 'float32', shape: [2, 2], data: new Float32Array([0.5, -0, Infinity, 3]) },
    f16: { dtype: 'float16', shape: [1], data: new Uint16Array([0x3555]) },
    bf16: { dtype: 'bfloat16', shape: [1], data: new Uint16Array([0x4049]) },
    i8: { dtype: 'int8', shape: [3], data: new Int8Array([-128, 0, 127]) },
    u8: { dtype: 'uint8', shape: [1], data: new Uint8Array([255]) },
    i16: { dtype: 'int16', shape: [1], data: new Int16Array([-300]) },
    u16: { dtype: 'uint16', shape: [1], data: new Uint16Array([65535]) },
    i32: { dtype: 'int32', shape: [1], data: new Int32Array([-(2 ** 31)]) },
    u32: { dtype: 'uint32', shape: [1], data: new Uint32Array([2 ** 32 - 1]) },
    i64: { dtype: 'int64', shape: [1], data: new BigInt64Array([-(2n ** 63n)]) },
    u64: { dtype: 'uint64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    bool: { dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) },
    scalar: { dtype: 'float32', shape: [], data: new Float32Array([7]) },
  };

  it('round-trips every dtype with metadata, each tensor aligned to its item size', () => {
    const file = writeSafetensors(all, { format: 'pt', 'quote"d': 'a\nb' });
    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({ format: 'pt', 'quote"d': 'a\nb' });
    for (const [k, v] of Object.entries(all)) expect(tensors[k], k).toEqual(v);
    const header = readSafetensorsHeader(file);
    expect(header.dataStart % 8).toBe(0);
    for (const [k, info] of header.tensors) {
      expect(info.dataOffsets[0] % tensors[k].data.BYTES_PER_ELEMENT, k).toBe(0);
    }
  });

  it('orders tensors like the reference writer: dtype rank descending, then name', () => {
    const header = readSafetensorsHeader(writeSafetensors(all));
    expect(header.names).toEqual(['u64', 'i64', 'f64', 'f32', 'scalar', 'u32', 'i32', 'bf16', 'f16', 'u16', 'i16', 'i8', 'u8', 'bool']);
  });

  it('accepts a Map and keys such as "__proto__" and "12"', () => {
    const m = new Map<string, NamedArray>([
      ['__proto__', { dtype: 'int32', shape: [1], data: new Int32Array([1]) }],
      ['12', { dtype: 'int32', shape: [1], data: new Int32Array([2]) }],
    ]);
    const { tensors } = readSafetensors(writeSafetensors(m));
    expect(Object.prototype.hasOwnProperty.call(tensors, '__proto__')).toBe(true);
    expect([...tensors['__proto__'].data]).toEqual([1]);
    expect([...tensors['12'].data]).toEqual([2]);
  });
});

describe('safetensors errors', () => {
  const ok = '{"t":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';

  it('rejects files shorter than the length prefix', () => {
    expect(() => readSafetensors(new Uint8Array(3))).toThrow(/at least 8 bytes.*got 3/);
  });

  it('rejects a header length beyond the file, naming both sizes', () => {
    const file = assemble(ok, new Uint8Array(16));
    new DataView(file.buffer).setBigUint64(0, 1000n, true);
    expect(() => readSafetensors(file)).toThrow(/header length must be at most 80 .*got 1000/);
    new DataView(file.buffer).setBigUint64(0, 0xffffffff00000000n, true);
    expect(() => readSafetensors(file)).toThrow(/header length must be at most/);
  });

  it('rejects headers that are not a JSON object starting with {', () => {
    expect(() => readSafetensors(assemble('[1]', []))).toThrow(/must start with '\{'/);
    expect(() => readSafetensors(assemble('{', [], false))).toThrow(/valid JSON/);
    const bad = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0xff]);
    expect(() => readSafetensors(bad)).toThrow(/UTF-8/);
  });

  it('names the tensor with an unknown dtype', () => {
    const file = assemble('{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}', [0, 0]);
    expect(() => readSafetensors(file)).toThrow(/tensor "w" has unknown dtype "F8_E4M3", expected one of BOOL/);
  });

  it('names the tensor whose byte span does not match shape x itemsize', () => {
    const file = assemble('{"t":{"dtype":"I32","shape":[2,2],"data_offsets":[0,4]}}', [0, 0, 0, 0]);
    expect(() => readSafetensors(file)).toThrow(
      'readSafetensors: tensor "t" data_offsets [0, 4] must span 16 bytes for shape [2, 2] x I32 (4 bytes each), got 4',
    );
  });

  it('names the tensor whose offsets run past the buffer', () => {
    const file = assemble(ok, new Uint8Array(14));
    expect(() => readSafetensors(file)).toThrow(/tensor "t" data_offsets \[0, 16\] must end within the byte buffer of 14 bytes/);
  });

  it('rejects overlapping tensors, naming both', () => {
    const header = '{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}';
    expect(() => readSafetensors(assemble(header, new Uint8Array(16)))).toThrow(/tensor "b" .*overlap tensor "a" which ends at 16/);
  });

  it('rejects holes and trailing bytes not covered by any tensor (polyglot files)', () => {
    const gap = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}';
    expect(() => readSafetensors(assemble(gap, [1, 2, 3]))).toThrow(/bytes \[1, 2\) before tensor "b" belong to no tensor/);
    const extra = assemble(ok, [...new Uint8Array(16), ...enc('extra_bogus_data')]);
    expect(() => readSafetensors(extra)).toThrow(/covered exactly: tensors end at 16, buffer is 32 bytes/);
  });

  it('rejects malformed shape, offsets and metadata', () => {
    const f = (h: string, n = 16) => () => readSafetensors(assemble(h, new Uint8Array(n)));
    expect(f('{"t":{"dtype":"I32","shape":[2,-2],"data_offsets":[0,16]}}')).toThrow(/tensor "t" shape must be an array of non-negative integers, got \[2,-2\]/);
    expect(f('{"t":{"dtype":"I32","shape":[4],"data_offsets":[16,0]}}')).toThrow(/tensor "t" data_offsets must be \[begin, end\]/);
    expect(f('{"__metadata__":{"n":1},"t":{"dtype":"I32","shape":[4],"data_offsets":[0,16]}}')).toThrow(/"__metadata__" value for "n" must be a string, got 1/);
  });

  it('names requested tensors that are missing', () => {
    expect(() => readSafetensors(assemble(ok, new Uint8Array(16)), { names: ['nope'] })).toThrow(/"nope" must be a tensor in the file/);
  });

  it('names the tensor when writing data that does not match its dtype or shape', () => {
    expect(() => writeSafetensors({ w: { dtype: 'float32', shape: [3], data: new Float32Array(2) } })).toThrow(
      'writeSafetensors: tensor "w" data must have 3 elements for shape [3], got 2',
    );
    expect(() => writeSafetensors({ w: { dtype: 'int64', shape: [1], data: new Int32Array(1) } as unknown as NamedArray })).toThrow(
      "writeSafetensors: tensor \"w\" data must be a BigInt64Array for dtype 'int64', got Int32Array",
    );
    expect(() => writeSafetensors({ w: { dtype: 'complex64', shape: [1], data: new Float32Array(2) } as unknown as NamedArray })).toThrow(
      /tensor "w" dtype must be an IODType, got "complex64"/,
    );
    expect(() => writeSafetensors({ b: { dtype: 'bool', shape: [2], data: new Uint8Array([0, 2]) } })).toThrow(/bool data must be 0 or 1, got 2 at flat index 1/);
    expect(() => writeSafetensors({ __metadata__: { dtype: 'uint8', shape: [0], data: new Uint8Array(0) } })).toThrow(/reserved/);
  });
});

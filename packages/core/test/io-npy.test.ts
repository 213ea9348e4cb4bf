import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { int64ToInt32, readNpy, readNpyHeader, readNpz, toCoreArray, writeNpy, writeNpz, type NamedArray } from '../src/io/index.js';

// Fixtures written by numpy via fixtures/io/make-fixtures.py (tests never run Python).
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/io/${name}`, import.meta.url)));

describe('npy fixtures written by numpy', () => {
  it('reads a v1.0 little-endian float32 file', () => {
    const a = readNpy(fixture('f32-v1.npy'));
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([0.1, -2.5, 3.0, 1e-8, 65504.0, -0.0].map(Math.fround));
    expect(Object.is(a.data[5], -0)).toBe(true);
  });

  it('byte-swaps big-endian int32 and float64', () => {
    const i = readNpy(fixture('i4-big-endian.npy'));
    expect(i).toEqual({ dtype: 'int32', shape: [2, 2], data: new Int32Array([1, -2, 70000, -2147483648]) });
    const f = readNpy(fixture('f8-big-endian.npy'));
    expect(f).toEqual({ dtype: 'float64', shape: [3], data: new Float64Array([1.5, -0.1, 1e300]) });
    expect(readNpyHeader(fixture('f8-big-endian.npy')).descr).toBe('>f8');
  });

  it('accepts a Node Buffer (whose slice() is a view) without corrupting swapped data', () => {
    const buf = readFileSync(new URL('./fixtures/io/i4-big-endian.npy', import.meta.url));
    expect([...readNpy(buf).data]).toEqual([1, -2, 70000, -2147483648]);
  });

  it('transposes fortran_order files into C order with the same logical shape', () => {
    expect(readNpyHeader(fixture('f8-fortran.npy')).fortranOrder).toBe(true);
    const a = readNpy(fixture('f8-fortran.npy'));
    expect(a.shape).toEqual([2, 3, 4]);
    expect([...a.data]).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it('refuses fortran_order when asked to', () => {
    expect(() => readNpy(fixture('f8-fortran.npy'), { fortranOrder: 'error' })).toThrow(
      "readNpy: fortran_order must be False (options.fortranOrder is 'error'), got True for shape (2, 3, 4)",
    );
  });

  it('reads a bool array', () => {
    expect(readNpy(fixture('bool.npy'))).toEqual({ dtype: 'bool', shape: [5], data: new Uint8Array([1, 0, 1, 1, 0]) });
  });

  it('keeps float16 bits by default and decodes them on request', () => {
    const raw = readNpy(fixture('f2.npy'));
    expect(raw).toEqual({ dtype: 'float16', shape: [7], data: new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0xfc00]) });
    const dec = readNpy(fixture('f2.npy'), { decodeHalf: true });
    expect(dec.dtype).toBe('float32');
    expect([...dec.data]).toEqual([1, -2, 0.5, 65504, 2 ** -24, Infinity, -Infinity]);
  });

  it('reads a 0-d array with shape ()', () => {
    expect(readNpy(fixture('f8-scalar.npy'))).toEqual({ dtype: 'float64', shape: [], data: new Float64Array([3.25]) });
  });

  it('reads format versions 2.0 and 3.0', () => {
    expect(readNpyHeader(fixture('u4-v2.npy')).version).toEqual([2, 0]);
    expect(readNpy(fixture('u4-v2.npy'))).toEqual({ dtype: 'uint32', shape: [3], data: new Uint32Array([0, 1, 4294967295]) });
    expect(readNpyHeader(fixture('i8-v3.npy')).version).toEqual([3, 0]);
    expect(readNpy(fixture('i8-v3.npy'))).toEqual({ dtype: 'int64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 62n, -1n]) });
  });

  it('writes the same bytes as np.save for v1 files', () => {
    for (const name of ['f32-v1.npy', 'bool.npy', 'f2.npy', 'f8-scalar.npy', 'i8-v3.npy']) {
      const a = readNpy(fixture(name));
      if (name === 'i8-v3.npy') continue; // numpy chose v3 explicitly; checked below
      expect([...writeNpy(a)], name).toEqual([...fixture(name)]);
    }
    // Big-endian input is written little-endian, as np.save of .astype('<i4') would.
    const back = readNpy(writeNpy(readNpy(fixture('i4-big-endian.npy'))));
    expect([...back.data]).toEqual([1, -2, 70000, -2147483648]);
  });
});

describe('npz fixtures written by numpy', () => {
  it('reads a deflated FLAME-like archive with float64, uint32 and int64 arrays', () => {
    const z = readNpz(fixture('flame-like.npz'));
    expect(Object.keys(z).sort()).toEqual(['f', 'kintree_table', 'lmk_faces_idx', 'shapedirs', 'v_template']);
    expect(z.v_template).toEqual({
      dtype: 'float64',
      shape: [4, 3],
      data: new Float64Array([0.0, 0.1, 0.2, 1.0, 1.1, 1.2, 2.0, 2.1, 2.2, -3.0, -3.5, 1e-3]),
    });
    expect(z.shapedirs.shape).toEqual([4, 3, 2]);
    expect([...z.shapedirs.data]).toEqual(Array.from({ length: 24 }, (_, i) => i / 8));
    expect(z.f).toEqual({ dtype: 'uint32', shape: [2, 3], data: new Uint32Array([0, 1, 2, 1, 2, 3]) });
    expect(z.kintree_table).toEqual({ dtype: 'int64', shape: [2, 4], data: new BigInt64Array([4294967295n, 0n, 1n, 1n, 0n, 1n, 2n, 3n]) });
  });

  it('converts FLAME int64 arrays to int32: kintree_table needs wrapUint32 for its root parent', () => {
    const z = readNpz(fixture('flame-like.npz'));
    const kintree = z.kintree_table.data as BigInt64Array;
    expect(() => int64ToInt32(kintree, 'kintree_table')).toThrow(
      'int64ToInt32: "kintree_table" must hold values in int32 range [-2^31, 2^31), got 4294967295 at flat index 0',
    );
    expect([...int64ToInt32(kintree, 'kintree_table', { wrapUint32: true })]).toEqual([-1, 0, 1, 1, 0, 1, 2, 3]);
    expect(toCoreArray(z.lmk_faces_idx, 'lmk_faces_idx')).toEqual({ dtype: 'int32', shape: [3], data: new Int32Array([1, 0, 1]) });
  });

  it('reads a stored archive and selected names only', () => {
    const z = readNpz(fixture('stored.npz'));
    expect(z.image).toEqual({ dtype: 'uint8', shape: [2, 3], data: new Uint8Array([0, 127, 255, 1, 2, 3]) });
    expect(z.weights).toEqual({ dtype: 'float32', shape: [2], data: new Float32Array([0.25, -0.75]) });
    expect(Object.keys(readNpz(fixture('stored.npz'), { names: ['weights'] }))).toEqual(['weights']);
  });

  it('names the member holding pickled objects', () => {
    expect(() => readNpz(fixture('object.npz'))).toThrow(/readNpz: member "names.npy": descr '\|O': pickled Python objects cannot be read/);
    expect([...readNpz(fixture('object.npz'), { names: ['ok'] }).ok.data]).toEqual([1, 2]);
  });

  it('names requested keys that are missing', () => {
    expect(() => readNpz(fixture('stored.npz'), { names: ['nope'] })).toThrow(/"nope" must be an array in the archive, which has \["image", "weights"\]/);
  });
});

describe('npy/npz round trips', () => {
  const arrays: Record<string, NamedArray> = {
    a: { dtype: 'float64', shape: [2, 2], data: new Float64Array([1, 2, 3, Number.MIN_VALUE]) },
    b: { dtype: 'int64', shape: [2], data: new BigInt64Array([-5n, 2n ** 60n]) },
    c: { dtype: 'uint64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    d: { dtype: 'int16', shape: [3, 1], data: new Int16Array([-1, 0, 1]) },
    e: { dtype: 'uint16', shape: [0], data: new Uint16Array(0) },
    f: { dtype: 'int8', shape: [1], data: new Int8Array([-7]) },
    g: { dtype: 'bool', shape: [2], data: new Uint8Array([0, 1]) },
    h: { dtype: 'float32', shape: [], data: new Float32Array([0.1]) },
  };

  it('round-trips every numpy-representable dtype through .npy', () => {
    for (const [k, v] of Object.entries(arrays)) expect(readNpy(writeNpy(v)), k).toEqual(v);
  });

  it('aligns the data of written files to 64 bytes', () => {
    for (const v of Object.values(arrays)) expect(readNpyHeader(writeNpy(v)).dataStart % 64).toBe(0);
  });

  it('switches to format 2.0 when the header does not fit 65535 bytes', () => {
    const shape = Array.from({ length: 25000 }, () => 1);
    const big: NamedArray = { dtype: 'uint8', shape, data: new Uint8Array([9]) };
    const bytes = writeNpy(big);
    expect(readNpyHeader(bytes).version).toEqual([2, 0]);
    expect(readNpy(bytes)).toEqual(big);
  });

  it('round-trips through stored and deflated .npz', () => {
    for (const compress of [false, true]) expect(readNpz(writeNpz(arrays, { compress }))).toEqual(arrays);
    const zeros: NamedArray = { dtype: 'float32', shape: [1000], data: new Float32Array(1000) };
    expect(writeNpz({ zeros }, { compress: true }).length).toBeLessThan(writeNpz({ zeros }).length / 4);
  });
});

describe('npy errors', () => {
  const v1 = (header: string, data: ArrayLike<number> = []) => {
    const h = new TextEncoder().encode(header);
    const out = new Uint8Array(10 + h.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
    out.set(h, 10);
    out.set(data, 10 + h.length);
    return out;
  };

  it('rejects a missing magic string and unknown versions', () => {
    expect(() => readNpy(new TextEncoder().encode('PK\x03\x04 not npy'))).toThrow(/must start with the magic/);
    const bad = v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", [0, 0, 0, 0]);
    bad[6] = 4;
    expect(() => readNpy(bad)).toThrow('readNpy: format version must be 1.0, 2.0 or 3.0, got 4.0');
  });

  it('rejects data shorter or longer than the shape needs', () => {
    const h = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }\n";
    expect(() => readNpy(v1(h, new Uint8Array(12)))).toThrow("readNpy: data must be 16 bytes for shape (2, 2) x '<i4', got 12");
    expect(() => readNpy(v1(h, new Uint8Array(20)))).toThrow(/got 20 \(several arrays appended/);
  });

  it('explains unsupported descrs', () => {
    const h = (d: string) => `{'descr': ${d}, 'fortran_order': False, 'shape': (1,), }\n`;
    expect(() => readNpy(v1(h("'<c8'"), new Uint8Array(8)))).toThrow(/descr '<c8': complex numbers cannot be read/);
    expect(() => readNpy(v1(h("'<U3'"), new Uint8Array(12)))).toThrow(/unicode strings/);
    expect(() => readNpy(v1(h("[('x', '<f4')]"), new Uint8Array(4)))).toThrow(/structured dtypes/);
    expect(() => readNpy(v1(h("'<f16'"), new Uint8Array(16)))).toThrow(/a 16-byte 'f' type cannot be read/);
  });

  it('rejects malformed header dicts', () => {
    expect(() => readNpy(v1("{'descr': '<f4', 'shape': (1,), }\n"))).toThrow(/must have the key 'fortran_order'/);
    expect(() => readNpy(v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1,\n"))).toThrow(/Python dict literal/);
    expect(() => readNpy(v1("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n"))).toThrow(/'shape' must be a tuple of non-negative ints/);
  });

  it('reads Python 2 long shapes like (3L,)', () => {
    expect([...readNpy(v1("{'descr': '|u1', 'fortran_order': False, 'shape': (3L,), }\n", [7, 8, 9])).data]).toEqual([7, 8, 9]);
  });

  it('refuses to write bfloat16, naming the array', () => {
    const w: NamedArray = { dtype: 'bfloat16', shape: [1], data: new Uint16Array(1) };
    expect(() => writeNpy(w)).toThrow(/dtype 'bfloat16' has no numpy equivalent/);
    expect(() => writeNpz({ emb: w })).toThrow(/writeNpz: tensor "emb" dtype 'bfloat16'/);
  });
});

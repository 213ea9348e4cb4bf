/**
 * Element types as stored in files (safetensors, .npy). These are wider than the Tensor
 * dtypes: the lead converts with `toCoreArray` (see core-array.ts) when wrapping.
 *
 * | IODType    | data array      | safetensors | npy descr        |
 * |------------|-----------------|-------------|------------------|
 * | float16    | Uint16Array (*) | F16         | <f2 / >f2        |
 * | bfloat16   | Uint16Array (*) | BF16        | (none in numpy)  |
 * | float32    | Float32Array    | F32         | <f4 / >f4        |
 * | float64    | Float64Array    | F64         | <f8 / >f8        |
 * | int8       | Int8Array       | I8          | |i1              |
 * | uint8      | Uint8Array      | U8          | |u1              |
 * | int16      | Int16Array      | I16         | <i2 / >i2        |
 * | uint16     | Uint16Array     | U16         | <u2 / >u2        |
 * | int32      | Int32Array      | I32         | <i4 / >i4        |
 * | uint32     | Uint32Array     | U32         | <u4 / >u4        |
 * | int64      | BigInt64Array   | I64         | <i8 / >i8        |
 * | uint64     | BigUint64Array  | U64         | <u8 / >u8        |
 * | bool       | Uint8Array 0/1  | BOOL        | |b1              |
 *
 * (*) half floats are kept as their raw IEEE-754 binary16 / bfloat16 bit patterns, because
 * JavaScript has no Float16Array in Node 20; readers decode them to Float32Array when asked
 * (`decodeHalf: true`), see half-float.ts.
 */
export type IODType =
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

export interface IOArrayFor {
  float16: Uint16Array;
  bfloat16: Uint16Array;
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

export type IOTypedArray = IOArrayFor[IODType];

/** One array as stored in a file: C-order (row-major) data, `data.length === prod(shape)`. */
export type NamedArray<D extends IODType = IODType> = {
  [K in D]: { dtype: K; shape: number[]; data: IOArrayFor[K] };
}[D];

export const IO_DTYPES: readonly IODType[] = [
  'float16', 'bfloat16', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16',
  'int32', 'uint32', 'int64', 'uint64', 'bool',
];

export const ITEMSIZE: Readonly<Record<IODType, number>> = {
  float16: 2, bfloat16: 2, float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2,
  int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1,
};

type Ctor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): IOTypedArray;
  new (length: number): IOTypedArray;
};

const CTOR: Readonly<Record<IODType, Ctor>> = {
  float16: Uint16Array, bfloat16: Uint16Array, float32: Float32Array, float64: Float64Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array,
};

export function isIODType(x: unknown): x is IODType {
  return typeof x === 'string' && (IO_DTYPES as readonly string[]).includes(x);
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The typed-array class that holds `dtype` (see the table above). */
export function arrayCtor(dtype: IODType): Ctor {
  return CTOR[dtype];
}

/** True when `data` is an instance of the array class `dtype` is stored in. */
export function dataMatchesDtype(dtype: IODType, data: unknown): boolean {
  return data instanceof CTOR[dtype];
}

/** Host byte order; every format here is little-endian on disk unless it says otherwise. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Tensor element types. `bool` is stored as one byte on the CPU and as u32 on WebGPU.
 * `float64` exists on the CPU backend only: it is what `gradcheck` differentiates in.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'uint32' | 'bool';
export type Device = 'cpu' | 'webgpu';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

export type ArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int32'
    ? Int32Array
    : D extends 'uint32'
      ? Uint32Array
      : Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'uint32', 'bool'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
    case 'uint32': return new Uint32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}

/** Converts numbers to the dtype's array (float -> int truncates toward zero, as a C cast). */
export function toTypedArray(dtype: DType, values: ArrayLike<number> | ArrayLike<boolean>): TypedArray {
  const out = allocArray(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  else for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  return out;
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  return 'bool';
}

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

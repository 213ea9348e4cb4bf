import { decodeBfloat16, decodeFloat16 } from './half-float.js';
import { int64ToInt32, type Int64ToInt32Options } from './int64.js';
import type { NamedArray } from './dtypes.js';

/** The element types a Tensor holds (mirrors core's DType, kept local so IO stands alone). */
export type CoreDType = 'float32' | 'float64' | 'int32' | 'uint32' | 'bool';

export type CoreArray =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'float64'; shape: number[]; data: Float64Array }
  | { dtype: 'int32'; shape: number[]; data: Int32Array }
  | { dtype: 'uint32'; shape: number[]; data: Uint32Array }
  | { dtype: 'bool'; shape: number[]; data: Uint8Array };

/**
 * Converts a file array to one a Tensor can hold. Every conversion is exact; a value that
 * does not fit throws instead of wrapping:
 *
 * - float16, bfloat16 -> float32 (exact: both are subsets of float32)
 * - float32, float64, int32, uint32, bool -> unchanged (same data, no copy)
 * - int8, int16, uint8, uint16 -> int32 (exact widening; uint8 images are not rescaled)
 * - int64, uint64 -> int32, checked: throws naming `key` and the first value outside int32
 *   (`wrapUint32` maps [2^31, 2^32) to negative int32 for FLAME's kintree_table)
 *
 * @param key used in error messages, normally the tensor's name in the file.
 */
export function toCoreArray(arr: NamedArray, key: string, options: Int64ToInt32Options = {}): CoreArray {
  const shape = arr.shape;
  switch (arr.dtype) {
    case 'float16': return { dtype: 'float32', shape, data: decodeFloat16(arr.data) };
    case 'bfloat16': return { dtype: 'float32', shape, data: decodeBfloat16(arr.data) };
    case 'float32':
    case 'float64':
    case 'int32':
    case 'uint32':
    case 'bool':
      return arr as CoreArray;
    case 'int8':
    case 'int16':
    case 'uint8':
    case 'uint16':
      return { dtype: 'int32', shape, data: Int32Array.from(arr.data) };
    case 'int64':
    case 'uint64':
      return { dtype: 'int32', shape, data: int64ToInt32(arr.data, key, options) };
  }
}

/**
 * Checks and host conversions for the /tensor binding. Float inputs are float32, or
 * float64 (CPU only; what core's gradcheck uses); every op computes on the float64 CPU
 * reference and returns its outputs in the inputs' dtype.
 */

import { Tensor, tensor } from '@headsplat/core';
import type { IndexArray } from '../types.js';
import { MeshRasterInputError } from '../validate.js';

export type FloatDType = 'float32' | 'float64';

export function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

export function checkTensor(fn: string, arg: string, t: unknown, rank: number, last?: number): Tensor {
  if (!(t instanceof Tensor)) throw new MeshRasterInputError(fn, arg, 'a Tensor', t === null ? 'null' : typeof t);
  const want = last === undefined ? `rank ${rank}` : `shape [${Array(rank - 1).fill('_').join(', ')}, ${last}]`;
  if (t.shape.length !== rank || (last !== undefined && t.shape[rank - 1] !== last)) throw new MeshRasterInputError(fn, arg, want, shapeStr(t.shape));
  if (t.device !== 'cpu') {
    throw new MeshRasterInputError(fn, arg, "device 'cpu' (the /tensor binding runs the CPU reference; move inputs with await t.to('cpu'))", `'${t.device}'`);
  }
  return t;
}

export function checkFloat(fn: string, arg: string, t: Tensor, dtype?: FloatDType): FloatDType {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new MeshRasterInputError(fn, arg, "dtype 'float32' or 'float64'", `'${t.dtype}'`);
  if (dtype && t.dtype !== dtype) throw new MeshRasterInputError(fn, arg, `dtype '${dtype}' (as the other float inputs)`, `'${t.dtype}'`);
  return t.dtype;
}

/** Faces as a host index array, from an int32 / uint32 (F, 3) tensor or a typed array. */
export function hostFaces(fn: string, faces: Tensor | IndexArray, arg = 'faces'): IndexArray {
  if (faces instanceof Uint32Array || faces instanceof Int32Array) return faces;
  checkTensor(fn, arg, faces, 2, 3);
  const t = faces as Tensor;
  if (t.dtype !== 'int32' && t.dtype !== 'uint32') throw new MeshRasterInputError(fn, arg, "dtype 'int32' or 'uint32'", `'${t.dtype}'`);
  return t.dataSync() as IndexArray;
}

export function host64(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync() as ArrayLike<number>);
}

export function toTensor(values: Float64Array, shape: readonly number[], dtype: FloatDType): Tensor {
  return tensor(dtype === 'float64' ? values : Float32Array.from(values), { shape: [...shape], dtype, device: 'cpu' });
}

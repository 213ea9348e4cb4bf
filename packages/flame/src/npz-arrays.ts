import { decodeBfloat16, decodeFloat16, int64ToInt32, type NamedArray } from '@headsplat/core';
import { flameFail, raw } from './errors.js';

/**
 * Conversions from arrays as read from .npz files (any numeric dtype) to the typed arrays the
 * flame package holds, with errors naming the function and the key.
 */
export function shapeText(shape: readonly (number | string)[]): string {
  return `(${shape.join(', ')})`;
}

/** Float data of any file dtype as Float32Array. */
export function floatData(fn: string, key: string, a: NamedArray): Float32Array {
  switch (a.dtype) {
    case 'float32': return a.data;
    case 'float16': return decodeFloat16(a.data);
    case 'bfloat16': return decodeBfloat16(a.data);
    case 'int64': case 'uint64': return Float32Array.from(a.data, Number);
    case 'bool': flameFail(fn, `key '${key}'`, 'a numeric array', raw('dtype bool'));
    default: return Float32Array.from(a.data as ArrayLike<number>);
  }
}

/**
 * Integer data as Int32Array; int64 is range-checked, uint32/int64 2^32 - 1 (FLAME's root
 * parent in kintree_table) reads as -1 when `wrapUint32`. Floats must be whole numbers.
 */
export function intData(fn: string, key: string, a: NamedArray, wrapUint32 = false): Int32Array {
  switch (a.dtype) {
    case 'int64': case 'uint64': return int64ToInt32(a.data, key, { wrapUint32 });
    case 'int32': return a.data;
    case 'uint32': return Int32Array.from(a.data, (v) => (wrapUint32 ? v | 0 : checkedInt(fn, key, v)));
    case 'float32': case 'float64': case 'float16': case 'bfloat16': {
      const f = floatOf(a);
      return Int32Array.from(f, (v) => checkedInt(fn, key, v));
    }
    case 'bool': flameFail(fn, `key '${key}'`, 'an integer array', raw('dtype bool'));
    default: return Int32Array.from(a.data as ArrayLike<number>);
  }
}

function floatOf(a: NamedArray): ArrayLike<number> {
  if (a.dtype === 'float16') return decodeFloat16(a.data);
  if (a.dtype === 'bfloat16') return decodeBfloat16(a.data);
  return a.data as ArrayLike<number>;
}

function checkedInt(fn: string, key: string, v: number): number {
  if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) flameFail(fn, `key '${key}'`, 'whole numbers in int32 range', v);
  return v;
}

/** Drops leading singleton dims until the rank is `rank` (DECA stores some embeddings as (1, 68)). */
export function squeezeLeading(shape: readonly number[], rank: number): number[] {
  const s = [...shape];
  while (s.length > rank && s[0] === 1) s.shift();
  return s;
}

/** Checks a shape against a pattern where numbers must match and strings are free names; returns the free sizes. */
export function matchShape(fn: string, key: string, shape: readonly number[], pattern: readonly (number | string)[], note = ''): Record<string, number> {
  const free: Record<string, number> = {};
  const ok = shape.length === pattern.length && pattern.every((p, i) => {
    if (typeof p === 'number') return shape[i] === p;
    if (p in free) return free[p] === shape[i];
    free[p] = shape[i];
    return true;
  });
  if (!ok) flameFail(fn, `key '${key}'`, `of shape ${shapeText(pattern)}${note}`, raw(`shape ${shapeText(shape)}`));
  return free;
}

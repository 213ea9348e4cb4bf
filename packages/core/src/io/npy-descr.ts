import type { IODType } from './dtypes.js';

/**
 * numpy dtype `descr` strings (array-interface typestr: byte order, kind, item size) <-> IODType.
 * @see https://numpy.org/doc/stable/reference/arrays.interface.html#object.__array_interface__
 */
export interface NpyDescr {
  dtype: IODType;
  littleEndian: boolean;
}

const KINDS: Readonly<Record<string, Readonly<Record<number, IODType>>>> = {
  f: { 2: 'float16', 4: 'float32', 8: 'float64' },
  i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
  u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
  b: { 1: 'bool' },
};

const UNSUPPORTED_KINDS: Readonly<Record<string, string>> = {
  O: 'pickled Python objects',
  U: 'unicode strings',
  S: 'byte strings',
  a: 'byte strings',
  V: 'raw or structured void data',
  c: 'complex numbers',
  M: 'datetime64',
  m: 'timedelta64',
};

/** Parses a descr; returns an explanation string when it is not supported. */
export function parseNpyDescr(descr: unknown): NpyDescr | string {
  if (typeof descr !== 'string' || descr.startsWith('[')) return 'structured dtypes (a list descr) are not supported';
  const m = /^([<>|=])([a-zA-Z?])(\d*)/.exec(descr);
  const supported = 'supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1';
  if (m && UNSUPPORTED_KINDS[m[2]]) return `${UNSUPPORTED_KINDS[m[2]]} cannot be read; ${supported}`;
  if (!m || m[0] !== descr) return `descr must look like '<f4', '>i8' or '|b1'; ${supported}`;
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  const dtype = KINDS[kind]?.[size];
  if (!dtype) return `${KINDS[kind] ? `a ${size}-byte '${kind}' type` : `kind '${kind}'`} cannot be read; ${supported}`;
  // '=' is "native" in a live dtype; files written by numpy always say '<', '>' or '|'.
  return { dtype, littleEndian: order !== '>' };
}

const KIND_OF: Readonly<Record<IODType, string | null>> = {
  float16: '<f2', bfloat16: null, float32: '<f4', float64: '<f8', int8: '|i1', uint8: '|u1',
  int16: '<i2', uint16: '<u2', int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8', bool: '|b1',
};

/** The little-endian descr numpy writes for `dtype`; null for bfloat16, which numpy lacks. */
export function npyDescrFor(dtype: IODType): string | null {
  return KIND_OF[dtype];
}

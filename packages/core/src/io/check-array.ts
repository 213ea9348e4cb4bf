import { arrayCtor, isIODType, numel, type NamedArray } from './dtypes.js';
import { ioFail, keyStr } from './io-error.js';

/** Validates a NamedArray given to a writer; errors name the writer, the key and the mismatch. */
export function checkNamedArray(fn: string, key: string, arr: NamedArray): void {
  const k = `tensor ${keyStr(key)}`;
  const maybe = (arr as { dtype?: unknown } | undefined)?.dtype;
  if (!isIODType(maybe)) ioFail(fn, `${k} dtype must be an IODType, got ${JSON.stringify(maybe)}`);
  const { dtype, shape, data } = arr;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    ioFail(fn, `${k} shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const Ctor = arrayCtor(dtype);
  if (!(data instanceof Ctor)) {
    const actual = (data as object | undefined)?.constructor?.name ?? String(data);
    ioFail(fn, `${k} data must be a ${Ctor.name} for dtype '${dtype}', got ${actual}`);
  }
  if (data.length !== numel(shape)) {
    ioFail(fn, `${k} data must have ${numel(shape)} elements for shape [${shape.join(', ')}], got ${data.length}`);
  }
  if (dtype === 'bool') {
    const i = data.findIndex((v) => v > 1);
    if (i >= 0) ioFail(fn, `${k} bool data must be 0 or 1, got ${data[i]} at flat index ${i}`);
  }
}

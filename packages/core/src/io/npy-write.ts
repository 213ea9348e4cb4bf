import { ITEMSIZE, type NamedArray } from './dtypes.js';
import { checkNamedArray } from './check-array.js';
import { ioFail } from './io-error.js';
import { npyDescrFor } from './npy-descr.js';
import { littleEndianBytes } from './typed-view.js';

/** numpy.lib.format constants: header+preamble aligned to 64 bytes; spare room to grow shape. */
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * Writes a C-order, little-endian .npy file byte-for-byte as numpy's `np.save` does
 * (`_write_array_header`: sorted keys, repr'd values, spare spaces after the dict for the
 * growth axis, space padding and '\n' so that the data starts at a multiple of 64), using
 * format 1.0 unless the header needs more than 65535 bytes (then 2.0).
 * @see https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
export function writeNpy(arr: NamedArray): Uint8Array {
  return encodeNpy(arr, 'array', 'writeNpy');
}

/** writeNpy with errors naming `key` and prefixed with `where` (writeNpz names the array). */
export function encodeNpy(arr: NamedArray, key: string, where: string): Uint8Array {
  checkNamedArray(where, key, arr);
  const descr = npyDescrFor(arr.dtype);
  if (descr === null) {
    ioFail(where, `tensor ${JSON.stringify(key)} dtype 'bfloat16' has no numpy equivalent; ` +
      'convert it with decodeBfloat16 (to float32) first');
  }
  const shape = arr.shape;
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const text = new TextEncoder().encode(dict); // ASCII only: latin1 == utf8 here
  let version = 1;
  let lenSize = 2;
  let padded = paddedLength(text.length, lenSize);
  if (padded >= 65536) {
    version = 2;
    lenSize = 4;
    padded = paddedLength(text.length, lenSize);
  }
  const data = littleEndianBytes(arr.data, ITEMSIZE[arr.dtype]);
  const start = 8 + lenSize + padded;
  const out = new Uint8Array(start + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, padded, true);
  else dv.setUint32(8, padded, true);
  out.set(text, 8 + lenSize);
  out.fill(0x20, 8 + lenSize + text.length, start - 1);
  out[start - 1] = 0x0a;
  out.set(data, start);
  return out;
}

/** numpy's `_wrap_header`: padlen = ALIGN - ((6 + 2 + lenSize + hlen) % ALIGN), hlen counts '\n'. */
function paddedLength(dictLength: number, lenSize: number): number {
  const hlen = dictLength + 1;
  const padlen = ARRAY_ALIGN - ((8 + lenSize + hlen) % ARRAY_ALIGN);
  return hlen + padlen;
}

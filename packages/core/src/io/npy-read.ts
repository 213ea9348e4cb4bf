import { ITEMSIZE, numel, type NamedArray } from './dtypes.js';
import { fortranToC } from './fortran-order.js';
import { decodeFloat16 } from './half-float.js';
import { ioFail } from './io-error.js';
import { parseNpyDescr } from './npy-descr.js';
import { parsePythonLiteral } from './python-literal.js';
import { typedView } from './typed-view.js';

/**
 * The .npy format (numpy NEP 1, numpy.lib.format):
 *   6 bytes  magic "\x93NUMPY"
 *   2 bytes  major, minor version: 1.0, 2.0 or 3.0
 *   2 bytes  (v1) or 4 bytes (v2, v3): little-endian header length HLEN
 *   HLEN     a Python dict literal {'descr': str, 'fortran_order': bool, 'shape': tuple},
 *            space-padded and '\n'-terminated; latin1 in v1/v2, utf8 in v3
 *   rest     the array data
 * @see https://numpy.org/neps/nep-0001-npy-format.html
 * @see https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
export interface ReadNpyOptions {
  /** Decode '<f2' to float32 (dtype 'float32', Float32Array). Default false: raw bits. */
  decodeHalf?: boolean;
  /**
   * What to do with `fortran_order: True` files: 'transpose' (default) copies the data into
   * C order with the same logical shape; 'error' throws.
   */
  fortranOrder?: 'transpose' | 'error';
}

export interface NpyHeader {
  version: [number, number];
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Offset of the array data in the file. */
  dataStart: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Parses the header of a .npy file. `where` prefixes errors (e.g. `readNpz: member "a.npy"`). */
export function readNpyHeader(bytes: Uint8Array, where = 'readNpy'): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    ioFail(where, `file must start with the magic "\\x93NUMPY", got ${JSON.stringify(String.fromCharCode(...bytes.subarray(0, 6)))}`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) ioFail(where, `format version must be 1.0, 2.0 or 3.0, got ${major}.${minor}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) ioFail(where, `file of ${bytes.length} bytes is too short for a v${major} header`);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataStart = 8 + lenSize + hlen;
  if (dataStart > bytes.length) ioFail(where, `header length ${hlen} must fit in the file of ${bytes.length} bytes`);
  const headerBytes = bytes.subarray(8 + lenSize, dataStart);
  // latin1 decoded by hand: WHATWG TextDecoder('latin1') is really windows-1252.
  const text = (major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : String.fromCharCode(...headerBytes)).trim();
  let dict;
  try {
    dict = parsePythonLiteral(text);
  } catch (e) {
    ioFail(where, `header must be a Python dict literal: ${(e as Error).message}`);
  }
  if (!(dict instanceof Map)) ioFail(where, `header must be a dict, got ${JSON.stringify(text)}`);
  for (const k of ['descr', 'fortran_order', 'shape']) {
    if (!dict.has(k)) ioFail(where, `header must have the key '${k}', got ${JSON.stringify(text)}`);
  }
  const descr = dict.get('descr');
  const fortranOrder = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof fortranOrder !== 'boolean') ioFail(where, `header 'fortran_order' must be True or False, got ${JSON.stringify(fortranOrder)}`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    ioFail(where, `header 'shape' must be a tuple of non-negative ints, got ${JSON.stringify(text)}`);
  }
  return {
    version: [major, minor],
    descr: typeof descr === 'string' ? descr : JSON.stringify(descr),
    fortranOrder,
    shape: shape as number[],
    dataStart,
  };
}

/**
 * Reads a .npy file. Little-endian data aligned in `bytes.buffer` is a zero-copy view of
 * `bytes`; big-endian (byte-swapped), misaligned, Fortran-order and decoded data are copies.
 */
export function readNpy(input: Uint8Array | ArrayBuffer, options: ReadNpyOptions = {}): NamedArray {
  return decodeNpy(input instanceof Uint8Array ? input : new Uint8Array(input), options, 'readNpy');
}

/** readNpy with the error prefix `where` (readNpz names the member). */
export function decodeNpy(bytes: Uint8Array, options: ReadNpyOptions, where: string): NamedArray {
  const header = readNpyHeader(bytes, where);
  const parsed = parseNpyDescr(header.descr);
  if (typeof parsed === 'string') ioFail(where, `descr '${header.descr}': ${parsed}`);
  const { dtype, littleEndian } = parsed;
  const count = numel(header.shape);
  const expected = count * ITEMSIZE[dtype];
  const actual = bytes.length - header.dataStart;
  if (actual !== expected) {
    ioFail(where, `data must be ${expected} bytes for shape (${header.shape.join(', ')}) x '${header.descr}', got ${actual}` +
      (actual > expected ? ' (several arrays appended to one file are not supported)' : ''));
  }
  let data = typedView(bytes, header.dataStart, count, dtype, littleEndian);
  if (header.fortranOrder && header.shape.length > 1) {
    if (options.fortranOrder === 'error') {
      ioFail(where, `fortran_order must be False (options.fortranOrder is 'error'), got True for shape (${header.shape.join(', ')})`);
    }
    data = fortranToC(data, header.shape);
  }
  const arr = { dtype, shape: header.shape, data } as NamedArray;
  if (options.decodeHalf && arr.dtype === 'float16') return { dtype: 'float32', shape: arr.shape, data: decodeFloat16(arr.data) };
  return arr;
}

import { numel, type NamedArray } from './dtypes.js';
import { decodeBfloat16, decodeFloat16 } from './half-float.js';
import { ioFail, keyStr } from './io-error.js';
import { setOwn } from './own-record.js';
import { SAFETENSORS_TO_IO } from './safetensors-dtype.js';
import { readSafetensorsHeader } from './safetensors-header.js';
import { typedView } from './typed-view.js';

export interface ReadSafetensorsOptions {
  /** Read only these tensors (the header is still validated as a whole). Unknown names throw. */
  names?: readonly string[];
  /** Decode F16 and BF16 to float32 (dtype 'float32', Float32Array). Default false: raw bits. */
  decodeHalf?: boolean;
}

export interface SafetensorsContents {
  /** In header order. */
  tensors: Record<string, NamedArray>;
  /** The "__metadata__" string map; {} when the file has none. */
  metadata: Record<string, string>;
}

/**
 * Reads a safetensors file (https://github.com/huggingface/safetensors#format).
 *
 * Tensors whose data is aligned to their item size in `bytes.buffer` are zero-copy views that
 * share memory with `bytes` (files written by the reference writer are aligned when the file
 * starts at an aligned address); others are copied. Decoded half floats are always new arrays.
 */
export function readSafetensors(
  input: Uint8Array | ArrayBuffer,
  options: ReadSafetensorsOptions = {},
): SafetensorsContents {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const header = readSafetensorsHeader(bytes);
  let names = header.names;
  if (options.names) {
    for (const name of options.names) {
      if (!header.tensors.has(name)) {
        ioFail('readSafetensors', `options.names entry ${keyStr(name)} must be a tensor in the file, ` +
          `which has ${header.names.length} tensors${header.names.length ? ` (first: ${keyStr(header.names[0])})` : ''}`);
      }
    }
    const wanted = new Set(options.names);
    names = names.filter((name) => wanted.has(name));
  }
  const tensors: Record<string, NamedArray> = {};
  for (const name of names) {
    const info = header.tensors.get(name)!;
    const dtype = SAFETENSORS_TO_IO[info.dtype];
    const count = numel(info.shape);
    const data = typedView(bytes, header.dataStart + info.dataOffsets[0], count, dtype);
    let arr = { dtype, shape: info.shape, data } as NamedArray;
    // Any non-zero byte is true (as torch reads it); normalise so bool data is always 0/1.
    if (arr.dtype === 'bool' && arr.data.some((v) => v > 1)) arr = { dtype: 'bool', shape: arr.shape, data: arr.data.map((v) => (v ? 1 : 0)) };
    if (options.decodeHalf && arr.dtype === 'float16') arr = { dtype: 'float32', shape: arr.shape, data: decodeFloat16(arr.data) };
    if (options.decodeHalf && arr.dtype === 'bfloat16') arr = { dtype: 'float32', shape: arr.shape, data: decodeBfloat16(arr.data) };
    setOwn(tensors, name, arr);
  }
  return { tensors, metadata: header.metadata };
}

import { ITEMSIZE, type NamedArray } from './dtypes.js';
import { checkNamedArray } from './check-array.js';
import { ioFail, keyStr } from './io-error.js';
import { entriesOf } from './own-record.js';
import { IO_TO_SAFETENSORS, SAFETENSORS_DTYPE_RANK } from './safetensors-dtype.js';
import { MAX_HEADER_SIZE } from './safetensors-header.js';
import { littleEndianBytes } from './typed-view.js';

/**
 * Writes a safetensors file as the reference writer (safetensors/src/tensor.rs `prepare` and
 * `serialize`) does: tensors ordered by dtype rank descending then by name, packed without
 * gaps; compact JSON header with "__metadata__" first, then per tensor dtype, shape,
 * data_offsets; header right-padded with spaces to a multiple of 8 bytes so that every
 * tensor's data is aligned to its item size.
 * @see https://github.com/huggingface/safetensors#format
 */
export function writeSafetensors(
  tensors: Record<string, NamedArray> | Map<string, NamedArray>,
  metadata?: Record<string, string>,
): Uint8Array {
  const FN = 'writeSafetensors';
  const entries = entriesOf(tensors);
  for (const [key, arr] of entries) {
    if (key === '__metadata__') ioFail(FN, `tensor key ${keyStr(key)} is reserved for the metadata map`);
    checkNamedArray(FN, key, arr);
  }
  entries.sort(([ka, a], [kb, b]) =>
    SAFETENSORS_DTYPE_RANK[IO_TO_SAFETENSORS[b.dtype]] - SAFETENSORS_DTYPE_RANK[IO_TO_SAFETENSORS[a.dtype]] ||
    (ka < kb ? -1 : ka > kb ? 1 : 0));

  // Built by hand, not from an object: JS objects list integer-like keys ("12") first.
  const parts: string[] = [];
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') ioFail(FN, `metadata value for ${keyStr(k)} must be a string, got ${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const [key, arr] of entries) {
    const size = arr.data.length * ITEMSIZE[arr.dtype];
    const info = { dtype: IO_TO_SAFETENSORS[arr.dtype], shape: arr.shape, data_offsets: [offset, offset + size] };
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(info)}`);
    offset += size;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_SIZE) ioFail(FN, `header must be at most ${MAX_HEADER_SIZE} bytes (what readers accept), got ${headerLength}`);
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const [, arr] of entries) {
    const bytes = littleEndianBytes(arr.data, ITEMSIZE[arr.dtype]);
    out.set(bytes, pos);
    pos += bytes.length;
  }
  return out;
}

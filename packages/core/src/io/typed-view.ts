import { HOST_IS_LITTLE_ENDIAN, ITEMSIZE, arrayCtor, type IODType, type IOTypedArray } from './dtypes.js';

/**
 * Returns the elements stored at `bytes[start, start + count * itemsize)` as the typed array
 * for `dtype`. When the absolute address is a multiple of the item size and the stored byte
 * order matches the host's, the result is a zero-copy view that shares memory with `bytes`
 * (writes through it change the input); otherwise the bytes are copied (and byte-swapped
 * when `littleEndian` differs from the host).
 */
export function typedView(
  bytes: Uint8Array,
  start: number,
  count: number,
  dtype: IODType,
  littleEndian = true,
): IOTypedArray {
  const size = ITEMSIZE[dtype];
  const Ctor = arrayCtor(dtype);
  const abs = bytes.byteOffset + start;
  const swap = size > 1 && littleEndian !== HOST_IS_LITTLE_ENDIAN;
  if (!swap && abs % size === 0) return new Ctor(bytes.buffer, abs, count);
  // Not `bytes.slice`: on a Node Buffer that returns a view, not a copy.
  const copy = new Uint8Array(count * size);
  copy.set(bytes.subarray(start, start + count * size));
  if (swap) swapBytesInPlace(copy, size);
  return new Ctor(copy.buffer, 0, count);
}

/** Reverses the byte order of every `size`-byte item of `bytes`. */
export function swapBytesInPlace(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** The raw little-endian bytes of a typed array (a view when the host is little-endian). */
export function littleEndianBytes(data: IOTypedArray, itemsize: number): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (HOST_IS_LITTLE_ENDIAN || itemsize === 1) return view;
  const copy = view.slice();
  swapBytesInPlace(copy, itemsize);
  return copy;
}

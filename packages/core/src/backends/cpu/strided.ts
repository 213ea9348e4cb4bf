import type { TypedArray } from '../../dtype.js';

/**
 * Copies a strided block: for every multi-index m of `shape`,
 * dst[dstOff + Σ m_k·dstStrides_k] = src[srcOff + Σ m_k·srcStrides_k].
 * Adjacent axes that are contiguous in both source and destination are merged first,
 * so that transposes of inner blocks, slices of rows and concats copy long runs
 * (`TypedArray.set`) instead of walking every element. One helper serves Transpose,
 * BroadcastTo (stride 0), Slice (negative strides), Concat and Pad.
 */
export function stridedCopy(
  src: TypedArray,
  srcOff: number,
  srcStrides: readonly number[],
  dst: TypedArray,
  dstOff: number,
  dstStrides: readonly number[],
  shape: readonly number[],
): void {
  let size = 1;
  for (const d of shape) size *= d;
  if (size === 0) return;
  // Drop unit axes, then merge (i, i+1) when both strides chain.
  const sh: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const k = sh.length - 1;
    if (k >= 0 && ss[k] === srcStrides[i] * shape[i] && ds[k] === dstStrides[i] * shape[i]) {
      sh[k] *= shape[i];
      ss[k] = srcStrides[i];
      ds[k] = dstStrides[i];
    } else {
      sh.push(shape[i]);
      ss.push(srcStrides[i]);
      ds.push(dstStrides[i]);
    }
  }
  const rank = sh.length;
  if (rank === 0) {
    dst[dstOff] = src[srcOff];
    return;
  }
  const last = rank - 1;
  const n = sh[last];
  const sIn = ss[last];
  const sOut = ds[last];
  const contiguous = sIn === 1 && sOut === 1;
  const idx = new Int32Array(rank);
  let s = srcOff;
  let d = dstOff;
  for (;;) {
    if (contiguous) {
      if (n > 32) dst.set(src.subarray(s, s + n), d);
      else for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
    } else if (sIn === 0) {
      const v = src[s];
      for (let i = 0, b = d; i < n; i++, b += sOut) dst[b] = v;
    } else {
      for (let i = 0, a = s, b = d; i < n; i++, a += sIn, b += sOut) dst[b] = src[a];
    }
    let ax = last - 1;
    for (; ax >= 0; ax--) {
      idx[ax]++;
      s += ss[ax];
      d += ds[ax];
      if (idx[ax] < sh[ax]) break;
      s -= ss[ax] * sh[ax];
      d -= ds[ax] * sh[ax];
      idx[ax] = 0;
    }
    if (ax < 0) return;
  }
}

/** (outer, axis length, inner) sizes of `shape` split at `axis`. */
export function splitAt(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis], inner];
}

import type { IOTypedArray } from './dtypes.js';

/**
 * Reorders column-major (Fortran) data of logical shape `shape` into row-major (C) order,
 * which is what `np.ascontiguousarray` does for a `fortran_order: True` .npy file.
 */
export function fortranToC<T extends IOTypedArray>(src: T, shape: readonly number[]): T {
  const out = new (src.constructor as new (n: number) => T)(src.length);
  const nd = shape.length;
  if (nd <= 1 || src.length === 0) {
    out.set(src as never);
    return out;
  }
  // Column-major strides: axis 0 varies fastest.
  const stride = new Array<number>(nd);
  stride[0] = 1;
  for (let k = 1; k < nd; k++) stride[k] = stride[k - 1] * shape[k - 1];
  const idx = new Array<number>(nd).fill(0);
  let f = 0;
  for (let c = 0; c < src.length; c++) {
    out[c] = src[f];
    // Advance the C-order multi-index (last axis fastest) and keep `f` in step.
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]++;
      f += stride[k];
      if (idx[k] < shape[k]) break;
      f -= stride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

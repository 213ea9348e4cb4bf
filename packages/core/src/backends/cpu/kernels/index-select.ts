import type { TypedArray } from '../../../dtype.js';
import { HeadsplatError } from '../../../errors.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { cpuBackend } from '../cpu-backend.js';
import { splitAt } from '../strided.js';

/** @internal throws when an index is outside [0, bound). */
export function checkIndexRange(kernel: string, idx: Int32Array, bound: number): void {
  for (let j = 0; j < idx.length; j++) {
    const v = idx[j];
    if (v < 0 || v >= bound) throw new HeadsplatError(`${kernel}: index ${v} at position ${j} is out of range [0, ${bound})`);
  }
}

/** out[o, j, i] = x[o, indices[j], i]: copies rows of `inner` elements. */
registerKernel<KernelAttrs['IndexSelect']>('cpu', 'IndexSelect', ([x, indices], { axis }) => {
  const X = x.storage as TypedArray;
  const idx = indices.storage as Int32Array;
  const [outer, len, inner] = splitAt(x.shape, axis);
  checkIndexRange('IndexSelect', idx, len);
  const m = idx.length;
  const shape = [...x.shape];
  shape[axis] = m;
  const out = cpuBackend.alloc(x.dtype, outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const s = (o * len + idx[j]) * inner;
      const d = (o * m + j) * inner;
      if (inner > 32) out.set(X.subarray(s, s + inner), d);
      else for (let i = 0; i < inner; i++) out[d + i] = X[s + i];
    }
  }
  return { storage: out, shape, dtype: x.dtype };
});

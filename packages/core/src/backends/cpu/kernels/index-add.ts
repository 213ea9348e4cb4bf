import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { cpuBackend } from '../cpu-backend.js';
import { splitAt } from '../strided.js';
import { checkIndexRange } from './index-select.js';

/** out = zeros with out.shape[axis] = dimSize; out[o, indices[j], i] += src[o, j, i]. */
registerKernel<KernelAttrs['IndexAdd']>('cpu', 'IndexAdd', ([src, indices], { axis, dimSize }) => {
  const S = src.storage as TypedArray;
  const idx = indices.storage as Int32Array;
  checkIndexRange('IndexAdd', idx, dimSize);
  const [outer, m, inner] = splitAt(src.shape, axis);
  const shape = [...src.shape];
  shape[axis] = dimSize;
  const out = cpuBackend.alloc(src.dtype, outer * dimSize * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const d = (o * dimSize + idx[j]) * inner;
      const s = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[d + i] += S[s + i];
    }
  }
  return { storage: out, shape, dtype: src.dtype };
});

import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { sizeOf, stridesOf } from '../../../shape.js';
import { cpuBackend } from '../cpu-backend.js';
import { checkIndexRange } from './index-select.js';

/**
 * zeros(shape), then torch.scatter_add_ along axis: for every multi-index m of `index`,
 * out[m with m[axis] = index[m]] += src[m] (src may be larger than index).
 */
registerKernel<KernelAttrs['ScatterAddElements']>('cpu', 'ScatterAddElements', ([src, index], { axis, shape }) => {
  const S = src.storage as TypedArray;
  const I = index.storage as Int32Array;
  checkIndexRange('ScatterAddElements', I, shape[axis]);
  const ishape = index.shape;
  const rank = ishape.length;
  const os = stridesOf(shape);
  const ss = stridesOf(src.shape);
  const out = cpuBackend.alloc(src.dtype, sizeOf(shape));
  const idx = new Int32Array(rank);
  const ax = os[axis];
  let ob = 0;
  let sb = 0;
  for (let k = 0, n = index.size; k < n; k++) {
    out[ob + I[k] * ax] += S[sb];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      sb += ss[d];
      if (d !== axis) ob += os[d];
      if (idx[d] < ishape[d]) break;
      sb -= ss[d] * ishape[d];
      if (d !== axis) ob -= os[d] * ishape[d];
      idx[d] = 0;
    }
  }
  return { storage: out, shape, dtype: src.dtype };
});

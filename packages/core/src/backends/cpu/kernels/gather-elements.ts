import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { stridesOf } from '../../../shape.js';
import { cpuBackend } from '../cpu-backend.js';
import { checkIndexRange } from './index-select.js';

/**
 * torch.gather: out[m] = x[m with m[axis] replaced by index[m]], out.shape = index.shape
 * (index may be smaller than x on the other axes).
 */
registerKernel<KernelAttrs['GatherElements']>('cpu', 'GatherElements', ([x, index], { axis }) => {
  const X = x.storage as TypedArray;
  const I = index.storage as Int32Array;
  checkIndexRange('GatherElements', I, x.shape[axis]);
  const shape = index.shape;
  const rank = shape.length;
  const xs = stridesOf(x.shape);
  const n = index.size;
  const out = cpuBackend.alloc(x.dtype, n);
  const idx = new Int32Array(rank);
  const ax = xs[axis];
  let base = 0; // x offset of m with m[axis] = 0
  for (let k = 0; k < n; k++) {
    out[k] = X[base + I[k] * ax];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      if (d !== axis) base += xs[d];
      if (idx[d] < shape[d]) break;
      if (d !== axis) base -= xs[d] * shape[d];
      idx[d] = 0;
    }
  }
  return { storage: out, shape, dtype: x.dtype };
});

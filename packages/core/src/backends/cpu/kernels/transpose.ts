import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { stridesOf } from '../../../shape.js';
import { cpuBackend } from '../cpu-backend.js';
import { stridedCopy } from '../strided.js';

/** out.shape[k] = x.shape[perm[k]]: a strided read of x in output order. */
registerKernel<KernelAttrs['Transpose']>('cpu', 'Transpose', ([x], { perm }) => {
  const inStrides = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]);
  const out = cpuBackend.alloc(x.dtype, x.size);
  stridedCopy(x.storage as TypedArray, 0, perm.map((p) => inStrides[p]), out, 0, stridesOf(shape), shape);
  return { storage: out, shape, dtype: x.dtype };
});

import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { sizeOf, stridesOf } from '../../../shape.js';
import { cpuBackend } from '../cpu-backend.js';
import { stridedCopy } from '../strided.js';

/** Copies each input into its slab of the output along `axis`. */
registerKernel<KernelAttrs['Concat']>('cpu', 'Concat', (xs, { axis }) => {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
  const out = cpuBackend.alloc(xs[0].dtype, sizeOf(shape));
  const outStrides = stridesOf(shape);
  let at = 0;
  for (const t of xs) {
    stridedCopy(t.storage as TypedArray, 0, stridesOf(t.shape), out, at * outStrides[axis], outStrides, t.shape);
    at += t.shape[axis];
  }
  return { storage: out, shape, dtype: xs[0].dtype };
});

import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { sizeOf, stridesOf } from '../../../shape.js';
import { cpuBackend } from '../cpu-backend.js';
import { stridedCopy } from '../strided.js';

/** Materialises a NumPy broadcast: broadcast axes read with stride 0. */
registerKernel<KernelAttrs['BroadcastTo']>('cpu', 'BroadcastTo', ([x], { shape }) => {
  const off = shape.length - x.rank;
  const xs = stridesOf(x.shape);
  const strides = shape.map((_, i) => (i < off || x.shape[i - off] === 1 ? 0 : xs[i - off]));
  const out = cpuBackend.alloc(x.dtype, sizeOf(shape));
  stridedCopy(x.storage as TypedArray, 0, strides, out, 0, stridesOf(shape), shape);
  return { storage: out, shape, dtype: x.dtype };
});

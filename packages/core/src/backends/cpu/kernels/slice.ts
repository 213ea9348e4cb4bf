import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { sizeOf, stridesOf } from '../../../shape.js';
import { cpuBackend } from '../cpu-backend.js';
import { stridedCopy } from '../strided.js';

/** out[j] = x[start + j·step] per axis (steps may be negative). */
registerKernel<KernelAttrs['Slice']>('cpu', 'Slice', ([x], { start, step, size }) => {
  const xs = stridesOf(x.shape);
  let off = 0;
  for (let i = 0; i < xs.length; i++) off += start[i] * xs[i];
  const out = cpuBackend.alloc(x.dtype, sizeOf(size));
  if (out.length) stridedCopy(x.storage as TypedArray, off, xs.map((s, i) => s * step[i]), out, 0, stridesOf(size), size);
  return { storage: out, shape: size, dtype: x.dtype };
});

import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { sizeOf, stridesOf } from '../../../shape.js';
import { cpuBackend } from '../cpu-backend.js';
import { stridedCopy } from '../strided.js';

/** Constant padding: fill with `value`, then copy x into the interior. */
registerKernel<KernelAttrs['Pad']>('cpu', 'Pad', ([x], { pads, value }) => {
  const shape = x.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const out = cpuBackend.alloc(x.dtype, sizeOf(shape));
  if (value !== 0) out.fill(x.dtype === 'bool' ? (value ? 1 : 0) : value);
  const os = stridesOf(shape);
  let off = 0;
  for (let i = 0; i < shape.length; i++) off += pads[i][0] * os[i];
  stridedCopy(x.storage as TypedArray, 0, stridesOf(x.shape), out, off, os, x.shape);
  return { storage: out, shape, dtype: x.dtype };
});

import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { cpuBackend } from '../cpu-backend.js';
import { splitAt } from '../strided.js';

/** Inclusive prefix sum along one axis, forward or from the end; float64 accumulator. */
registerKernel<KernelAttrs['Cumsum']>('cpu', 'Cumsum', ([x], { axis, reverse }) => {
  const X = x.storage as TypedArray;
  const out = cpuBackend.alloc(x.dtype, x.size);
  const [outer, len, inner] = splitAt(x.shape, axis);
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    const base = o * len * inner;
    for (let j = 0; j < len; j++) {
      const row = base + (reverse ? len - 1 - j : j) * inner;
      for (let i = 0; i < inner; i++) {
        acc[i] += X[row + i];
        out[row + i] = acc[i];
      }
    }
  }
  return { storage: out, shape: x.shape, dtype: x.dtype };
});

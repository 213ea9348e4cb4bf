import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';

/** In-place copy of source into target's array (same dtype: same typed-array type). */
registerKernel<KernelAttrs['Assign']>('cpu', 'Assign', ([target, source]) => {
  const dst = target.storage as TypedArray;
  const src = source.storage as TypedArray;
  if (dst !== src) dst.set(src);
  return [];
});

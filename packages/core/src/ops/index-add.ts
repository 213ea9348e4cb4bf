import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel } from '../op.js';
import type { Tensor } from '../tensor.js';

/**
 * The IndexSelect / IndexAdd primitives with their gradients (each the other's
 * transpose), without argument validation: the public ops in indexing.ts validate.
 */

/** @internal out = x selected along axis by 1-D int32 indices. */
export function indexSelectPrim(x: Tensor, axis: number, indices: Tensor): Tensor {
  const out = runKernel<KernelAttrs['IndexSelect']>('IndexSelect', [x, indices], { axis })[0];
  const n = x.shape[axis];
  record({ name: 'indexSelect', inputs: [x, indices], outputs: [out], save: [indices], backward: ([g], [idx]) => [indexAddInto(g!, axis, idx, n), null] });
  return out;
}

/** @internal zeros with shape[axis] = dimSize, then out[.., indices[j], ..] += src[.., j, ..]. */
export function indexAddInto(src: Tensor, axis: number, indices: Tensor, dimSize: number): Tensor {
  const out = runKernel<KernelAttrs['IndexAdd']>('IndexAdd', [src, indices], { axis, dimSize })[0];
  record({ name: 'indexAdd', inputs: [src, indices], outputs: [out], save: [indices], backward: ([g], [idx]) => [indexSelectPrim(g!, axis, idx), null] });
  return out;
}

import { isDType, isFloat, type DType } from '../dtype.js';
import { fail } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel } from '../op.js';
import { Tensor } from '../tensor.js';

/**
 * Converts to `dtype` (float → int truncates toward zero; to bool is x != 0). Between float
 * dtypes the gradient is cast back; casts to or from integer/bool carry no gradient.
 * float64 exists on the CPU only.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (!(x instanceof Tensor)) fail('cast', 'x', 'a Tensor', x);
  x.assertLive('cast');
  if (!isDType(dtype)) fail('cast', 'dtype', "'float32', 'float64', 'int32', 'uint32' or 'bool'", dtype);
  if (dtype === 'float64' && x.device !== 'cpu') fail('cast', 'dtype', `a dtype supported on device '${x.device}' (float64 is CPU-only)`, dtype);
  if (x.dtype === dtype) return x;
  const out = runKernel<KernelAttrs['Cast']>('Cast', [x], { dtype })[0];
  if (isFloat(x.dtype) && isFloat(dtype)) {
    const from = x.dtype;
    record({ name: 'cast', inputs: [x], outputs: [out], backward: ([g]) => [cast(g!, from)] });
  }
  return out;
}

/** cast(x, 'float32'). */
export const float = (x: Tensor): Tensor => cast(x, 'float32');
/** cast(x, 'int32'). */
export const int = (x: Tensor): Tensor => cast(x, 'int32');

import { fail, fmt, HeadsplatError } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel, sameDevice } from '../op.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { sumToOp } from './shape.js';
import { asTensor, type TensorLike } from './util.js';

/**
 * cond ? a : b elementwise, with NumPy broadcasting of all three. cond must be bool;
 * a and b (tensors or numbers) share a dtype. Gradients flow to a where cond holds and
 * to b elsewhere, summed back over broadcast axes.
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return composite([a, b], () => {
    if (!(cond instanceof Tensor)) fail('where', 'cond', 'a bool Tensor', cond);
    if (cond.dtype !== 'bool') fail('where', 'cond', 'a bool tensor (compare first, e.g. gt(x, 0))', cond);
    const like = a instanceof Tensor ? a : b instanceof Tensor ? b : { device: cond.device, dtype: 'float32' as const };
    const ta = asTensor('where', 'a', a, like);
    const tb = asTensor('where', 'b', b, like);
    sameDevice('where', [cond, ta, tb]);
    if (ta.dtype !== tb.dtype) throw new HeadsplatError(`where: a and b must have the same dtype, got ${fmt(ta)} and ${fmt(tb)}`);
    broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
    const out = runKernel<KernelAttrs['Where']>('Where', [cond, ta, tb], {})[0];
    const aShape = ta.shape;
    const bShape = tb.shape;
    record({
      name: 'where',
      inputs: [cond, ta, tb],
      outputs: [out],
      save: [cond],
      backward: ([g], [c]) => [null, sumToOp(where(c, g!, 0), aShape), sumToOp(where(c, 0, g!), bShape)],
    });
    return out;
  });
}

import { runBackward, type BackwardOptions } from './autograd.js';
import { HeadsplatError } from './errors.js';
import { runKernel } from './op.js';
import { add } from './ops/binary.js';
import { onesLike } from './ops/creation.js';
import type { Tensor } from './tensor.js';

/** @internal */
export function copyTensor(t: Tensor): Tensor {
  return runKernel('Copy', [t], {})[0];
}

/** @internal */
export function backwardFrom(t: Tensor, gradOutput: Tensor | undefined, opts: BackwardOptions): void {
  t.assertLive('backward');
  if (!t.requiresGrad) {
    throw new HeadsplatError('backward: tensor does not require grad (no input of the computation had requiresGrad)');
  }
  let g: Tensor;
  if (gradOutput) {
    if (gradOutput.shape.length !== t.shape.length || gradOutput.shape.some((d, i) => d !== t.shape[i])) {
      throw new HeadsplatError(`backward: gradOutput must have shape [${t.shape.join(', ')}], got [${gradOutput.shape.join(', ')}]`);
    }
    if (gradOutput.device !== t.device) throw new HeadsplatError(`backward: gradOutput must be on device '${t.device}', got '${gradOutput.device}'`);
    g = gradOutput.clone();
  } else {
    if (t.size !== 1) {
      throw new HeadsplatError(`backward: called without gradOutput on a tensor of shape [${t.shape.join(', ')}]; only scalars (one element) can omit it`);
    }
    g = onesLike(t);
  }
  runBackward(t, g, add, opts);
}

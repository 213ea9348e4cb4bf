import { HeadsplatError, mean, square, sum, type Tensor } from '@headsplat/core';
import type { Module } from '../module.js';

/**
 * The R1 gradient penalty (Mescheder et al. 2018, eq. 9): mean over the batch of
 * ‖∇ₓ D(x)‖² at real images, returned *with its graph* so that `(γ/2 · r1).backward()`
 * reaches D's parameters by double backward. The parameters' existing gradients are left
 * as they were (the first-order pass's parameter gradients are discarded).
 * @param forward D applied to the images (e.g. `(x) => D.forward(x, c)`).
 */
export function r1Penalty(d: Module, forward: (x: Tensor) => Tensor, real: Tensor): Tensor {
  if (real.rank < 2) throw new HeadsplatError(`r1Penalty: real must be a batch (N, ...), got shape [${real.shape.join(', ')}]`);
  const x = real.detach().requiresGrad_(true);
  const params = d.parameters();
  const saved = params.map((p) => p.grad);
  for (const p of params) p.grad = null;
  try {
    const logits = forward(x);
    sum(logits).backward(undefined, { createGraph: true });
  } finally {
    for (let i = 0; i < params.length; i++) {
      params[i].grad?.dispose();
      params[i].grad = saved[i];
    }
  }
  const g = x.grad;
  if (!g) throw new HeadsplatError('r1Penalty: D(x) does not depend on x');
  const axes = Array.from({ length: g.rank - 1 }, (_, i) => i + 1);
  return mean(sum(square(g), axes));
}

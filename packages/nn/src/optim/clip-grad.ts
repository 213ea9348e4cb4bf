import { HeadsplatError, add, div, keep, minimum, mul, noGrad, powScalar, sqrt, square, sum, tidy, type Tensor } from '@headsplat/core';
import type { Parameter } from '../parameter.js';

/**
 * Scales the gradients in place so that their joint norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_): g ← g · min(1, maxNorm / (‖g‖ + 1e-6)). Returns the
 * total norm before clipping as a scalar tensor; nothing is read back, so it stays
 * asynchronous on WebGPU.
 */
export function clipGradNorm_(params: Iterable<Parameter>, maxNorm: number, normType = 2): Tensor {
  if (!(maxNorm > 0)) throw new HeadsplatError(`clipGradNorm_: maxNorm must be > 0, got ${maxNorm}`);
  if (!(normType >= 1 && Number.isFinite(normType))) throw new HeadsplatError(`clipGradNorm_: normType must be a finite number >= 1, got ${normType}`);
  const withGrad = [...params].filter((p) => p.grad);
  if (withGrad.length === 0) throw new HeadsplatError('clipGradNorm_: no parameter has a gradient (call backward first)');
  return noGrad(() => {
    const total = tidy(() => {
      const parts = withGrad.map((p) => (normType === 2 ? sum(square(p.grad!)) : sum(powScalar(p.grad!.abs(), normType))));
      const s = parts.reduce((a, b) => add(a, b));
      return normType === 2 ? sqrt(s) : powScalar(s, 1 / normType);
    });
    tidy(() => {
      const coef = minimum(div(maxNorm, add(total, 1e-6)), 1);
      for (const p of withGrad) {
        const g = keep(mul(p.grad!, coef));
        p.grad!.dispose();
        p.grad = g;
      }
    });
    return total;
  });
}

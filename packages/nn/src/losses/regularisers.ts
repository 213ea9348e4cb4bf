import { HeadsplatError, Tensor, abs, add, clamp, div, log, mean, mul, narrow, square, sub, sum } from '@headsplat/core';
import { checkPair } from './reduction.js';

export interface TvOptions {
  /** 'l1' sums |differences| (default), 'l2' squared differences. */
  norm?: 'l1' | 'l2';
}

/**
 * Total variation of images or UV maps x (..., H, W): the mean over the vertical
 * differences plus the mean over the horizontal ones (GGHead regularises its UV attribute
 * maps with this).
 */
export function tvLoss(x: Tensor, opts: TvOptions = {}): Tensor {
  if (!(x instanceof Tensor) || x.rank < 2) throw new HeadsplatError(`tvLoss: x must be a tensor (..., H, W) with at least 2 dimensions, got ${x instanceof Tensor ? `shape [${x.shape.join(', ')}]` : String(x)}`);
  const H = x.shape[x.rank - 2];
  const W = x.shape[x.rank - 1];
  if (H < 2 || W < 2) throw new HeadsplatError(`tvLoss: H and W must be >= 2, got shape [${x.shape.join(', ')}]`);
  const f = (opts.norm ?? 'l1') === 'l1' ? abs : square;
  const dh = sub(narrow(x, -2, 1, H - 1), narrow(x, -2, 0, H - 1));
  const dw = sub(narrow(x, -1, 1, W - 1), narrow(x, -1, 0, W - 1));
  return add(mean(f(dh)), mean(f(dw)));
}

/**
 * The beta-distribution prior on opacities from Neural Volumes (Lombardi et al. 2019, eq. 12),
 * as PointAvatar-style methods use it to push opacities to 0 or 1:
 * mean(log(0.1 + a) + log(0.1 + 1 - a)) - log(0.1) - log(1.1) (so that a ∈ {0, 1} gives 0).
 */
export function betaOpacityLoss(alpha: Tensor): Tensor {
  if (!(alpha instanceof Tensor)) throw new HeadsplatError(`betaOpacityLoss: alpha must be a Tensor, got ${String(alpha)}`);
  const a = clamp(alpha, 0, 1);
  return sub(mean(add(log(add(a, 0.1)), log(sub(1.1, a)))), Math.log(0.1) + Math.log(1.1));
}

/**
 * Soft IoU loss between silhouettes in [0, 1]: 1 - Σ(ab) / Σ(a + b - ab), per batch element
 * (axis 0) then averaged; `eps` keeps empty masks finite.
 */
export function iouLoss(pred: Tensor, target: Tensor, eps = 1e-6): Tensor {
  checkPair('iouLoss', pred, target, ['pred', 'target']);
  const axes = Array.from({ length: pred.rank - 1 }, (_, i) => i + 1);
  const inter = pred.rank > 1 ? sum(mul(pred, target), axes) : sum(mul(pred, target));
  const union = pred.rank > 1 ? sum(sub(add(pred, target), mul(pred, target)), axes) : sum(sub(add(pred, target), mul(pred, target)));
  return sub(1, mean(div(add(inter, eps), add(union, eps))));
}

/** Binary cross entropy of a silhouette (probabilities) against a mask, clamped as PyTorch does (log >= -100). */
export function silhouetteBceLoss(pred: Tensor, target: Tensor): Tensor {
  checkPair('silhouetteBceLoss', pred, target, ['pred', 'target']);
  const lp = clamp(log(pred), -100);
  const lq = clamp(log(sub(1, pred)), -100);
  return mean(mul(add(mul(target, lp), mul(sub(1, target), lq)), -1));
}

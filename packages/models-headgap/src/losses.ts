/**
 * HeadGAP's training objective. Image terms follow 3DGS ((1 - λ) L1 + λ (1 - SSIM), λ = 0.2)
 * on the refined image and on the raw splatted RGB; the rest (mouth box, opacity-vs-mask,
 * scale, offset, ARAP) carry the weights of `HeadGapLossWeights` (README: "Loss weights").
 */
import { abs, add, concat, conv2d, div, indexSelect, mean, mul, narrow, relu, reshape, square, sub, sum, tensor, unsqueeze, type Tensor } from '@headsplat/core';
import { l1Loss, ssimLoss, type LPIPS } from '@headsplat/nn';
import type { HeadGapLossWeights } from './config.js';
import type { HeadGapRender } from './headgap-model.js';

export interface LossTargets {
  /** (1, 3, H, W) in [0, 1]. */
  rgb: Tensor;
  /** (1, 1, H, W) foreground mask in [0, 1]. */
  mask: Tensor;
  /** (1, 1, H, W) mouth box, or undefined when the mouth is not in view. */
  mouth?: Tensor;
  /** Number of pixels in the mouth box. */
  mouthPixels?: number;
}

export interface LossTerms {
  total: Tensor;
  refined: Tensor;
  raw: Tensor;
}

/** (1 - λ) L1 + λ (1 - SSIM). */
export function photometric(pred: Tensor, target: Tensor, lambda: number): Tensor {
  const l1 = l1Loss(pred, target);
  return lambda > 0 ? add(mul(l1, 1 - lambda), mul(ssimLoss(pred, target), lambda)) : l1;
}

/**
 * The full loss of one rendered frame. `neighbours` is the (N * K) ARAP index of the model
 * (`HeadGapModel.neighbours`) and `K` its neighbour count. With a `perceptual` network, the
 * refined image also gets `w.lpips` x LPIPS (inputs in [0, 1]).
 */
export function headgapLoss(r: HeadGapRender, t: LossTargets, w: HeadGapLossWeights, neighbours: Tensor, K: number, perceptual?: LPIPS | null): LossTerms {
  const refined = photometric(r.image, t.rgb, w.ssim);
  const raw = photometric(r.raw, t.rgb, w.ssim);
  let total = add(mul(refined, w.refined), mul(raw, w.raw));
  if (perceptual && w.lpips > 0) total = add(total, mul(mean(perceptual.forward(r.image, t.rgb, { normalize: true })), w.lpips));
  if (w.mouth > 0 && t.mouth && t.mouthPixels && t.mouthPixels > 0) {
    // Mean absolute error over the mouth box (3 channels), for both images.
    const err = add(abs(sub(r.image, t.rgb)), abs(sub(r.raw, t.rgb)));
    total = add(total, mul(div(sum(mul(err, t.mouth)), 3 * t.mouthPixels), w.mouth));
  }
  if (w.opacity > 0) total = add(total, mul(l1Loss(r.alpha, t.mask), w.opacity));
  const g = r.gaussians;
  if (w.scale > 0) total = add(total, mul(mean(square(relu(g.logScales))), w.scale));
  if (w.offset > 0) total = add(total, mul(mean(square(g.offsets)), w.offset));
  if (w.arap > 0) {
    const N = g.offsets.shape[0];
    const nb = reshape(indexSelect(g.offsets, 0, neighbours), [N, K, 3]);
    total = add(total, mul(mean(square(sub(nb, unsqueeze(g.offsets, 1)))), w.arap));
  }
  return { total, refined, raw };
}

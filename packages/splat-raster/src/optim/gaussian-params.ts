/**
 * Gaussian parameters in unconstrained space, as 3DGS optimises them
 * (`GaussianModel`: exp scale activation, sigmoid opacity, normalised quaternion):
 * means (N, 3) raw, quats (N, 4) raw (normalised inside the rasterizer), log-scales (N, 3),
 * opacity logits (N), colours raw (RGB (N, 3) or SH (N, K, 3)), features raw (N, F).
 *
 * API
 * - `toGaussianParams(scene) -> GaussianParams`      activated scene -> unconstrained (copies)
 * - `activateGaussianParams(params, out?) -> GaussianScene`  unconstrained -> activated
 * - `paramGradients(params, scene, grads) -> GaussianParams` chain rule through the activations
 */

import type { GaussianScene, RenderGradients } from '../types.js';

export interface GaussianParams {
  means: Float64Array;
  quats: Float64Array;
  logScales: Float64Array;
  opacityLogits: Float64Array;
  colors: Float64Array;
  features?: Float64Array;
  shDegree?: 0 | 1 | 2 | 3;
  featureDim?: number;
}

/** Parameter groups, one Adam (and one learning rate) each. */
export type ParamGroup = 'means' | 'quats' | 'logScales' | 'opacityLogits' | 'colors' | 'features';
export const PARAM_GROUPS: readonly ParamGroup[] = ['means', 'quats', 'logScales', 'opacityLogits', 'colors', 'features'];

/** Opacity logits are clamped to this range when converting exact 0 / 1 opacities. */
const MAX_LOGIT = 20;

function logit(p: number): number {
  return Math.max(-MAX_LOGIT, Math.min(MAX_LOGIT, Math.log(p / (1 - p))));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function toGaussianParams(scene: GaussianScene): GaussianParams {
  const p: GaussianParams = {
    means: Float64Array.from(scene.means),
    quats: Float64Array.from(scene.quats),
    logScales: Float64Array.from(scene.scales, (s) => Math.log(s)),
    opacityLogits: Float64Array.from(scene.opacities, logit),
    colors: Float64Array.from(scene.colors),
  };
  if (scene.features) p.features = Float64Array.from(scene.features);
  if (scene.shDegree !== undefined) p.shDegree = scene.shDegree;
  if (scene.featureDim !== undefined) p.featureDim = scene.featureDim;
  return p;
}

/**
 * The activated scene (scales exp(s), opacities sigmoid(o)). Means, quats, colours and
 * features are shared with `params` (not copied): the renderer only reads them.
 */
export function activateGaussianParams(params: GaussianParams): GaussianScene & {
  means: Float64Array;
  scales: Float64Array;
  opacities: Float64Array;
} {
  const scene: GaussianScene & { means: Float64Array; scales: Float64Array; opacities: Float64Array } = {
    means: params.means,
    quats: params.quats,
    scales: params.logScales.map(Math.exp),
    opacities: params.opacityLogits.map(sigmoid),
    colors: params.colors,
  };
  if (params.features) scene.features = params.features;
  if (params.shDegree !== undefined) scene.shDegree = params.shDegree;
  if (params.featureDim !== undefined) scene.featureDim = params.featureDim;
  return scene;
}

/**
 * Gradients w.r.t. the unconstrained parameters from the rasterizer's gradients w.r.t. the
 * activated scene: d/ds = d/dscale * exp(s), d/do = d/dopacity * sigma(o) (1 - sigma(o)).
 */
export function paramGradients(scene: GaussianScene, grads: RenderGradients): GaussianParams {
  const out: GaussianParams = {
    means: Float64Array.from(grads.means),
    quats: Float64Array.from(grads.quats),
    logScales: Float64Array.from(grads.scales, (g, i) => g * scene.scales[i]),
    opacityLogits: Float64Array.from(grads.opacities, (g, i) => g * scene.opacities[i] * (1 - scene.opacities[i])),
    colors: Float64Array.from(grads.colors),
  };
  if (grads.features) out.features = Float64Array.from(grads.features);
  return out;
}

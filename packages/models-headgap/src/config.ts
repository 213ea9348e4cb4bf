/**
 * HeadGAP configuration: sizes of the point cloud, features, MLPs and refiner, and loss
 * weights. Small defaults fit a 2-core CPU; every field is JSON so a prior's checkpoint
 * carries its config in the safetensors metadata.
 */
import { HeadsplatError } from '@headsplat/core';

/** Loss weights (see `headgapLoss`). Where the HeadGAP paper gives no value, ours are documented in the README. */
export interface HeadGapLossWeights {
  /** L1 + SSIM on the refined image (weight of the whole term). */
  refined: number;
  /** L1 + SSIM on the raw splatted RGB. */
  raw: number;
  /** SSIM share λ in (1 - λ) L1 + λ (1 - SSIM), as 3DGS (0.2). */
  ssim: number;
  /** Extra L1 inside the mouth box (refined and raw images). */
  mouth: number;
  /**
   * LPIPS between the refined image and the target, applied only when the model has a
   * perceptual network (`model.perceptual = await loadLpips(path)` from @headsplat/nn).
   */
  lpips: number;
  /** L1 between the splatted alpha and the foreground mask. */
  opacity: number;
  /** Mean squared log of the learned scale multiplier above 1 (keeps Gaussians from growing). */
  scale: number;
  /** Mean squared offset (triangle-local units). */
  offset: number;
  /** ARAP: mean squared difference of neighbouring points' offsets. */
  arap: number;
}

export interface HeadGapConfig {
  /** Side of the UV raster sampled for Gaussians (one Gaussian per covered texel). */
  uvResolution: number;
  /** Per-point feature channels c1. */
  c1: number;
  /** Identity code channels c2. */
  c2: number;
  /** Number of identities k in the codebook. */
  identities: number;
  /** Latent feature channels h splatted beside RGB (refiner input = 3 + latent). */
  latentChannels: number;
  /** Hidden widths of each part MLP. */
  hidden: number[];
  /** Refiner U-Net base channels and depth (image sides must be multiples of 2^depth). */
  refinerChannels: number;
  refinerDepth: number;
  /** Maximum offset magnitude per axis in triangle-local units (tanh-bounded). */
  maxOffset: number;
  /** Neighbours per point for the ARAP term. */
  arapNeighbours: number;
  /** Scale of e (metres of FLAME displacement -> network input units). */
  dynamicScale: number;
  /** Background colour the captures are composited on. */
  background: [number, number, number];
  loss: HeadGapLossWeights;
  /** Seed of every initialiser. */
  seed: number;
}

export const DEFAULT_LOSS_WEIGHTS: HeadGapLossWeights = {
  refined: 1, raw: 1, ssim: 0.2, mouth: 1, lpips: 0.1, opacity: 0.1, scale: 0.01, offset: 0.01, arap: 0.1,
};

export const DEFAULT_HEADGAP_CONFIG: HeadGapConfig = {
  uvResolution: 40,
  c1: 16,
  c2: 16,
  identities: 4,
  latentChannels: 8,
  hidden: [48, 48],
  refinerChannels: 8,
  refinerDepth: 1,
  maxOffset: 0.5,
  arapNeighbours: 4,
  dynamicScale: 20,
  background: [1, 1, 1],
  loss: DEFAULT_LOSS_WEIGHTS,
  seed: 0,
};

/** Fills defaults and validates every field; errors name the field and the expected value. */
export function resolveConfig(partial: Partial<Omit<HeadGapConfig, 'loss'>> & { loss?: Partial<HeadGapLossWeights> } = {}): HeadGapConfig {
  const c: HeadGapConfig = { ...DEFAULT_HEADGAP_CONFIG, ...partial, loss: { ...DEFAULT_LOSS_WEIGHTS, ...partial.loss } };
  const int = (name: keyof HeadGapConfig, lo: number) => {
    const v = c[name] as number;
    if (!Number.isInteger(v) || v < lo) throw new HeadsplatError(`HeadGapConfig: ${name} must be an integer >= ${lo}, got ${String(v)}`);
  };
  int('uvResolution', 4);
  int('c1', 1);
  int('c2', 1);
  int('identities', 1);
  int('latentChannels', 0);
  int('refinerChannels', 1);
  int('refinerDepth', 0);
  int('arapNeighbours', 1);
  if (!Array.isArray(c.hidden) || c.hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new HeadsplatError(`HeadGapConfig: hidden must be an array of integers >= 1, got ${JSON.stringify(c.hidden)}`);
  if (!(c.maxOffset > 0)) throw new HeadsplatError(`HeadGapConfig: maxOffset must be > 0, got ${c.maxOffset}`);
  if (!(c.dynamicScale > 0)) throw new HeadsplatError(`HeadGapConfig: dynamicScale must be > 0, got ${c.dynamicScale}`);
  if (!Array.isArray(c.background) || c.background.length !== 3 || c.background.some((x) => !(x >= 0 && x <= 1))) throw new HeadsplatError(`HeadGapConfig: background must be 3 numbers in [0, 1], got ${JSON.stringify(c.background)}`);
  for (const [k, v] of Object.entries(c.loss)) if (!(typeof v === 'number' && v >= 0)) throw new HeadsplatError(`HeadGapConfig: loss.${k} must be a number >= 0, got ${String(v)}`);
  return c;
}

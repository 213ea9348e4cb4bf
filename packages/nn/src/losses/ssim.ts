import { HeadsplatError, add, conv2d, div, mul, square, sub, tensor, type Tensor } from '@headsplat/core';
import { checkImage, checkPair, type Reduction, reduce } from './reduction.js';

/** Normalised 1-D Gaussian g_i ∝ exp(-(i - c)² / 2σ²), i = 0..size-1. */
export function gaussianWindow1d(size: number, sigma: number): Float32Array {
  const g = new Float32Array(size);
  const c = Math.floor(size / 2);
  let s = 0;
  for (let i = 0; i < size; i++) s += g[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) g[i] /= s;
  return g;
}

export interface SsimOptions {
  /** Window side (odd). Default 11. */
  windowSize?: number;
  /** Gaussian sigma. Default 1.5. */
  sigma?: number;
  /** Dynamic range L of the images (C1 = (0.01 L)², C2 = (0.03 L)²). Default 1. */
  dataRange?: number;
  /** 'mean' over the SSIM map (default), 'sum', or 'none' for the per-pixel map. */
  reduction?: Reduction;
}

/**
 * Structural similarity (Wang et al. 2004, eq. 13) with an 11x11 Gaussian window, sigma 1.5,
 * zero padding of half a window: the variant 3DGS trains with (gaussian-splatting
 * utils/loss_utils.py), computed per channel by a grouped conv2d.
 * x and y: (N, C, H, W). The loss is `1 - ssim(...)`.
 */
export function ssim(x: Tensor, y: Tensor, opts: SsimOptions = {}): Tensor {
  checkImage('ssim', 'x', x);
  checkPair('ssim', x, y, ['x', 'y']);
  const size = opts.windowSize ?? 11;
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) throw new HeadsplatError(`ssim: windowSize must be an odd integer >= 1, got ${size}`);
  const sigma = opts.sigma ?? 1.5;
  const L = opts.dataRange ?? 1;
  const c = x.shape[1];
  const g = gaussianWindow1d(size, sigma);
  const w2 = new Float32Array(c * size * size);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) w2[ch * size * size + i * size + j] = g[i] * g[j];
  const w = tensor(w2, { shape: [c, 1, size, size], device: x.device, dtype: x.dtype });
  const pad = Math.floor(size / 2);
  const blur = (t: Tensor): Tensor => conv2d(t, w, { padding: pad, groups: c });
  const mx = blur(x);
  const my = blur(y);
  const mx2 = square(mx);
  const my2 = square(my);
  const mxy = mul(mx, my);
  const sx = sub(blur(square(x)), mx2);
  const sy = sub(blur(square(y)), my2);
  const sxy = sub(blur(mul(x, y)), mxy);
  const C1 = (0.01 * L) ** 2;
  const C2 = (0.03 * L) ** 2;
  const map = div(mul(add(mul(mxy, 2), C1), add(mul(sxy, 2), C2)), mul(add(add(mx2, my2), C1), add(add(sx, sy), C2)));
  w.dispose();
  return reduce(map, opts.reduction ?? 'mean', 'ssim');
}

/** 1 - SSIM (mean over the map). */
export function ssimLoss(x: Tensor, y: Tensor, opts: Omit<SsimOptions, 'reduction'> = {}): Tensor {
  return sub(1, ssim(x, y, opts));
}


import { HeadsplatError, add, concat, conv2d, div, mul, narrow, square, sub, tensor, type Tensor } from '@headsplat/core';
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
 * utils/loss_utils.py), computed per channel with the window's separability (two grouped 1-D
 * convolutions over the stacked statistics).
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
  const pad = Math.floor(size / 2);
  // The 2-D window is g gᵀ: blur the five stacked statistics (x, y, x², y², xy) with one
  // vertical and one horizontal grouped 1-D conv (2·size instead of size² taps per pixel).
  const stats = concat([x, y, square(x), square(y), mul(x, y)], 1); // (N, 5C, H, W)
  const G = 5 * c;
  const taps = Float32Array.from({ length: G * size }, (_, i) => g[i % size]);
  const wv = tensor(taps, { shape: [G, 1, size, 1], device: x.device, dtype: x.dtype });
  const wh = tensor(taps, { shape: [G, 1, 1, size], device: x.device, dtype: x.dtype });
  const blurred = conv2d(conv2d(stats, wv, { padding: [pad, 0], groups: G }), wh, { padding: [0, pad], groups: G });
  const part = (k: number): Tensor => narrow(blurred, 1, k * c, c);
  const mx = part(0);
  const my = part(1);
  const mx2 = square(mx);
  const my2 = square(my);
  const mxy = mul(mx, my);
  const sx = sub(part(2), mx2);
  const sy = sub(part(3), my2);
  const sxy = sub(part(4), mxy);
  const C1 = (0.01 * L) ** 2;
  const C2 = (0.03 * L) ** 2;
  const map = div(mul(add(mul(mxy, 2), C1), add(mul(sxy, 2), C2)), mul(add(add(mx2, my2), C1), add(add(sx, sy), C2)));
  wv.dispose();
  wh.dispose();
  return reduce(map, opts.reduction ?? 'mean', 'ssim');
}

/** 1 - SSIM (mean over the map). */
export function ssimLoss(x: Tensor, y: Tensor, opts: Omit<SsimOptions, 'reduction'> = {}): Tensor {
  return sub(1, ssim(x, y, opts));
}


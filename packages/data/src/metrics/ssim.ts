import { dataFail } from '../errors.js';
import { checkPair, type ImageShape } from './image-args.js';

export interface SsimOptions extends ImageShape {
  /** Window side (odd, default 11). */
  windowSize?: number;
  /** Gaussian sigma (default 1.5). */
  sigma?: number;
  /** Dynamic range L (default 1): C1 = (0.01 L)², C2 = (0.03 L)². */
  dataRange?: number;
}

/** Normalised 1-D Gaussian window, centred on floor(size / 2). */
export function gaussianWindow(size: number, sigma: number): Float64Array {
  const g = new Float64Array(size);
  const c = Math.floor(size / 2);
  let s = 0;
  for (let i = 0; i < size; i++) s += g[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) g[i] /= s;
  return g;
}

/** Separable "same" convolution of one channel with zero padding (F.conv2d, padding = size // 2). */
function blur(x: Float64Array, W: number, H: number, g: Float64Array): Float64Array {
  const r = Math.floor(g.length / 2);
  const tmp = new Float64Array(W * H), out = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let xx = 0; xx < W; xx++) {
      let s = 0;
      for (let k = -r; k <= r; k++) {
        const xs = xx + k;
        if (xs >= 0 && xs < W) s += g[k + r] * x[y * W + xs];
      }
      tmp[y * W + xx] = s;
    }
  }
  for (let y = 0; y < H; y++) {
    for (let xx = 0; xx < W; xx++) {
      let s = 0;
      for (let k = -r; k <= r; k++) {
        const ys = y + k;
        if (ys >= 0 && ys < H) s += g[k + r] * tmp[ys * W + xx];
      }
      out[y * W + xx] = s;
    }
  }
  return out;
}

/**
 * Mean SSIM (Wang et al. 2004, eq. 13) of two interleaved (H, W, C) images, computed as 3DGS
 * evaluates it (gaussian-splatting utils/loss_utils.py): per channel, an 11x11 Gaussian
 * window with sigma 1.5, zero padding of half a window (the image's "same" size), C1 =
 * (0.01 L)², C2 = (0.03 L)², averaged over every pixel and channel. In float64.
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, options: SsimOptions): number {
  const fn = 'ssim';
  if (!options || typeof options !== 'object') dataFail(fn, 'options', 'an object with the image width and height', options);
  checkPair(fn, a, b, options);
  const { width: W, height: H } = options;
  const C = options.channels ?? 3;
  const size = options.windowSize ?? 11;
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) dataFail(fn, 'options.windowSize', 'an odd positive integer', size);
  const sigma = options.sigma ?? 1.5;
  if (!(sigma > 0)) dataFail(fn, 'options.sigma', 'a positive number', sigma);
  const L = options.dataRange ?? 1;
  const C1 = (0.01 * L) ** 2, C2 = (0.03 * L) ** 2;
  const g = gaussianWindow(size, sigma);
  const P = W * H;
  let total = 0;
  const x = new Float64Array(P), y = new Float64Array(P), xx = new Float64Array(P), yy = new Float64Array(P), xy = new Float64Array(P);
  for (let c = 0; c < C; c++) {
    for (let p = 0; p < P; p++) {
      const u = a[p * C + c], v = b[p * C + c];
      x[p] = u; y[p] = v; xx[p] = u * u; yy[p] = v * v; xy[p] = u * v;
    }
    const mx = blur(x, W, H, g), my = blur(y, W, H, g), sxx = blur(xx, W, H, g), syy = blur(yy, W, H, g), sxy = blur(xy, W, H, g);
    for (let p = 0; p < P; p++) {
      const vx = sxx[p] - mx[p] * mx[p], vy = syy[p] - my[p] * my[p], cxy = sxy[p] - mx[p] * my[p];
      total += ((2 * mx[p] * my[p] + C1) * (2 * cxy + C2)) / ((mx[p] * mx[p] + my[p] * my[p] + C1) * (vx + vy + C2));
    }
  }
  return total / (P * C);
}

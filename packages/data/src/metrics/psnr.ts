import { dataFail } from '../errors.js';
import { checkPair } from './image-args.js';

export interface PsnrOptions {
  /** Peak value L (default 1). */
  dataRange?: number;
  /** (H, W) weights in [0, 1]: the MSE is taken over masked pixels only (weighted mean over channels). */
  mask?: ArrayLike<number>;
}

/**
 * Peak signal-to-noise ratio 10 log10(L² / MSE) of two same-sized images (any layout; with a
 * mask, interleaved (H, W, C)). Identical images give Infinity.
 */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, options: PsnrOptions = {}): number {
  const n = checkPair('psnr', a, b);
  const L = options.dataRange ?? 1;
  if (!(L > 0)) dataFail('psnr', 'options.dataRange', 'a positive number', L);
  let se = 0, w = 0;
  if (options.mask) {
    const m = options.mask;
    if (n % m.length !== 0) dataFail('psnr', 'options.mask', `one weight per pixel (a length dividing ${n})`, `length ${m.length}`);
    const C = n / m.length;
    for (let p = 0; p < m.length; p++) {
      if (!(m[p] >= 0 && m[p] <= 1)) dataFail('psnr', 'options.mask', 'weights in [0, 1]', `${m[p]} at pixel ${p}`);
      for (let c = 0; c < C; c++) se += m[p] * (a[p * C + c] - b[p * C + c]) ** 2;
      w += m[p] * C;
    }
    if (w === 0) dataFail('psnr', 'options.mask', 'a mask with at least one non-zero weight', 'all zeros');
  } else {
    for (let i = 0; i < n; i++) se += (a[i] - b[i]) ** 2;
    w = n;
  }
  const mse = se / w;
  return mse === 0 ? Infinity : 10 * Math.log10((L * L) / mse);
}

import { abs, log, mean, mul, square, sub, type Tensor } from '@headsplat/core';
import { checkPair, reduce, type Reduction } from './reduction.js';

/** Mean absolute error (torch.nn.functional.l1_loss). */
export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkPair('l1Loss', input, target);
  return reduce(abs(sub(input, target)), reduction, 'l1Loss');
}

/** Mean squared error (torch.nn.functional.mse_loss). */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkPair('mseLoss', input, target);
  return reduce(square(sub(input, target)), reduction, 'mseLoss');
}

/** PSNR in dB for images in [0, maxValue]: 10 log10(max² / MSE), over all elements. */
export function psnr(input: Tensor, target: Tensor, maxValue = 1): Tensor {
  checkPair('psnr', input, target);
  const mse = mean(square(sub(input, target)));
  return mul(sub(log(mse), 2 * Math.log(maxValue)), -10 / Math.LN10);
}

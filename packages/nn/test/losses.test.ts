import { describe, expect, it } from 'vitest';
import { gradcheck, rand, randn, tensor, type Tensor } from '@headsplat/core';
import {
  UniformLaplacian, betaOpacityLoss, gaussianWindow1d, iouLoss, l1Loss, laplacianSmoothingLoss, mseLoss, psnr, ssim, ssimLoss, tvLoss,
} from '../src/index.js';
import { expectClose } from '../../core/test/harness.js';

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number);
const f64 = { dtype: 'float64' as const };

/** SSIM by direct summation (zero padding, Gaussian 11/1.5), one channel, for the oracle. */
function ssimReference(x: number[], y: number[], H: number, W: number): number {
  const g = gaussianWindow1d(11, 1.5);
  const at = (a: number[], i: number, j: number): number => (i < 0 || j < 0 || i >= H || j >= W ? 0 : a[i * W + j]);
  let total = 0;
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
      for (let u = -5; u <= 5; u++) {
        for (let v = -5; v <= 5; v++) {
          const w = g[u + 5] * g[v + 5];
          const a = at(x, i + u, j + v);
          const b = at(y, i + u, j + v);
          mx += w * a; my += w * b; xx += w * a * a; yy += w * b * b; xy += w * a * b;
        }
      }
      const C1 = 1e-4, C2 = 9e-4;
      total += ((2 * mx * my + C1) * (2 * (xy - mx * my) + C2)) / ((mx * mx + my * my + C1) * (xx - mx * mx + yy - my * my + C2));
    }
  }
  return total / (H * W);
}

describe('losses', () => {
  it('L1, MSE and PSNR match hand values', () => {
    const a = tensor([1, 2, 3, 4]);
    const b = tensor([1, 0, 3, 8]);
    expectClose(vals(l1Loss(a, b)), [1.5], 1e-7);
    expectClose(vals(mseLoss(a, b)), [5], 1e-7);
    expectClose(vals(mseLoss(a, b, 'sum')), [20], 1e-7);
    expectClose(vals(psnr(tensor([0.5, 0.5]), tensor([0.4, 0.6]))), [20], 1e-5);
    expect(() => l1Loss(a, tensor([1, 2]))).toThrow('l1Loss: target must have the shape of input [4], got [2]');
  });

  it('SSIM is 1 for identical images and matches direct summation', () => {
    const x = rand([1, 1, 9, 10], { seed: 1 });
    const y = rand([1, 1, 9, 10], { seed: 2 });
    expectClose(vals(ssim(x, x)), [1], 1e-5);
    expectClose(vals(ssim(x, y)), [ssimReference(vals(x), vals(y), 9, 10)], 1e-5);
    expectClose(vals(ssimLoss(x, y)), [1 - ssimReference(vals(x), vals(y), 9, 10)], 1e-5);
    expect(ssim(rand([2, 3, 8, 8]), rand([2, 3, 8, 8]), { reduction: 'none' }).shape).toEqual([2, 3, 8, 8]);
  });

  it('SSIM has finite-difference gradients', () => {
    const y = rand([1, 2, 6, 6], { seed: 3, ...f64 });
    gradcheck((x) => ssim(x, y, { windowSize: 5 }), [rand([1, 2, 6, 6], { seed: 4, ...f64 })]);
  });

  it('total variation is the mean |vertical| plus mean |horizontal| difference', () => {
    const x = tensor([[1, 2, 4], [0, 0, 1]]);
    // vertical: |0-1|,|0-2|,|1-4| -> mean 2; horizontal: 1,2,0,1 -> mean 1
    expectClose(vals(tvLoss(x)), [3], 1e-7);
    expectClose(vals(tvLoss(x, { norm: 'l2' })), [14 / 3 + 1.5], 1e-6);
    gradcheck((x) => tvLoss(x, { norm: 'l2' }), [randn([2, 3, 4], { seed: 1, ...f64 })]);
  });

  it('beta opacity prior is zero at 0 and 1 and maximal at 0.5', () => {
    expectClose(vals(betaOpacityLoss(tensor([0, 1]))), [0], 1e-6);
    expectClose(vals(betaOpacityLoss(tensor([0.5]))), [2 * Math.log(0.6) - Math.log(0.1) - Math.log(1.1)], 1e-6);
  });

  it('IoU loss of masks', () => {
    const a = tensor([[1, 1, 0, 0]]);
    const b = tensor([[0, 1, 1, 0]]);
    expectClose(vals(iouLoss(a, b, 0)), [1 - 1 / 3], 1e-6);
    expectClose(vals(iouLoss(a, a)), [0], 1e-6);
  });

  it('uniform Laplacian: v_i minus the mean of its neighbours', () => {
    const verts = tensor([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 1]]);
    const faces = [[0, 1, 2], [1, 3, 2]];
    const L = new UniformLaplacian(faces, 4);
    expect(L.numEdges).toBe(5);
    // vertex 0: neighbours 1, 2 -> mean (0.5, 0.5, 0); vertex 1: neighbours 0, 2, 3 -> (1/3, 2/3, 1/3)
    expectClose(vals(L.apply(verts)).slice(0, 6), [-0.5, -0.5, 0, 2 / 3, -2 / 3, -1 / 3], 1e-6);
    const v64 = randn([4, 3], { seed: 1, ...f64 });
    gradcheck((v) => laplacianSmoothingLoss(v, faces), [v64]);
    expect(() => new UniformLaplacian([[0, 1, 7]], 4)).toThrow('UniformLaplacian: face 0 has vertex index 7, expected an integer in [0, 4)');
  });
});

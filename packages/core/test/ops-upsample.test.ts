import { describe, expect, it } from 'vitest';
import { interpolate, rand, tensor, zeros } from '../src/index.js';
import { gradcheck } from '../src/gradcheck.js';
import { describeBackends, expectClose, values } from './harness.js';

/** Reference: F.interpolate's per-axis source index / weight, applied separably. */
function refInterp(x: number[], [N, C, H, W]: number[], [Ho, Wo]: number[], mode: 'nearest' | 'bilinear', ac: boolean): number[] {
  const src = (d: number, inS: number, outS: number): [number, number, number] => {
    if (mode === 'nearest') {
      const i = Math.min(Math.floor((d * inS) / outS), inS - 1);
      return [i, i, 0];
    }
    const s = ac ? (outS > 1 ? (d * (inS - 1)) / (outS - 1) : 0) : Math.max(0, ((d + 0.5) * inS) / outS - 0.5);
    const lo = Math.floor(s);
    return [lo, Math.min(lo + 1, inS - 1), s - lo];
  };
  const out: number[] = [];
  for (let nc = 0; nc < N * C; nc++) for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) {
    const [y0, y1, ty] = src(i, H, Ho);
    const [x0, x1, tx] = src(j, W, Wo);
    const v = (y: number, xx: number) => x[(nc * H + y) * W + xx];
    out.push(v(y0, x0) * (1 - ty) * (1 - tx) + v(y0, x1) * (1 - ty) * tx + v(y1, x0) * ty * (1 - tx) + v(y1, x1) * ty * tx);
  }
  return out;
}

describeBackends('interpolate', ({ device, tol }) => {
  it('hand-computed nearest and bilinear values', async () => {
    const x = tensor([[[[1, 2], [3, 4]]]], { device });
    expect(await values(interpolate(x, { scaleFactor: 2 }))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const row = tensor([[[[1, 2]]]], { device });
    // PyTorch: F.interpolate([1, 2], 4, mode='bilinear') = [1, 1.25, 1.75, 2]; align_corners=True: [1, 4/3, 5/3, 2].
    expectClose(await values(interpolate(row, { size: [1, 4], mode: 'bilinear' })), [1, 1.25, 1.75, 2], tol);
    expectClose(await values(interpolate(row, { size: [1, 4], mode: 'bilinear', alignCorners: true })), [1, 4 / 3, 5 / 3, 2], tol);
    // nearest downsampling 3 -> 2 reads floor(d * 1.5) = 0, 1.
    expect(await values(interpolate(tensor([[[[5, 6, 7]]]], { device }), { size: [1, 2] }))).toEqual([5, 6]);
  });

  for (const [mode, ac] of [['nearest', false], ['bilinear', false], ['bilinear', true]] as const) {
    it(`matches the reference index map: ${mode}${ac ? ', alignCorners' : ''}, up and down`, async () => {
      const x = rand([2, 3, 5, 6], { seed: 1, device });
      const xv = await values(x);
      for (const size of [[9, 13], [3, 4], [5, 1]] as [number, number][]) {
        const y = interpolate(x, { size, mode, alignCorners: ac || undefined });
        expect(y.shape).toEqual([2, 3, ...size]);
        expectClose(await values(y), refInterp(xv, [2, 3, 5, 6], size, mode, ac), 1e-5, 1e-5);
      }
      expect(interpolate(x, { scaleFactor: [1.5, 2], mode }).shape).toEqual([2, 3, 7, 12]);
    });
  }

  it('rejects bad options', () => {
    const x = zeros([1, 1, 2, 2], { device });
    expect(() => interpolate(x, { size: 3, scaleFactor: 2 })).toThrow(/exactly one of size and scaleFactor/);
    expect(() => interpolate(x, { size: [0, 2] })).toThrow(/options.size must be a positive integer/);
    expect(() => interpolate(x, { size: 4, alignCorners: true })).toThrow(/alignCorners/);
    expect(() => interpolate(zeros([2, 2, 2], { device }), { size: 4 })).toThrow(/x must be a 4-D tensor/);
    expect(() => interpolate(x, { size: 4, mode: 'bicubic' as 'nearest' })).toThrow(/mode must be 'nearest' or 'bilinear'/);
  });
});

describe('interpolate gradients, float64 finite differences [cpu]', () => {
  for (const [mode, ac] of [['nearest', false], ['bilinear', false], ['bilinear', true]] as const) {
    it(`${mode}${ac ? ' alignCorners' : ''}: upsampling and downsampling`, () => {
      const x = rand([1, 2, 4, 5], { seed: 2, dtype: 'float64' }).requiresGrad_();
      expect(gradcheck((a) => interpolate(a, { size: [7, 9], mode, alignCorners: ac || undefined }), [x])).toBe(true);
      expect(gradcheck((a) => interpolate(a, { size: [3, 2], mode, alignCorners: ac || undefined }), [x])).toBe(true);
      expect(gradcheck((a) => interpolate(a, { scaleFactor: 1.5, mode, alignCorners: ac || undefined }), [x])).toBe(true);
    });
  }
});

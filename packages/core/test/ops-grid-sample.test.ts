import { describe, expect, it } from 'vitest';
import { gridSample, rand, tensor, zeros, type Tensor } from '../src/index.js';
import { gradcheck } from '../src/gradcheck.js';
import { describeBackends, expectClose, values } from './harness.js';

/** Reference: PyTorch's bilinear grid_sample formula, one output element at a time. */
function refGridSample(x: number[], xs: number[], grid: number[], gs: number[], alignCorners: boolean, border: boolean): number[] {
  const [N, C, H, W] = xs;
  const [, Ho, Wo] = gs;
  const coord = (g: number, size: number): number => {
    let v = alignCorners ? ((g + 1) / 2) * (size - 1) : ((g + 1) * size - 1) / 2;
    if (border) v = Math.min(size - 1, Math.max(0, v));
    return v;
  };
  const at = (n: number, c: number, y: number, xx: number): number =>
    y < 0 || y >= H || xx < 0 || xx >= W ? 0 : x[((n * C + c) * H + y) * W + xx];
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < Ho * Wo; i++) {
    const ix = coord(grid[(n * Ho * Wo + i) * 2], W);
    const iy = coord(grid[(n * Ho * Wo + i) * 2 + 1], H);
    const x0 = Math.floor(ix);
    const y0 = Math.floor(iy);
    const tx = ix - x0;
    const ty = iy - y0;
    out.push(
      at(n, c, y0, x0) * (1 - tx) * (1 - ty) + at(n, c, y0, x0 + 1) * tx * (1 - ty) +
      at(n, c, y0 + 1, x0) * (1 - tx) * ty + at(n, c, y0 + 1, x0 + 1) * tx * ty,
    );
  }
  return out;
}

const MODES: { alignCorners: boolean; paddingMode: 'zeros' | 'border' }[] = [
  { alignCorners: false, paddingMode: 'zeros' },
  { alignCorners: true, paddingMode: 'zeros' },
  { alignCorners: false, paddingMode: 'border' },
  { alignCorners: true, paddingMode: 'border' },
];

describeBackends('gridSample', ({ device, tol }) => {
  it('samples hand-computed values at the centre and the corners', async () => {
    const x = tensor([[[[1, 2], [3, 4]]]], { device });
    const grid = tensor([[[[0, 0], [-1, -1], [1, 1]]]], { device });
    // alignCorners=false: -1 is the outer edge of pixel 0, i.e. coordinate -0.5 -> a quarter of pixel (0,0).
    expectClose(await values(gridSample(x, grid)), [2.5, 0.25, 1], tol);
    expectClose(await values(gridSample(x, grid, { paddingMode: 'border' })), [2.5, 1, 4], tol);
    expectClose(await values(gridSample(x, grid, { alignCorners: true })), [2.5, 1, 4], tol);
  });

  for (const m of MODES) {
    it(`matches the reference formula (alignCorners ${m.alignCorners}, ${m.paddingMode})`, async () => {
      const x = rand([2, 3, 5, 7], { seed: 1, device, low: -1, high: 1 });
      const grid = rand([2, 4, 6, 2], { seed: 2, device, low: -1.3, high: 1.3 });
      const y = gridSample(x, grid, m);
      expect(y.shape).toEqual([2, 3, 4, 6]);
      expectClose(await values(y), refGridSample(await values(x), [2, 3, 5, 7], await values(grid), [2, 4, 6, 2], m.alignCorners, m.paddingMode === 'border'), 1e-5, 1e-5);
    });
  }

  it('reproduces the input on an identity grid with alignCorners', async () => {
    const H = 3, W = 4;
    const g: number[] = [];
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) g.push((2 * j) / (W - 1) - 1, (2 * i) / (H - 1) - 1);
    const x = rand([1, 2, H, W], { seed: 3, device });
    const y = gridSample(x, tensor(g, { shape: [1, H, W, 2], device }), { alignCorners: true });
    expectClose(await values(y), await values(x), 1e-6, 1e-6);
  });

  it('rejects a grid of the wrong shape naming both shapes', () => {
    const x = zeros([2, 1, 4, 4], { device });
    expect(() => gridSample(x, zeros([2, 3, 3, 3], { device }))).toThrow(/gridSample: grid must have shape \[N = 2, Ho, Wo, 2\], got x .*\[2, 1, 4, 4\].*\[2, 3, 3, 3\]/);
    expect(() => gridSample(x, zeros([1, 3, 3, 2], { device }))).toThrow(/N = 2/);
    expect(() => gridSample(x, zeros([2, 3, 3, 2], { device }), { paddingMode: 'reflection' as 'zeros' })).toThrow(/paddingMode must be 'zeros' or 'border'/);
  });
});

describe('gridSample gradients, float64 finite differences [cpu]', () => {
  for (const m of MODES) {
    it(`w.r.t. input and grid (alignCorners ${m.alignCorners}, ${m.paddingMode})`, () => {
      const x = rand([1, 2, 4, 5], { seed: 4, dtype: 'float64', low: -1, high: 1 }).requiresGrad_();
      const grid = rand([1, 3, 3, 2], { seed: 5, dtype: 'float64', low: -1.2, high: 1.2 }).requiresGrad_();
      expect(gradcheck((a, g) => gridSample(a, g, m), [x, grid])).toBe(true);
    });
  }
});

import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { cpuBackend } from '../cpu-backend.js';

/**
 * Bilinear grid sampling with PyTorch's F.grid_sample semantics (aten/src/ATen/native/
 * GridSampler.h): grid (x, y) in [-1, 1] maps to pixel coordinates
 * alignCorners ? (g + 1)/2 * (size - 1) : ((g + 1) * size - 1)/2; 'border' clamps the
 * coordinate to [0, size - 1] (zero gradient where clamped); 'zeros' reads 0 outside.
 */
interface Coord {
  /** pixel coordinate after padding */
  v: number;
  /** d(pixel coordinate)/d(grid value) */
  d: number;
}

function unnormalize(g: number, size: number, alignCorners: boolean, border: boolean, out: Coord): void {
  let v: number;
  let d: number;
  if (alignCorners) {
    v = ((g + 1) / 2) * (size - 1);
    d = (size - 1) / 2;
  } else {
    v = ((g + 1) * size - 1) / 2;
    d = size / 2;
  }
  if (border) {
    if (v <= 0) {
      v = 0;
      d = 0;
    } else if (v >= size - 1) {
      v = size - 1;
      d = 0;
    }
  }
  out.v = v;
  out.d = d;
}

registerKernel<KernelAttrs['GridSample']>('cpu', 'GridSample', ([x, grid], { alignCorners, padding }) => {
  const [N, C, H, W] = x.shape;
  const [, Ho, Wo] = grid.shape;
  const X = x.storage as TypedArray;
  const G = grid.storage as TypedArray;
  const out = cpuBackend.alloc(x.dtype, N * C * Ho * Wo);
  const border = padding === 'border';
  const cx: Coord = { v: 0, d: 0 };
  const cy: Coord = { v: 0, d: 0 };
  const hw = H * W;
  const ohw = Ho * Wo;
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < ohw; p++) {
      const gi = (n * ohw + p) * 2;
      unnormalize(G[gi], W, alignCorners, border, cx);
      unnormalize(G[gi + 1], H, alignCorners, border, cy);
      const x0 = Math.floor(cx.v);
      const y0 = Math.floor(cy.v);
      const tx = cx.v - x0;
      const ty = cy.v - y0;
      const in00 = y0 >= 0 && y0 < H && x0 >= 0 && x0 < W;
      const in01 = y0 >= 0 && y0 < H && x0 + 1 >= 0 && x0 + 1 < W;
      const in10 = y0 + 1 >= 0 && y0 + 1 < H && x0 >= 0 && x0 < W;
      const in11 = y0 + 1 >= 0 && y0 + 1 < H && x0 + 1 >= 0 && x0 + 1 < W;
      const w00 = (1 - ty) * (1 - tx), w01 = (1 - ty) * tx, w10 = ty * (1 - tx), w11 = ty * tx;
      const o00 = y0 * W + x0;
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * hw + o00;
        let s = 0;
        if (in00) s += w00 * X[base];
        if (in01) s += w01 * X[base + 1];
        if (in10) s += w10 * X[base + W];
        if (in11) s += w11 * X[base + W + 1];
        out[(n * C + c) * ohw + p] = s;
      }
    }
  }
  return { storage: out, shape: [N, C, Ho, Wo], dtype: x.dtype };
});

registerKernel<KernelAttrs['GridSampleBackward']>('cpu', 'GridSampleBackward', ([x, grid, dy], { alignCorners, padding }) => {
  const [N, C, H, W] = x.shape;
  const [, Ho, Wo] = grid.shape;
  const X = x.storage as TypedArray;
  const G = grid.storage as TypedArray;
  const DY = dy.storage as TypedArray;
  const dxOut = cpuBackend.alloc(x.dtype, x.size);
  const dx = dxOut instanceof Float64Array ? dxOut : new Float64Array(x.size);
  const dgrid = cpuBackend.alloc(grid.dtype, grid.size);
  const border = padding === 'border';
  const cx: Coord = { v: 0, d: 0 };
  const cy: Coord = { v: 0, d: 0 };
  const hw = H * W;
  const ohw = Ho * Wo;
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < ohw; p++) {
      const gi = (n * ohw + p) * 2;
      unnormalize(G[gi], W, alignCorners, border, cx);
      unnormalize(G[gi + 1], H, alignCorners, border, cy);
      const x0 = Math.floor(cx.v);
      const y0 = Math.floor(cy.v);
      const tx = cx.v - x0;
      const ty = cy.v - y0;
      const in00 = y0 >= 0 && y0 < H && x0 >= 0 && x0 < W;
      const in01 = y0 >= 0 && y0 < H && x0 + 1 >= 0 && x0 + 1 < W;
      const in10 = y0 + 1 >= 0 && y0 + 1 < H && x0 >= 0 && x0 < W;
      const in11 = y0 + 1 >= 0 && y0 + 1 < H && x0 + 1 >= 0 && x0 + 1 < W;
      const w00 = (1 - ty) * (1 - tx), w01 = (1 - ty) * tx, w10 = ty * (1 - tx), w11 = ty * tx;
      const o00 = y0 * W + x0;
      let gx = 0;
      let gy = 0;
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * hw + o00;
        const g = DY[(n * C + c) * ohw + p];
        const v00 = in00 ? X[base] : 0;
        const v01 = in01 ? X[base + 1] : 0;
        const v10 = in10 ? X[base + W] : 0;
        const v11 = in11 ? X[base + W + 1] : 0;
        if (in00) dx[base] += w00 * g;
        if (in01) dx[base + 1] += w01 * g;
        if (in10) dx[base + W] += w10 * g;
        if (in11) dx[base + W + 1] += w11 * g;
        gx += g * ((v01 - v00) * (1 - ty) + (v11 - v10) * ty);
        gy += g * ((v10 - v00) * (1 - tx) + (v11 - v01) * tx);
      }
      dgrid[gi] = gx * cx.d;
      dgrid[gi + 1] = gy * cy.d;
    }
  }
  if (dx !== dxOut) dxOut.set(dx);
  return [
    { storage: dxOut, shape: x.shape, dtype: x.dtype },
    { storage: dgrid, shape: grid.shape, dtype: grid.dtype },
  ];
});

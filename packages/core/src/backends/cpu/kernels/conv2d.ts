import { allocArray, type DType, type TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { cpuBackend } from '../cpu-backend.js';
import { gemm, GemmWorkspace } from './gemm.js';

/**
 * Convolutions as im2col + the packed gemm core (Chellapilla et al., "High Performance
 * Convolutional Neural Networks for Document Processing", 2006): per image and group,
 * col[(c*kh + ky)*kw + kx][oy*Wo + ox] = x[c][oy*sh - ph + ky*dh][ox*sw - pw + kx*dw]
 * (0 outside), then y_g = w_g · col, dcol = w_gᵀ · dy_g (scattered back by col2im), and
 * dw_g += dy_g · colᵀ. A 1x1, stride-1, unpadded conv uses x itself as col.
 */
interface Geometry {
  C: number; H: number; W: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  Ho: number; Wo: number;
}

function isIdentityCol(g: Geometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0 && g.Ho === g.H && g.Wo === g.W;
}

/** Fills col (Cg*kh*kw, Ho*Wo) from channels [xOff, xOff + Cg*H*W) of x. */
function im2col(x: TypedArray, xOff: number, cg: number, g: Geometry, col: TypedArray): void {
  const { H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  const hw = Ho * Wo;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const xc = xOff + c * H * W;
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, row++) {
        const base = row * hw;
        const dx = kx * dw - pw;
        // Range of ox whose source column lies inside [0, W).
        const oxLo = Math.min(Wo, Math.max(0, Math.ceil(-dx / sw)));
        const oxHi = Math.max(oxLo, Math.min(Wo, Math.floor((W - 1 - dx) / sw) + 1));
        for (let oy = 0; oy < Ho; oy++) {
          const iy = oy * sh - ph + ky * dh;
          const o = base + oy * Wo;
          if (iy < 0 || iy >= H) {
            col.fill(0, o, o + Wo);
            continue;
          }
          const xr = xc + iy * W + dx;
          for (let ox = 0; ox < oxLo; ox++) col[o + ox] = 0;
          if (sw === 1) for (let ox = oxLo; ox < oxHi; ox++) col[o + ox] = x[xr + ox];
          else for (let ox = oxLo; ox < oxHi; ox++) col[o + ox] = x[xr + ox * sw];
          for (let ox = oxHi; ox < Wo; ox++) col[o + ox] = 0;
        }
      }
    }
  }
}

/** dx[channels at xOff] += col2im(col): the adjoint of im2col. */
function col2im(col: Float64Array, cg: number, g: Geometry, dx: Float64Array, xOff: number): void {
  const { H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  const hw = Ho * Wo;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const xc = xOff + c * H * W;
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, row++) {
        const base = row * hw;
        const dxo = kx * dw - pw;
        const oxLo = Math.min(Wo, Math.max(0, Math.ceil(-dxo / sw)));
        const oxHi = Math.max(oxLo, Math.min(Wo, Math.floor((W - 1 - dxo) / sw) + 1));
        for (let oy = 0; oy < Ho; oy++) {
          const iy = oy * sh - ph + ky * dh;
          if (iy < 0 || iy >= H) continue;
          const o = base + oy * Wo;
          const xr = xc + iy * W + dxo;
          for (let ox = oxLo; ox < oxHi; ox++) dx[xr + ox * sw] += col[o + ox];
        }
      }
    }
  }
}

function geometry(
  x: readonly number[], filter: readonly number[], out: readonly number[],
  a: { stride: [number, number]; padding: [number, number]; dilation: [number, number] },
): Geometry {
  return {
    C: x[1], H: x[2], W: x[3], kh: filter[2], kw: filter[3],
    sh: a.stride[0], sw: a.stride[1], ph: a.padding[0], pw: a.padding[1], dh: a.dilation[0], dw: a.dilation[1],
    Ho: out[2], Wo: out[3],
  };
}

function outSize(inp: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((inp + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function colBuffer(dtype: DType, n: number): TypedArray {
  return allocArray(dtype, n);
}

registerKernel<KernelAttrs['Conv2d']>('cpu', 'Conv2d', (inputs, attrs) => {
  const [x, w, bias] = inputs;
  const [N, C, H, W] = x.shape;
  const [O, cg, kh, kw] = w.shape;
  const groups = attrs.groups;
  const og = O / groups;
  const Ho = outSize(H, kh, attrs.stride[0], attrs.padding[0], attrs.dilation[0]);
  const Wo = outSize(W, kw, attrs.stride[1], attrs.padding[1], attrs.dilation[1]);
  const g = geometry(x.shape, w.shape, [N, O, Ho, Wo], attrs);
  const hw = Ho * Wo;
  const K = cg * kh * kw;
  const X = x.storage as TypedArray;
  const Wt = w.storage as TypedArray;
  const out = cpuBackend.alloc(x.dtype, N * O * hw);
  const direct = out instanceof Float64Array;
  const acc = direct ? out : new Float64Array(og * hw);
  const identity = isIdentityCol(g);
  const col = identity ? X : colBuffer(x.dtype, K * hw);
  const ws = new GemmWorkspace();
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n * C + gi * cg) * H * W;
      if (!identity) im2col(X, xOff, cg, g, col);
      const yOff = (n * O + gi * og) * hw;
      if (!direct) acc.fill(0);
      gemm(
        { data: Wt, offset: gi * og * K, transposed: false },
        { data: col, offset: identity ? xOff : 0, transposed: false },
        acc, direct ? yOff : 0, og, K, hw, ws,
      );
      if (!direct) out.set(acc, yOff);
    }
  }
  if (bias) {
    const B = bias.storage as TypedArray;
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) {
        const b = B[o];
        const base = (n * O + o) * hw;
        for (let i = 0; i < hw; i++) out[base + i] += b;
      }
    }
  }
  return { storage: out, shape: [N, O, Ho, Wo], dtype: x.dtype };
});

registerKernel<KernelAttrs['Conv2dBackpropInput']>('cpu', 'Conv2dBackpropInput', ([dy, w], attrs) => {
  const [N, O, Ho, Wo] = dy.shape;
  const [, cg, kh, kw] = w.shape;
  const [, C, H, W] = attrs.inputShape;
  const groups = attrs.groups;
  const og = O / groups;
  const g = geometry(attrs.inputShape, w.shape, dy.shape, attrs);
  const hw = Ho * Wo;
  const K = cg * kh * kw;
  const DY = dy.storage as TypedArray;
  const Wt = w.storage as TypedArray;
  const out = cpuBackend.alloc(dy.dtype, N * C * H * W);
  const dx = out instanceof Float64Array ? out : new Float64Array(N * C * H * W);
  const identity = isIdentityCol(g);
  const dcol = new Float64Array(K * hw);
  const ws = new GemmWorkspace();
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n * C + gi * cg) * H * W;
      const a = { data: Wt, offset: gi * og * K, transposed: true };
      const b = { data: DY, offset: (n * O + gi * og) * hw, transposed: false };
      if (identity) {
        gemm(a, b, dx, xOff, K, og, hw, ws);
        continue;
      }
      dcol.fill(0);
      gemm(a, b, dcol, 0, K, og, hw, ws);
      col2im(dcol, cg, g, dx, xOff);
    }
  }
  if (dx !== out) out.set(dx);
  return { storage: out, shape: attrs.inputShape, dtype: dy.dtype };
});

registerKernel<KernelAttrs['Conv2dBackpropFilter']>('cpu', 'Conv2dBackpropFilter', ([x, dy], attrs) => {
  const [N, C, H, W] = x.shape;
  const [, O, Ho, Wo] = dy.shape;
  const [, cg, kh, kw] = attrs.filterShape;
  const groups = attrs.groups;
  const og = O / groups;
  const g = geometry(x.shape, attrs.filterShape, dy.shape, attrs);
  const hw = Ho * Wo;
  const K = cg * kh * kw;
  const X = x.storage as TypedArray;
  const DY = dy.storage as TypedArray;
  const out = cpuBackend.alloc(x.dtype, O * K);
  const dw = out instanceof Float64Array ? out : new Float64Array(O * K);
  const identity = isIdentityCol(g);
  const col = identity ? X : colBuffer(x.dtype, K * hw);
  const ws = new GemmWorkspace();
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n * C + gi * cg) * H * W;
      if (!identity) im2col(X, xOff, cg, g, col);
      gemm(
        { data: DY, offset: (n * O + gi * og) * hw, transposed: false },
        { data: col, offset: identity ? xOff : 0, transposed: true },
        dw, gi * og * K, og, hw, K, ws,
      );
    }
  }
  if (dw !== out) out.set(dw);
  return { storage: out, shape: attrs.filterShape, dtype: x.dtype };
});

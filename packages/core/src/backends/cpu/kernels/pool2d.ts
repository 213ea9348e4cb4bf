import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { cpuBackend } from '../cpu-backend.js';

/**
 * Average / max pooling with PyTorch's window rules (aten/src/ATen/native/
 * AvgPool2d.cpp, DilatedMaxPool2d.cpp): window start = o*s - p; the average's divisor is
 * the window clipped to the padded input (countIncludePad) or to the input itself;
 * max ignores padding, propagates NaN, and records the flat index h*W + w of the first maximum.
 */
interface Win { h0: number; h1: number; w0: number; w1: number; div: number }

function windowOf(oy: number, ox: number, H: number, W: number, a: KernelAttrs['Pool2d'], out: Win): void {
  const [kh, kw] = a.kernel;
  const [sh, sw] = a.stride;
  const [ph, pw] = a.padding;
  let h0 = oy * sh - ph;
  let w0 = ox * sw - pw;
  let h1 = Math.min(h0 + kh, H + ph);
  let w1 = Math.min(w0 + kw, W + pw);
  const padded = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, H);
  w1 = Math.min(w1, W);
  out.h0 = h0; out.h1 = h1; out.w0 = w0; out.w1 = w1;
  out.div = a.countIncludePad ? padded : (h1 - h0) * (w1 - w0);
}

const outSize = (n: number, k: number, s: number, p: number): number => Math.floor((n + 2 * p - k) / s) + 1;

registerKernel<KernelAttrs['Pool2d']>('cpu', 'Pool2d', ([x], a) => {
  const [N, C, H, W] = x.shape;
  const Ho = outSize(H, a.kernel[0], a.stride[0], a.padding[0]);
  const Wo = outSize(W, a.kernel[1], a.stride[1], a.padding[1]);
  const X = x.storage as TypedArray;
  const out = cpuBackend.alloc(x.dtype, N * C * Ho * Wo);
  const arg = a.kind === 'max' ? (cpuBackend.alloc('int32', N * C * Ho * Wo) as Int32Array) : null;
  const win: Win = { h0: 0, h1: 0, w0: 0, w1: 0, div: 1 };
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * H * W;
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, o++) {
        windowOf(oy, ox, H, W, a, win);
        if (arg) {
          let best = -Infinity;
          let bi = win.h0 * W + win.w0;
          for (let y = win.h0; y < win.h1; y++) {
            for (let xx = win.w0; xx < win.w1; xx++) {
              const v = X[base + y * W + xx];
              if (v > best || Number.isNaN(v)) {
                best = v;
                bi = y * W + xx;
                if (Number.isNaN(v)) break;
              }
            }
            if (Number.isNaN(best)) break;
          }
          out[o] = best;
          arg[o] = bi;
        } else {
          let s = 0;
          for (let y = win.h0; y < win.h1; y++) for (let xx = win.w0; xx < win.w1; xx++) s += X[base + y * W + xx];
          out[o] = s / win.div;
        }
      }
    }
  }
  const y = { storage: out, shape: [N, C, Ho, Wo], dtype: x.dtype };
  return arg ? [y, { storage: arg, shape: [N, C, Ho, Wo], dtype: 'int32' as const }] : y;
});

registerKernel<KernelAttrs['Pool2dBackward']>('cpu', 'Pool2dBackward', (inputs, a) => {
  const [dy, argmax] = inputs;
  const [N, C, H, W] = a.inputShape;
  const [, , Ho, Wo] = dy.shape;
  const DY = dy.storage as TypedArray;
  const outArr = cpuBackend.alloc(dy.dtype, N * C * H * W);
  const dx = outArr instanceof Float64Array ? outArr : new Float64Array(N * C * H * W);
  const ARG = argmax ? (argmax.storage as Int32Array) : null;
  const win: Win = { h0: 0, h1: 0, w0: 0, w1: 0, div: 1 };
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * H * W;
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, o++) {
        if (ARG) {
          dx[base + ARG[o]] += DY[o];
          continue;
        }
        windowOf(oy, ox, H, W, a, win);
        const g = DY[o] / win.div;
        for (let y = win.h0; y < win.h1; y++) for (let xx = win.w0; xx < win.w1; xx++) dx[base + y * W + xx] += g;
      }
    }
  }
  if (dx !== outArr) outArr.set(dx);
  return { storage: outArr, shape: a.inputShape, dtype: dy.dtype };
});

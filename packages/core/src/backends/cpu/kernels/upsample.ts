import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { cpuBackend } from '../cpu-backend.js';

/**
 * Upsample / resize with PyTorch's F.interpolate index maps (aten/src/ATen/native/
 * UpSample.h), per output row/column: nearest src = min(floor(dst * in/out), in - 1);
 * bilinear src = alignCorners ? dst * (in-1)/(out-1) : max(0, (dst + 0.5) * in/out - 0.5),
 * lo = floor(src), hi = min(lo + 1, in - 1), weight of hi = src - lo.
 * The backward scatters with the same taps (it is the exact adjoint).
 */
interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  t: Float64Array;
}

function taps(mode: 'nearest' | 'bilinear', inSize: number, outSize: number, alignCorners: boolean): Taps {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const t = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    if (mode === 'nearest') {
      lo[d] = hi[d] = Math.min(Math.floor(d * scale), inSize - 1);
      continue;
    }
    let src: number;
    if (alignCorners) src = outSize > 1 ? (d * (inSize - 1)) / (outSize - 1) : 0;
    else src = Math.max(0, (d + 0.5) * scale - 0.5);
    const l = Math.min(Math.floor(src), inSize - 1);
    lo[d] = l;
    hi[d] = Math.min(l + 1, inSize - 1);
    t[d] = src - l;
  }
  return { lo, hi, t };
}

registerKernel<KernelAttrs['Upsample']>('cpu', 'Upsample', ([x], { mode, size, alignCorners }) => {
  const [N, C, H, W] = x.shape;
  const [Ho, Wo] = size;
  const ty = taps(mode, H, Ho, alignCorners);
  const tx = taps(mode, W, Wo, alignCorners);
  const X = x.storage as TypedArray;
  const out = cpuBackend.alloc(x.dtype, N * C * Ho * Wo);
  for (let nc = 0; nc < N * C; nc++) {
    const src = nc * H * W;
    let o = nc * Ho * Wo;
    for (let oy = 0; oy < Ho; oy++) {
      const r0 = src + ty.lo[oy] * W;
      const r1 = src + ty.hi[oy] * W;
      const wy = ty.t[oy];
      for (let ox = 0; ox < Wo; ox++, o++) {
        const a = tx.lo[ox];
        const b = tx.hi[ox];
        const wx = tx.t[ox];
        const top = X[r0 + a] + (X[r0 + b] - X[r0 + a]) * wx;
        const bot = X[r1 + a] + (X[r1 + b] - X[r1 + a]) * wx;
        out[o] = top + (bot - top) * wy;
      }
    }
  }
  return { storage: out, shape: [N, C, Ho, Wo], dtype: x.dtype };
});

registerKernel<KernelAttrs['UpsampleBackward']>('cpu', 'UpsampleBackward', ([dy], { mode, inputShape, alignCorners }) => {
  const [N, C, H, W] = inputShape;
  const [, , Ho, Wo] = dy.shape;
  const ty = taps(mode, H, Ho, alignCorners);
  const tx = taps(mode, W, Wo, alignCorners);
  const DY = dy.storage as TypedArray;
  const outArr = cpuBackend.alloc(dy.dtype, N * C * H * W);
  const dx = outArr instanceof Float64Array ? outArr : new Float64Array(N * C * H * W);
  for (let nc = 0; nc < N * C; nc++) {
    const dst = nc * H * W;
    let o = nc * Ho * Wo;
    for (let oy = 0; oy < Ho; oy++) {
      const r0 = dst + ty.lo[oy] * W;
      const r1 = dst + ty.hi[oy] * W;
      const wy = ty.t[oy];
      for (let ox = 0; ox < Wo; ox++, o++) {
        const g = DY[o];
        const a = tx.lo[ox];
        const b = tx.hi[ox];
        const wx = tx.t[ox];
        const gt = g * (1 - wy);
        const gb = g * wy;
        dx[r0 + a] += gt * (1 - wx);
        dx[r0 + b] += gt * wx;
        dx[r1 + a] += gb * (1 - wx);
        dx[r1 + b] += gb * wx;
      }
    }
  }
  if (dx !== outArr) outArr.set(dx);
  return { storage: outArr, shape: inputShape, dtype: dy.dtype };
});

import { stridesOf, type Shape } from '../../shape.js';

/**
 * For each flat index of `outShape`, the flat index into an input of `inShape` that
 * broadcasts to it. Returns null when the shapes are equal (identity mapping).
 */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array | null {
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) return null;
  const n = outShape.reduce((a, b) => a * b, 1);
  const rank = outShape.length;
  const off = rank - inShape.length;
  const inStrides = stridesOf(inShape);
  // Effective stride per output axis: 0 where the input is broadcast.
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) eff[i + off] = inShape[i] === 1 ? 0 : inStrides[i];
  const out = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let k = 0; k < n; k++) {
    out[k] = src;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      src += eff[ax];
      if (idx[ax] < outShape[ax]) break;
      src -= eff[ax] * idx[ax];
      idx[ax] = 0;
    }
  }
  return out;
}

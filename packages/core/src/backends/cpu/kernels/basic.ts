import { isFloat, toTypedArray, type TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { broadcastShapes, sizeOf } from '../../../shape.js';
import { broadcastIndex } from '../broadcast.js';
import { cpuBackend } from '../cpu-backend.js';

const data = (t: { storage: unknown }) => t.storage as TypedArray;

registerKernel<KernelAttrs['Copy']>('cpu', 'Copy', ([x]) => ({
  storage: cpuBackend.upload(x.dtype, data(x)),
  shape: x.shape,
  dtype: x.dtype,
}));

registerKernel<KernelAttrs['Upload']>('cpu', 'Upload', (_i, { shape, dtype, data: d }) => ({
  storage: cpuBackend.upload(dtype, d),
  shape,
  dtype,
}));

registerKernel<KernelAttrs['Fill']>('cpu', 'Fill', (_i, { shape, dtype, value }) => {
  const out = cpuBackend.alloc(dtype, sizeOf(shape));
  if (value !== 0) out.fill(dtype === 'bool' ? (value ? 1 : 0) : value);
  return { storage: out, shape, dtype };
});

registerKernel<KernelAttrs['Cast']>('cpu', 'Cast', ([x], { dtype }) => {
  const src = data(x);
  const out = cpuBackend.alloc(dtype, x.size);
  if (dtype === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  else if (isFloat(x.dtype) && !isFloat(dtype)) for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]);
  else out.set(toTypedArray(dtype, src));
  return { storage: out, shape: x.shape, dtype };
});

type BinFn = (a: number, b: number) => number;
const BINARY: Record<KernelAttrs['Binary']['op'], BinFn> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  atan2: (a, b) => Math.atan2(a, b),
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
  logicalAnd: (a, b) => +(a !== 0 && b !== 0),
  logicalOr: (a, b) => +(a !== 0 || b !== 0),
};
const BOOL_OUT = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr']);

registerKernel<KernelAttrs['Binary']>('cpu', 'Binary', ([a, b], { op }) => {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const dtype = BOOL_OUT.has(op) ? 'bool' : a.dtype;
  const n = sizeOf(shape);
  const out = cpuBackend.alloc(dtype, n);
  const A = data(a);
  const B = data(b);
  const f = BINARY[op];
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  // Integer division truncates toward zero, as a C/WGSL cast of the quotient.
  const intDiv = op === 'div' && !isFloat(dtype);
  if (!ia && !ib) for (let i = 0; i < n; i++) out[i] = f(A[i], B[i]);
  else if (!ia && b.size === 1) {
    const bv = B[0];
    for (let i = 0; i < n; i++) out[i] = f(A[i], bv);
  } else for (let i = 0; i < n; i++) out[i] = f(A[ia ? ia[i] : i], B[ib ? ib[i] : i]);
  if (intDiv) for (let i = 0; i < n; i++) out[i] = Math.trunc(f(A[ia ? ia[i] : i], B[ib ? ib[i] : i]));
  return { storage: out, shape, dtype };
});

registerKernel<KernelAttrs['Where']>('cpu', 'Where', ([c, a, b]) => {
  const shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape);
  const n = sizeOf(shape);
  const out = cpuBackend.alloc(a.dtype, n);
  const C = data(c), A = data(a), B = data(b);
  const ic = broadcastIndex(c.shape, shape), ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
  for (let i = 0; i < n; i++) out[i] = C[ic ? ic[i] : i] ? A[ia ? ia[i] : i] : B[ib ? ib[i] : i];
  return { storage: out, shape, dtype: a.dtype };
});

/**
 * Reduce over a set of axes: the input is viewed as (outer..., reduced..., inner...)
 * after a logical transpose; we iterate output elements and walk the reduced axes.
 */
registerKernel<KernelAttrs['Reduce']>('cpu', 'Reduce', ([x], { op, axes }) => {
  const shape = x.shape;
  const rank = shape.length;
  const keepAxes = [...Array(rank).keys()].filter((a) => !axes.includes(a));
  const outShape = keepAxes.map((a) => shape[a]);
  const outN = sizeOf(outShape);
  const redShape = axes.map((a) => shape[a]);
  const redN = sizeOf(redShape);
  const strides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
  const isArg = op === 'argmax' || op === 'argmin';
  const dtype = isArg ? 'int32' : x.dtype;
  const out = cpuBackend.alloc(dtype, outN) as TypedArray;
  const X = data(x);
  // Offsets of the reduced sub-block, relative to the block's first element.
  const redOff = new Float64Array(redN);
  {
    const idx = new Array<number>(axes.length).fill(0);
    for (let k = 0; k < redN; k++) {
      let o = 0;
      for (let j = 0; j < axes.length; j++) o += idx[j] * strides[axes[j]];
      redOff[k] = o;
      for (let j = axes.length - 1; j >= 0; j--) {
        if (++idx[j] < redShape[j]) break;
        idx[j] = 0;
      }
    }
  }
  const idx = new Array<number>(keepAxes.length).fill(0);
  for (let o = 0; o < outN; o++) {
    let base = 0;
    for (let j = 0; j < keepAxes.length; j++) base += idx[j] * strides[keepAxes[j]];
    let r: number;
    switch (op) {
      case 'sum': {
        r = 0;
        for (let k = 0; k < redN; k++) r += X[base + redOff[k]];
        break;
      }
      case 'prod': {
        r = 1;
        for (let k = 0; k < redN; k++) r *= X[base + redOff[k]];
        break;
      }
      case 'max':
      case 'min': {
        r = op === 'max' ? -Infinity : Infinity;
        for (let k = 0; k < redN; k++) {
          const v = X[base + redOff[k]];
          if (Number.isNaN(v)) { r = NaN; break; }
          if (op === 'max' ? v > r : v < r) r = v;
        }
        break;
      }
      default: {
        let best = 0;
        let bv = X[base];
        for (let k = 1; k < redN; k++) {
          const v = X[base + redOff[k]];
          if (op === 'argmax' ? v > bv : v < bv) { bv = v; best = k; }
        }
        r = best;
      }
    }
    out[o] = r;
    for (let j = keepAxes.length - 1; j >= 0; j--) {
      if (++idx[j] < outShape[j]) break;
      idx[j] = 0;
    }
  }
  return { storage: out, shape: outShape, dtype };
});

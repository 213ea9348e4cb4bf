import type { DType, Device } from '../dtype.js';
import { fail, fmt, HeadsplatError } from '../errors.js';
import { runKernel } from '../op.js';
import { broadcastReduceAxes, shapesEqual, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import type { KernelAttrs } from '../kernel-names.js';

export type TensorLike = Tensor | number;

/** A scalar number becomes a 0-d tensor on `like`'s device with `like`'s dtype. */
export function asTensor(op: string, arg: string, x: TensorLike, like: { device: Device; dtype: DType }): Tensor {
  if (x instanceof Tensor) {
    x.assertLive(op);
    return x;
  }
  if (typeof x !== 'number') fail(op, arg, 'a Tensor or a number', x);
  return runKernel<KernelAttrs['Fill']>('Fill', [], { shape: [], dtype: like.dtype, value: x }, like.device)[0];
}

/** Resolves the (device, dtype) context of a binary op with possibly-scalar arguments. */
export function binaryContext(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, asTensor(op, 'b', b, a)];
  if (b instanceof Tensor) return [asTensor(op, 'a', a, b), b];
  fail(op, 'a or b', 'a Tensor (at least one of the two)', [a, b]);
}

export function assertFloat(op: string, arg: string, t: Tensor): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') fail(op, arg, 'a float tensor (float32, or float64 on the CPU)', t);
}

export function assertDType(op: string, arg: string, t: Tensor, dtypes: readonly DType[]): void {
  if (!dtypes.includes(t.dtype)) fail(op, arg, `a tensor of dtype ${dtypes.join(' or ')}`, t);
}

export function assertSameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) throw new HeadsplatError(`${op}: a and b must have the same dtype, got ${fmt(a)} and ${fmt(b)}`);
}

/**
 * Sums a broadcast gradient back to `shape` (the gradient of broadcasting), without
 * autograd (see `sumToOp` in shape.ts for the recorded version). Returns `g` itself when
 * the shapes already match; otherwise a new tensor and no other live intermediate.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const axes = broadcastReduceAxes(shape, g.shape);
  if (!axes.length) return reshapeRaw(g, shape);
  const reduced = runKernel<KernelAttrs['Reduce']>('Reduce', [g], { op: 'sum', axes })[0];
  const out = reshapeRaw(reduced, shape);
  // The reshape shares the reduced storage: drop the intermediate handle, not the data.
  if (out !== reduced) reduced.dispose();
  return out;
}

/** Reshape without autograd or validation (internal: same size guaranteed by the caller). */
export function reshapeRaw(t: Tensor, shape: Shape): Tensor {
  if (shapesEqual(t.shape, shape)) return t;
  return new Tensor(t.ref.retain(), shape, t.dtype);
}

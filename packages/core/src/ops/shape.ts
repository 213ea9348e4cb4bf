import { fail, fmt, HeadsplatError } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel } from '../op.js';
import { broadcastShapes, normAxes, normAxis, shapesEqual, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { reshapeRaw, sumTo } from './util.js';

/**
 * Shape ops. Tensors are always contiguous, so reshape/flatten/squeeze/unsqueeze share
 * storage (no kernel), while permute/transpose/expand materialise (Transpose,
 * BroadcastTo kernels).
 */

function checkTensor(op: string, x: unknown, arg = 'x'): asserts x is Tensor {
  if (!(x instanceof Tensor)) fail(op, arg, 'a Tensor', x);
  x.assertLive(op);
}

/** Storage-sharing reshape recording its inverse as gradient (internal, no validation). */
export function viewAs(x: Tensor, shape: Shape, name = 'reshape'): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const out = reshapeRaw(x, shape);
  const inShape = x.shape;
  record({ name, inputs: [x], outputs: [out], backward: ([g]) => [viewAs(g!, inShape, name)] });
  return out;
}

/** New shape with the same number of elements; at most one -1 is inferred. Shares storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', x);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
    fail('reshape', 'shape', 'an array of non-negative integers (one -1 allowed)', shape);
  }
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) fail('reshape', 'shape', 'at most one -1', shape);
  const known = sizeOf(shape.filter((d) => d !== -1));
  let resolved = [...shape];
  if (inferred) {
    if (known === 0 || x.size % known !== 0) {
      throw new HeadsplatError(`reshape: shape ${fmt(shape)} is invalid for a tensor of ${x.size} elements (shape ${fmt(x.shape)})`);
    }
    resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (sizeOf(resolved) !== x.size) {
    throw new HeadsplatError(`reshape: shape ${fmt(shape)} has ${sizeOf(resolved)} elements, the tensor of shape ${fmt(x.shape)} has ${x.size}`);
  }
  return viewAs(x, resolved);
}

/** Merges axes startDim..endDim (inclusive) into one; a 0-d tensor becomes 1-D. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', x);
  if (x.rank === 0) return viewAs(x, [1], 'flatten');
  const s = normAxis('flatten', startDim, x.rank, 'startDim');
  const e = normAxis('flatten', endDim, x.rank, 'endDim');
  if (s > e) fail('flatten', 'startDim', `<= endDim (${e})`, s);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return viewAs(x, shape, 'flatten');
}

/**
 * Removes size-1 axes: all of them, or the given ones. Unlike torch.squeeze(dim), naming
 * an axis whose size is not 1 is an error (nothing is silently ignored).
 */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  checkTensor('squeeze', x);
  const list = axes === undefined ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : normAxes('squeeze', axes, x.rank);
  for (const a of list) if (x.shape[a] !== 1) fail('squeeze', 'axes', `axes of size 1 (axis ${a} of shape ${fmt(x.shape)})`, axes);
  return viewAs(x, x.shape.filter((_, i) => !list.includes(i)), 'squeeze');
}

/** Inserts a size-1 axis at `axis` (in [-rank-1, rank]). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', x);
  const a = normAxis('unsqueeze', axis, x.rank + 1);
  return viewAs(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)], 'unsqueeze');
}

/** Reorders axes: out.shape[k] = x.shape[perm[k]] (torch.permute). */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor('permute', x);
  if (!Array.isArray(perm) || perm.length !== x.rank) fail('permute', 'perm', `a permutation of ${x.rank} axes`, perm);
  const p = perm.map((a) => normAxis('permute', a, x.rank, 'perm'));
  if (new Set(p).size !== p.length) fail('permute', 'perm', 'a permutation (no repeated axis)', perm);
  if (p.every((a, i) => a === i)) return x;
  const out = runKernel<KernelAttrs['Transpose']>('Transpose', [x], { perm: p })[0];
  const inverse = new Array<number>(p.length);
  p.forEach((a, i) => (inverse[a] = i));
  record({ name: 'permute', inputs: [x], outputs: [out], backward: ([g]) => [permute(g!, inverse)] });
  return out;
}

/** Swaps two axes. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  checkTensor('transpose', x);
  const a = normAxis('transpose', dim0, x.rank, 'dim0');
  const b = normAxis('transpose', dim1, x.rank, 'dim1');
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** NumPy broadcast of x to `shape` (materialised); the gradient sums over broadcast axes. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', x);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail('broadcastTo', 'shape', 'an array of non-negative integers', shape);
  }
  const target = [...shape];
  if (shape.length < x.rank || !shapesEqual(broadcastShapes('broadcastTo', x.shape, target), target)) {
    throw new HeadsplatError(`broadcastTo: a tensor of shape ${fmt(x.shape)} cannot be broadcast to ${fmt(shape)}`);
  }
  if (shapesEqual(x.shape, target)) return x;
  const out = runKernel<KernelAttrs['BroadcastTo']>('BroadcastTo', [x], { shape: target })[0];
  const inShape = x.shape;
  record({ name: 'broadcastTo', inputs: [x], outputs: [out], backward: ([g]) => [sumToOp(g!, inShape)] });
  return out;
}

/** torch.Tensor.expand: broadcastTo where -1 keeps the existing size (of the trailing axes). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('expand', x);
  if (!Array.isArray(shape) || shape.length < x.rank) fail('expand', 'shape', `an array of at least ${x.rank} sizes`, shape);
  const off = shape.length - x.rank;
  const target = shape.map((d, i) => {
    if (d !== -1) return d;
    if (i < off) fail('expand', 'shape', `-1 only on existing axes (the last ${x.rank})`, shape);
    return x.shape[i - off];
  });
  return broadcastTo(x, target);
}

/** sumTo with autograd (its gradient is a broadcast), so double backward works. */
export function sumToOp(g: Tensor, shape: Shape): Tensor {
  return composite([g], () => {
    if (shapesEqual(g.shape, shape)) return g;
    const out = sumTo(g, shape);
    const from = g.shape;
    record({ name: 'sumTo', inputs: [g], outputs: [out], backward: ([gg]) => [broadcastTo(gg!, from)] });
    return out;
  });
}

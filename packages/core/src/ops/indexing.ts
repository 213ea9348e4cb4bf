import { fail, fmt, HeadsplatError } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel, sameDevice } from '../op.js';
import { normAxis, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { add } from './binary.js';
import { tensor } from './creation.js';
import { indexAddInto, indexSelectPrim } from './index-add.js';
import { reshape } from './shape.js';
import { pad } from './slice.js';

/**
 * Indexing ops. Index tensors are int32. Out-of-range indices are checked on the CPU
 * (a HeadsplatError naming the op, the argument and the bad index); on WebGPU they are
 * NOT checked (a device-side check would need a read-back per op): validate them on the
 * CPU first when they come from untrusted data.
 */

function checkTensor(op: string, arg: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) fail(op, arg, 'a Tensor', x);
  x.assertLive(op);
}

/** Validates an index tensor: int32, and on the CPU every value in [0, bound). */
function checkIndices(op: string, arg: string, idx: unknown, bound: number): asserts idx is Tensor {
  checkTensor(op, arg, idx);
  if (idx.dtype !== 'int32') fail(op, arg, 'an int32 tensor', idx);
  if (idx.device !== 'cpu') return;
  const d = idx.storage as Int32Array;
  for (let j = 0; j < d.length; j++) {
    const v = d[j];
    if (v < 0 || v >= bound) throw new HeadsplatError(`${op}: ${arg} must hold indices in [0, ${bound}), got ${v} at flat position ${j}`);
  }
}

/** Rows of x along axis picked by 1-D int32 indices (torch.index_select); repeats allowed. */
export function indexSelect(x: Tensor, axis: number, indices: Tensor): Tensor {
  checkTensor('indexSelect', 'x', x);
  if (x.rank === 0) fail('indexSelect', 'x', 'a tensor of rank >= 1', x);
  const a = normAxis('indexSelect', axis, x.rank);
  checkIndices('indexSelect', 'indices', indices, x.shape[a]);
  if (indices.rank !== 1) fail('indexSelect', 'indices', 'a 1-D tensor', indices);
  sameDevice('indexSelect', [x, indices]);
  return indexSelectPrim(x, a, indices);
}

/**
 * torch.index_add: x + source accumulated into rows `indices` of axis (repeated indices
 * add up). source has x's shape except source.shape[axis] = indices.length.
 */
export function indexAdd(x: Tensor, axis: number, indices: Tensor, source: Tensor): Tensor {
  return composite([x], () => {
    checkTensor('indexAdd', 'x', x);
    checkTensor('indexAdd', 'source', source);
    if (x.rank === 0) fail('indexAdd', 'x', 'a tensor of rank >= 1', x);
    const a = normAxis('indexAdd', axis, x.rank);
    checkIndices('indexAdd', 'indices', indices, x.shape[a]);
    if (indices.rank !== 1) fail('indexAdd', 'indices', 'a 1-D tensor', indices);
    sameDevice('indexAdd', [x, indices, source]);
    const want = x.shape.map((d, i) => (i === a ? indices.size : d));
    if (!shapesEqual(source.shape, want)) fail('indexAdd', 'source', `shape ${fmt(want)}`, source);
    if (source.dtype !== x.dtype) fail('indexAdd', 'source', `dtype ${x.dtype} (as x)`, source);
    return add(x, indexAddInto(source, a, indices, x.shape[a]));
  });
}

function gatherPrim(x: Tensor, axis: number, index: Tensor): Tensor {
  const out = runKernel<KernelAttrs['GatherElements']>('GatherElements', [x, index], { axis })[0];
  const shape = [...x.shape];
  record({ name: 'gather', inputs: [x, index], outputs: [out], save: [index], backward: ([g], [idx]) => [scatterPrim(g!, idx, axis, shape), null] });
  return out;
}

function scatterPrim(src: Tensor, index: Tensor, axis: number, shape: number[]): Tensor {
  const out = runKernel<KernelAttrs['ScatterAddElements']>('ScatterAddElements', [src, index], { axis, shape })[0];
  const srcShape = src.shape;
  record({
    name: 'scatterAdd',
    inputs: [src, index],
    outputs: [out],
    save: [index],
    backward: ([g], [idx]) => {
      const picked = gatherPrim(g!, axis, idx);
      // Elements of src beyond index's extent were not scattered: zero gradient.
      return [pad(picked, srcShape.map((d, i) => [0, d - idx.shape[i]] as [number, number])), null];
    },
  });
  return out;
}

function checkElementIndex(op: string, x: Tensor, axis: number, index: Tensor, other: { name: string; shape: readonly number[] }): number {
  if (x.rank === 0) fail(op, 'x', 'a tensor of rank >= 1', x);
  const a = normAxis(op, axis, x.rank);
  checkIndices(op, 'index', index, x.shape[a]);
  if (index.rank !== x.rank) fail(op, 'index', `a tensor of rank ${x.rank} (as x)`, index);
  index.shape.forEach((d, i) => {
    if (i !== a && d > x.shape[i]) fail(op, 'index', `at most ${fmt(x.shape)} on every axis but ${a}`, index);
    if (d > other.shape[i]) fail(op, 'index', `at most ${fmt(other.shape)} (${other.name}) on every axis`, index);
  });
  return a;
}

/**
 * torch.gather: out[i][j][k] = x[index[i][j][k]][j][k] for axis 0 (and likewise for other
 * axes); out has index's shape, which may be smaller than x's on the other axes.
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  checkTensor('gather', 'x', x);
  checkTensor('gather', 'index', index);
  sameDevice('gather', [x, index]);
  const a = checkElementIndex('gather', x, axis, index, { name: 'index', shape: index.shape });
  return gatherPrim(x, a, index);
}

/** Alias of `gather` (the ONNX name). */
export const gatherElements = gather;

/**
 * torch.scatter_add: x + src[m] accumulated at x[m with m[axis] = index[m]] for every
 * multi-index m of index (index may be smaller than src; repeated targets add up).
 * Differentiable in x and src.
 */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  return composite([x], () => {
    checkTensor('scatterAdd', 'x', x);
    checkTensor('scatterAdd', 'index', index);
    checkTensor('scatterAdd', 'src', src);
    sameDevice('scatterAdd', [x, index, src]);
    if (src.dtype !== x.dtype) fail('scatterAdd', 'src', `dtype ${x.dtype} (as x)`, src);
    if (src.rank !== x.rank) fail('scatterAdd', 'src', `a tensor of rank ${x.rank} (as x)`, src);
    const a = checkElementIndex('scatterAdd', x, axis, index, { name: 'src', shape: src.shape });
    return add(x, scatterPrim(src, index, a, [...x.shape]));
  });
}

/** Rows of a (num, dim) weight table for int32 ids of any shape: out.shape = [...ids.shape, dim]. */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  return composite([weight], () => {
    checkTensor('embedding', 'weight', weight);
    if (weight.rank !== 2) fail('embedding', 'weight', 'a 2-D tensor (num, dim)', weight);
    checkIndices('embedding', 'ids', ids, weight.shape[0]);
    sameDevice('embedding', [weight, ids]);
    const rows = indexSelectPrim(weight, 0, reshape(ids, [ids.size]));
    return reshape(rows, [...ids.shape, weight.shape[1]]);
  });
}

/** Elements of x at flat (row-major) int32 indices; out has indices' shape (torch.take). */
export function take(x: Tensor, indices: Tensor): Tensor {
  return composite([x], () => {
    checkTensor('take', 'x', x);
    checkIndices('take', 'indices', indices, x.size);
    sameDevice('take', [x, indices]);
    return reshape(indexSelectPrim(reshape(x, [x.size]), 0, reshape(indices, [indices.size])), [...indices.shape]);
  });
}

/** Flat int32 indices of the true (non-zero) elements, in row-major order (reads the mask back). */
export async function nonzero(mask: Tensor): Promise<Tensor> {
  checkTensor('nonzero', 'mask', mask);
  const m = await mask.data();
  const out: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) out.push(i);
  return tensor(Int32Array.from(out), { device: mask.device });
}

/** The elements of x where mask (same shape) is true, as a 1-D tensor (torch.masked_select); differentiable in x. */
export async function maskedSelect(x: Tensor, mask: Tensor): Promise<Tensor> {
  checkTensor('maskedSelect', 'x', x);
  checkTensor('maskedSelect', 'mask', mask);
  if (mask.dtype !== 'bool') fail('maskedSelect', 'mask', 'a bool tensor', mask);
  if (!shapesEqual(mask.shape, x.shape)) fail('maskedSelect', 'mask', `shape ${fmt(x.shape)} (as x)`, mask);
  const idx = await nonzero(mask);
  const out = take(x, idx);
  idx.dispose();
  return out;
}

import { fail, fmt, HeadsplatError } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel, sameDevice } from '../op.js';
import { normAxis, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { broadcastTo, reshape, unsqueeze } from './shape.js';
import { narrow } from './slice.js';

function checkList(op: string, xs: readonly Tensor[]): void {
  if (!Array.isArray(xs) || xs.length === 0) fail(op, 'tensors', 'a non-empty array of tensors', xs);
  sameDevice(op, xs);
  for (let i = 1; i < xs.length; i++) {
    if (xs[i].dtype !== xs[0].dtype) fail(op, `tensors[${i}]`, `dtype ${xs[0].dtype} (as tensors[0])`, xs[i]);
  }
}

/** Joins tensors along an existing axis; all other axes must match. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  checkList('concat', xs);
  const rank = xs[0].rank;
  if (rank === 0) fail('concat', 'tensors', 'tensors of rank >= 1 (use stack for scalars)', xs[0]);
  const a = normAxis('concat', axis, rank);
  xs.forEach((t, i) => {
    if (t.rank !== rank || t.shape.some((d, k) => k !== a && d !== xs[0].shape[k])) {
      throw new HeadsplatError(`concat: tensors[${i}] has shape ${fmt(t.shape)}, expected ${fmt(xs[0].shape)} on every axis except ${a}`);
    }
  });
  const out = runKernel<KernelAttrs['Concat']>('Concat', [...xs], { axis: a })[0];
  const sizes = xs.map((t) => t.shape[a]);
  record({
    name: 'concat',
    inputs: xs,
    outputs: [out],
    backward: ([g]) => {
      let at = 0;
      return sizes.map((s) => {
        const part = narrow(g!, a, at, s);
        at += s;
        return part;
      });
    },
  });
  return out;
}

/** Joins same-shape tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  return composite(xs, () => {
    checkList('stack', xs);
    const a = normAxis('stack', axis, xs[0].rank + 1);
    xs.forEach((t, i) => {
      if (!shapesEqual(t.shape, xs[0].shape)) throw new HeadsplatError(`stack: tensors[${i}] has shape ${fmt(t.shape)}, expected ${fmt(xs[0].shape)} (as tensors[0])`);
    });
    return concat(xs.map((t) => unsqueeze(t, a)), a);
  });
}

/**
 * torch.split: a number is the size of each piece (the last may be smaller); an array
 * lists the piece sizes, which must sum to the axis size.
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], axis = 0): Tensor[] {
  if (!(x instanceof Tensor)) fail('split', 'x', 'a Tensor', x);
  const a = normAxis('split', axis, x.rank);
  const n = x.shape[a];
  let sizes: number[];
  if (typeof sizeOrSizes === 'number') {
    if (!Number.isInteger(sizeOrSizes) || sizeOrSizes <= 0) fail('split', 'sizeOrSizes', 'a positive integer or an array of sizes', sizeOrSizes);
    sizes = [];
    for (let at = 0; at < n; at += sizeOrSizes) sizes.push(Math.min(sizeOrSizes, n - at));
    if (n === 0) sizes.push(0);
  } else {
    if (!Array.isArray(sizeOrSizes) || !sizeOrSizes.every((s) => Number.isInteger(s) && s >= 0)) {
      fail('split', 'sizeOrSizes', 'a positive integer or an array of non-negative integers', sizeOrSizes);
    }
    const total = sizeOrSizes.reduce((s, v) => s + v, 0);
    if (total !== n) fail('split', 'sizeOrSizes', `sizes summing to ${n} (axis ${a} of shape ${fmt(x.shape)})`, sizeOrSizes);
    sizes = [...sizeOrSizes];
  }
  let at = 0;
  return sizes.map((s) => {
    const part = narrow(x, a, at, s);
    at += s;
    return part;
  });
}

/** torch.chunk: pieces of ceil(n / chunks) elements (possibly fewer than `chunks` pieces). */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  if (!(x instanceof Tensor)) fail('chunk', 'x', 'a Tensor', x);
  if (!Number.isInteger(chunks) || chunks <= 0) fail('chunk', 'chunks', 'a positive integer', chunks);
  const a = normAxis('chunk', axis, x.rank);
  return split(x, Math.max(1, Math.ceil(x.shape[a] / chunks)), a);
}

/**
 * torch.Tensor.repeat: tiles x `reps[k]` times along axis k; reps may be longer than the
 * rank (x gains leading unit axes). Built as a broadcast of interleaved unit axes, so
 * the gradient is the corresponding sum.
 */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  return composite([x], () => {
    if (!(x instanceof Tensor)) fail('repeat', 'x', 'a Tensor', x);
    if (!Array.isArray(reps) || reps.length < x.rank || !reps.every((r) => Number.isInteger(r) && r >= 0)) {
      fail('repeat', 'reps', `an array of at least ${x.rank} non-negative integers`, reps);
    }
    const shape = [...new Array<number>(reps.length - x.rank).fill(1), ...x.shape];
    const inter: number[] = [];
    const big: number[] = [];
    shape.forEach((d, i) => {
      inter.push(1, d);
      big.push(reps[i], d);
    });
    return reshape(broadcastTo(reshape(x, inter), big), shape.map((d, i) => d * reps[i]));
  });
}

import { fail, fmt } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel } from '../op.js';
import { normAxes, normAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { indexAddInto } from './index-add.js';

/** One axis of a slice: Python's start:end:step (end exclusive; negatives count from the end). */
export interface SliceSpec {
  start?: number;
  end?: number;
  /** Non-zero integer; negative walks backwards (default start = last element). Default 1. */
  step?: number;
}

interface Resolved {
  start: number;
  step: number;
  size: number;
}

const isInt = (v: unknown): v is number => Number.isInteger(v);

/**
 * Python/NumPy slice semantics for one axis of size n: negative start/end count from the
 * end, and out-of-range start/end are clamped to the axis (standard slicing, as
 * `x[10:]` on a 5-element list is empty); a step of 0 is an error.
 * @see https://docs.python.org/3/reference/datamodel.html#slice.indices
 */
function resolve(op: string, spec: SliceSpec, n: number, axis: number): Resolved {
  const step = spec.step ?? 1;
  if (!isInt(step) || step === 0) fail(op, `specs[${axis}].step`, 'a non-zero integer', spec.step);
  for (const k of ['start', 'end'] as const) {
    if (spec[k] !== undefined && !isInt(spec[k])) fail(op, `specs[${axis}].${k}`, 'an integer or undefined', spec[k]);
  }
  const norm = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  let start: number;
  let end: number;
  if (step > 0) {
    start = spec.start === undefined ? 0 : norm(spec.start, 0, n);
    end = spec.end === undefined ? n : norm(spec.end, 0, n);
  } else {
    start = spec.start === undefined ? n - 1 : norm(spec.start, -1, n - 1);
    end = spec.end === undefined ? -1 : norm(spec.end, -1, n - 1);
  }
  const size = Math.max(0, Math.ceil((end - start) / step));
  return { start: size ? start : 0, step, size };
}

/** The Slice primitive with its gradient. */
function sliceResolved(x: Tensor, r: Resolved[]): Tensor {
  if (r.every((a, i) => a.step === 1 && a.start === 0 && a.size === x.shape[i])) return x;
  const out = runKernel<KernelAttrs['Slice']>('Slice', [x], { start: r.map((a) => a.start), step: r.map((a) => a.step), size: r.map((a) => a.size) })[0];
  const inShape = x.shape;
  record({ name: 'slice', inputs: [x], outputs: [out], backward: ([g]) => [sliceGrad(g!, inShape, r)] });
  return out;
}

/**
 * Gradient of a slice: reverse the axes read backwards (a flip, itself a slice), spread
 * strided axes with IndexAdd, then zero-pad to the input shape. Plain range slices are a
 * single Pad.
 */
function sliceGrad(g: Tensor, inShape: readonly number[], r: Resolved[]): Tensor {
  let h = g;
  if (r.some((a) => a.step < 0)) h = sliceResolved(h, r.map((a) => (a.step < 0 ? { start: Math.max(a.size - 1, 0), step: -1, size: a.size } : { start: 0, step: 1, size: a.size })));
  const pads: [number, number][] = [];
  r.forEach((a, axis) => {
    const stride = Math.abs(a.step);
    const lo = a.step < 0 ? a.start + (a.size - 1) * a.step : a.start;
    const n = inShape[axis];
    if (a.size === 0) {
      pads.push([0, n]);
    } else if (stride === 1) {
      pads.push([lo, n - lo - a.size]);
    } else {
      const idx = new Int32Array(a.size);
      for (let j = 0; j < a.size; j++) idx[j] = lo + j * stride;
      h = indexAddInto(h, axis, tensor(idx, { device: g.device }), n);
      pads.push([0, 0]);
    }
  });
  return pad(h, pads);
}

/**
 * Slices each axis by a spec (missing/undefined entries and trailing axes are kept whole).
 * @example slice(x, [{ start: 1 }, { step: -1 }]) // x[1:, ::-1]
 */
export function slice(x: Tensor, specs: readonly (SliceSpec | null | undefined)[]): Tensor {
  if (!(x instanceof Tensor)) fail('slice', 'x', 'a Tensor', x);
  x.assertLive('slice');
  if (!Array.isArray(specs) || specs.length > x.rank) fail('slice', 'specs', `an array of at most ${x.rank} slice specs (one per axis)`, specs);
  const r = x.shape.map((n, i) => {
    const s = specs[i];
    if (s !== undefined && s !== null && typeof s !== 'object') fail('slice', `specs[${i}]`, '{ start?, end?, step? }, null or undefined', s);
    return resolve('slice', s ?? {}, n, i);
  });
  return sliceResolved(x, r);
}

/** `length` elements of `axis` from `start` (torch.narrow); the range must lie inside the axis. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  if (!(x instanceof Tensor)) fail('narrow', 'x', 'a Tensor', x);
  const a = normAxis('narrow', axis, x.rank);
  const n = x.shape[a];
  if (!isInt(start) || start < -n || start > n) fail('narrow', 'start', `an integer in [${-n}, ${n}]`, start);
  const s = start < 0 ? start + n : start;
  if (!isInt(length) || length < 0 || s + length > n) fail('narrow', 'length', `an integer in [0, ${n - s}] (axis ${a} has size ${n})`, length);
  const specs: SliceSpec[] = x.shape.map(() => ({}));
  specs[a] = { start: s, end: s + length };
  return slice(x, specs);
}

/** Reverses the order of elements along the given axes (a slice with step -1). */
export function flip(x: Tensor, axes: number | readonly number[]): Tensor {
  if (!(x instanceof Tensor)) fail('flip', 'x', 'a Tensor', x);
  const list = normAxes('flip', axes, x.rank);
  return slice(x, x.shape.map((_, i) => (list.includes(i) ? { step: -1 } : {})));
}

/**
 * Constant padding with `pads[axis] = [before, after]` for every axis (non-negative; crop
 * with `slice`). The gradient is the interior slice.
 * @example pad(img, [[0, 0], [0, 0], [1, 1], [2, 2]]) // NCHW: 1 row, 2 columns each side
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  if (!(x instanceof Tensor)) fail('pad', 'x', 'a Tensor', x);
  x.assertLive('pad');
  if (!Array.isArray(pads) || pads.length !== x.rank) fail('pad', 'pads', `${x.rank} pairs [before, after] (one per axis of ${fmt(x.shape)})`, pads);
  pads.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => isInt(v) && v >= 0)) fail('pad', `pads[${i}]`, 'a pair of non-negative integers', p);
  });
  if (typeof value !== 'number') fail('pad', 'value', 'a number', value);
  if (pads.every(([a, b]) => a === 0 && b === 0)) return x;
  const list = pads.map(([a, b]) => [a, b] as [number, number]);
  const out = runKernel<KernelAttrs['Pad']>('Pad', [x], { pads: list, value })[0];
  const shape = x.shape;
  record({
    name: 'pad',
    inputs: [x],
    outputs: [out],
    backward: ([g]) => [sliceResolved(g!, shape.map((n, i) => ({ start: list[i][0], step: 1, size: n })))],
  });
  return out;
}

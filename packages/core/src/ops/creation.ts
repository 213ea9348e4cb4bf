import { allocArray, isDType, toTypedArray, type DType, type Device, type TypedArray } from '../dtype.js';
import { getDefaultDevice } from '../engine.js';
import { fail } from '../errors.js';
import { runKernel } from '../op.js';
import { checkShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { KernelAttrs } from '../kernel-names.js';

export interface CreateOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

type Nested = number | boolean | Nested[];

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function dtypeOf(op: string, opts: CreateOptions, fallback: DType): DType {
  const d = opts.dtype ?? fallback;
  if (!isDType(d)) fail(op, 'options.dtype', "'float32', 'float64', 'int32', 'uint32' or 'bool'", d);
  return d;
}

function flatten(op: string, x: Nested, shape: number[], out: (number | boolean)[], depth = 0): void {
  if (Array.isArray(x)) {
    if (shape.length <= depth) shape.push(x.length);
    else if (shape[depth] !== x.length) fail(op, 'values', `a rectangular nested array (length ${shape[depth]} at depth ${depth})`, x.length);
    for (const v of x) flatten(op, v, shape, out, depth + 1);
  } else {
    if (depth !== shape.length) fail(op, 'values', 'a rectangular nested array', 'a ragged array');
    if (typeof x !== 'number' && typeof x !== 'boolean') fail(op, 'values', 'numbers or booleans', x);
    out.push(x);
  }
}

/**
 * Creates a tensor from numbers, nested arrays or a typed array (with `shape`).
 * @example tensor([[1, 2], [3, 4]]); tensor(new Float32Array(6), { shape: [2, 3] })
 */
export function tensor(values: Nested | TypedArray | ArrayLike<number>, opts: CreateOptions & { shape?: number[] } = {}): Tensor {
  const op = 'tensor';
  let flat: ArrayLike<number> | ArrayLike<boolean>;
  let shape: number[];
  let fallback: DType = 'float32';
  if (ArrayBuffer.isView(values)) {
    flat = values as TypedArray;
    if (values instanceof Int32Array) fallback = 'int32';
    else if (values instanceof Float64Array) fallback = 'float64';
    else if (values instanceof Uint32Array) fallback = 'uint32';
    else if (values instanceof Uint8Array) fallback = 'bool';
    shape = opts.shape ? checkShape(op, 'options.shape', opts.shape) : [flat.length];
  } else if (Array.isArray(values) || typeof values === 'number' || typeof values === 'boolean') {
    const out: (number | boolean)[] = [];
    const s: number[] = [];
    flatten(op, values as Nested, s, out);
    flat = out as ArrayLike<number>;
    if (out.length && typeof out[0] === 'boolean') fallback = 'bool';
    shape = opts.shape ? checkShape(op, 'options.shape', opts.shape) : s;
  } else {
    flat = values as ArrayLike<number>;
    shape = opts.shape ? checkShape(op, 'options.shape', opts.shape) : [flat.length];
  }
  if (sizeOf(shape) !== flat.length) fail(op, 'options.shape', `of size ${flat.length} (the number of values)`, shape);
  const dtype = dtypeOf(op, opts, fallback);
  if (dtype === 'int32' || dtype === 'uint32') {
    for (let i = 0; i < flat.length; i++) {
      const v = Number(flat[i]);
      if (!Number.isFinite(v)) fail(op, 'values', `finite numbers for dtype ${dtype}`, v);
    }
  }
  const data = toTypedArray(dtype, flat);
  const device = opts.device ?? getDefaultDevice();
  return finish(runKernel<KernelAttrs['Upload']>('Upload', [], { shape, dtype, data }, device)[0], opts);
}

/** Alias of `tensor` for a typed array and a shape. */
export function fromArray(data: TypedArray | ArrayLike<number>, shape: number[], opts: CreateOptions = {}): Tensor {
  return tensor(data as TypedArray, { ...opts, shape });
}

export function full(shape: number[], value: number, opts: CreateOptions = {}): Tensor {
  checkShape('full', 'shape', shape);
  if (typeof value !== 'number') fail('full', 'value', 'a number', value);
  const dtype = dtypeOf('full', opts, 'float32');
  const device = opts.device ?? getDefaultDevice();
  return finish(runKernel<KernelAttrs['Fill']>('Fill', [], { shape, dtype, value }, device)[0], opts);
}

export const zeros = (shape: number[], opts: CreateOptions = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: number[], opts: CreateOptions = {}): Tensor => full(shape, 1, opts);
export const zerosLike = (t: Tensor, opts: CreateOptions = {}): Tensor =>
  full([...t.shape], 0, { dtype: t.dtype, device: t.device, ...opts });
export const onesLike = (t: Tensor, opts: CreateOptions = {}): Tensor =>
  full([...t.shape], 1, { dtype: t.dtype, device: t.device, ...opts });
export const fullLike = (t: Tensor, value: number, opts: CreateOptions = {}): Tensor =>
  full([...t.shape], value, { dtype: t.dtype, device: t.device, ...opts });

/** Values start, start+step, ... below end (PyTorch `arange`). */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (!Number.isFinite(start) || !Number.isFinite(end)) fail('arange', 'start/end', 'finite numbers', [start, end]);
  if (!Number.isFinite(step) || step === 0) fail('arange', 'step', 'a finite non-zero number', step);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = dtypeOf('arange', opts, Number.isInteger(start) && Number.isInteger(step) ? 'int32' : 'float32');
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return tensor(data, { ...opts, dtype, shape: [n] });
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) fail('linspace', 'steps', 'a non-negative integer', steps);
  const dtype = dtypeOf('linspace', opts, 'float32');
  // Computed in the target dtype's array, so float64 keeps full precision.
  const data = allocArray(dtype, steps);
  for (let i = 0; i < steps; i++) data[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return tensor(data, { ...opts, dtype, shape: [steps] });
}

/** Identity matrix (n, m). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) fail('eye', 'n', 'a non-negative integer', n);
  if (!Number.isInteger(m) || m < 0) fail('eye', 'm', 'a non-negative integer', m);
  const dtype = dtypeOf('eye', opts, 'float32');
  const data = allocArray(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return tensor(data, { ...opts, dtype, shape: [n, m] });
}

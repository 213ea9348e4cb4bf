import { isFloat, type DType } from '../dtype.js';
import { noGrad } from '../engine.js';
import { fail, fmt } from '../errors.js';
import type { KernelAttrs, ReduceOpName } from '../kernel-names.js';
import { record, runKernel } from '../op.js';
import { normAxes, normAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { add, div, eq, le, mul, sub } from './binary.js';
import { broadcastTo, reshape, viewAs } from './shape.js';
import { abs, exp, log, powScalar, sign, sqrt, square } from './unary.js';
import { where } from './where.js';

/**
 * Reductions over any set of axes (undefined = all axes, [] = none) with `keepdim`.
 * The Reduce kernel removes the reduced axes; keepdim is a storage-sharing reshape.
 */
export type Axes = number | readonly number[];

function checkX(op: string, x: Tensor): void {
  if (!(x instanceof Tensor)) fail(op, 'x', 'a Tensor', x);
  x.assertLive(op);
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reduceRaw(op: ReduceOpName, x: Tensor, axes: number[]): Tensor {
  return runKernel<KernelAttrs['Reduce']>('Reduce', [x], { op, axes })[0];
}

function castRaw(x: Tensor, dtype: DType): Tensor {
  return runKernel<KernelAttrs['Cast']>('Cast', [x], { dtype })[0];
}

/** The reduced result with keepdim applied (a view). */
function finish(out: Tensor, x: Tensor, axes: number[], keepdim: boolean): Tensor {
  return keepdim ? viewAs(out, keptShape(x.shape, axes), 'keepdim') : out;
}

/** g of the reduced shape, broadcast back over the reduced axes of `shape` (differentiable). */
function expandBack(g: Tensor, shape: readonly number[], axes: number[]): Tensor {
  return broadcastTo(viewAs(g, keptShape(shape, axes), 'keepdim'), shape);
}

function assertNonEmpty(op: string, x: Tensor, axes: number[]): void {
  if (axes.some((a) => x.shape[a] === 0)) fail(op, 'x', `non-empty along the reduced axes ${fmt(axes)}`, x);
}

/** Sum over axes. bool tensors are counted (int32 result); integer sums keep the dtype. */
export function sum(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  return composite([x], () => {
    checkX('sum', x);
    const ax = normAxes('sum', axes, x.rank);
    const src = x.dtype === 'bool' ? castRaw(x, 'int32') : x;
    if (!ax.length) return src;
    const out = reduceRaw('sum', src, ax);
    const shape = x.shape;
    record({ name: 'sum', inputs: [x], outputs: [out], backward: ([g]) => [expandBack(g!, shape, ax)] });
    return finish(out, x, ax, keepdim);
  });
}

/** Arithmetic mean over axes (float tensors). */
export function mean(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  return composite([x], () => {
    checkX('mean', x);
    if (!isFloat(x.dtype)) fail('mean', 'x', 'a float tensor (cast integer tensors first)', x);
    const ax = normAxes('mean', axes, x.rank);
    let count = 1;
    for (const a of ax) count *= x.shape[a];
    return div(sum(x, ax, keepdim), count);
  });
}

/**
 * max/min over axes. Gradient: split evenly among tied extrema (as torch.amax/amin),
 * so that the gradient is the same whichever tied element an implementation would pick.
 */
function extremum(op: 'max' | 'min', x: Tensor, axes: Axes | undefined, keepdim: boolean): Tensor {
  return composite([x], () => {
    checkX(op, x);
    if (x.dtype === 'bool') fail(op, 'x', 'a numeric tensor', x);
    const ax = normAxes(op, axes, x.rank);
    if (!ax.length) return x;
    assertNonEmpty(op, x, ax);
    const out = reduceRaw(op, x, ax);
    const shape = x.shape;
    record({
      name: op,
      inputs: [x],
      outputs: [out],
      save: [x],
      backward: ([g], [sx]) => {
        // Mask and tie count are constants of the rule (no gradient through the argmax choice).
        const m = reshape(reduceRaw(op, sx, ax), keptShape(shape, ax));
        const mask = castRaw(runKernel<KernelAttrs['Binary']>('Binary', [sx, m], { op: 'eq' })[0], g!.dtype);
        const share = div(mask, reshape(reduceRaw('sum', mask, ax), keptShape(shape, ax)));
        return [mul(expandBack(g!, shape, ax), share)];
      },
    });
    return finish(out, x, ax, keepdim);
  });
}

/** Largest value over axes; see extremum for the gradient of ties. */
export const max = (x: Tensor, axes?: Axes, keepdim = false): Tensor => extremum('max', x, axes, keepdim);
/** Smallest value over axes; ties split the gradient evenly. */
export const min = (x: Tensor, axes?: Axes, keepdim = false): Tensor => extremum('min', x, axes, keepdim);

/**
 * Product over axes. The gradient ∏_{j≠i} x_j is formed without dividing by zero:
 * with z zeros in a group, it is ∏/x_i when z = 0, the product of the others at the
 * zero when z = 1, and 0 when z >= 2.
 */
export function prod(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  return composite([x], () => {
    checkX('prod', x);
    if (x.dtype === 'bool') fail('prod', 'x', 'a numeric tensor', x);
    const ax = normAxes('prod', axes, x.rank);
    if (!ax.length) return x;
    const out = reduceRaw('prod', x, ax);
    const shape = x.shape;
    record({
      name: 'prod',
      inputs: [x],
      outputs: [out],
      save: [x],
      backward: ([g], [sx]) => {
        const isZero = eq(sx, 0);
        const zeros = sum(isZero, ax, true);
        const nonZero = where(isZero, 1, sx);
        const p = prod(nonZero, ax, true);
        const atZero = where(eq(zeros, 1), p, 0);
        const elsewhere = where(eq(zeros, 0), div(p, nonZero), 0);
        return [mul(expandBack(g!, shape, ax), where(isZero, atZero, elsewhere))];
      },
    });
    return finish(out, x, ax, keepdim);
  });
}

function argExtremum(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepdim: boolean): Tensor {
  return composite([x], () => {
    checkX(op, x);
    if (x.dtype === 'bool') fail(op, 'x', 'a numeric tensor', x);
    if (axis === undefined) {
      const flat = viewAs(x, [x.size]);
      assertNonEmpty(op, flat, [0]);
      const r = reduceRaw(op, flat, [0]);
      return keepdim ? viewAs(r, x.shape.map(() => 1)) : r;
    }
    const a = normAxis(op, axis, x.rank);
    if (x.rank === 0) return runKernel<KernelAttrs['Fill']>('Fill', [], { shape: [], dtype: 'int32', value: 0 }, x.device)[0];
    assertNonEmpty(op, x, [a]);
    const r = reduceRaw(op, x, [a]);
    return keepdim ? viewAs(r, keptShape(x.shape, [a])) : r;
  });
}

/** Index (int32) of the largest value along axis (of the flattened tensor if undefined); first on ties. No gradient. */
export const argmax = (x: Tensor, axis?: number, keepdim = false): Tensor => argExtremum('argmax', x, axis, keepdim);
/** Index (int32) of the smallest value; first on ties. No gradient. */
export const argmin = (x: Tensor, axis?: number, keepdim = false): Tensor => argExtremum('argmin', x, axis, keepdim);

export interface VarianceOptions {
  /** Divide by N − correction: 1 = unbiased (torch default), 0 = population. */
  correction?: number;
  keepdim?: boolean;
}

/** Variance over axes, Σ(x − mean)² / (N − correction) (torch.var). */
export function variance(x: Tensor, axes?: Axes, opts: VarianceOptions = {}): Tensor {
  return composite([x], () => {
    checkX('variance', x);
    if (!isFloat(x.dtype)) fail('variance', 'x', 'a float tensor', x);
    const correction = opts.correction ?? 1;
    if (typeof correction !== 'number' || correction < 0) fail('variance', 'options.correction', 'a non-negative number', correction);
    const ax = normAxes('variance', axes, x.rank);
    let n = 1;
    for (const a of ax) n *= x.shape[a];
    const d = sub(x, mean(x, ax, true));
    return div(sum(square(d), ax, !!opts.keepdim), Math.max(n - correction, 0));
  });
}

/** Standard deviation, √variance (the gradient at zero spread is NaN, as in PyTorch). */
export function std(x: Tensor, axes?: Axes, opts: VarianceOptions = {}): Tensor {
  return composite([x], () => {
    checkX('std', x);
    return sqrt(variance(x, axes, opts));
  });
}

/**
 * Vector p-norm over axes (torch.linalg.vector_norm): p = 2 (default), 1, any p > 0, or
 * Infinity (max |x|). The gradient g·sign(x)|x|^(p−1)/‖x‖^(p−1) is taken as 0 where the
 * norm is 0 (the subgradient PyTorch also returns), instead of 0/0.
 */
export function norm(x: Tensor, p = 2, axes?: Axes, keepdim = false): Tensor {
  return composite([x], () => {
    checkX('norm', x);
    if (!isFloat(x.dtype)) fail('norm', 'x', 'a float tensor', x);
    if (typeof p !== 'number' || !(p > 0)) fail('norm', 'p', 'a positive number or Infinity', p);
    const ax = normAxes('norm', axes, x.rank);
    if (p === Infinity) return max(abs(x), ax, keepdim);
    const value = (t: Tensor): Tensor => {
      if (p === 1) return sum(abs(t), ax, true);
      if (p === 2) return sqrt(sum(square(t), ax, true));
      return powScalar(sum(powScalar(abs(t), p), ax, true), 1 / p);
    };
    const out = noGrad(() => value(x));
    const shape = x.shape;
    record({
      name: 'norm',
      inputs: [x],
      outputs: [out],
      save: [x],
      backward: ([g], [sx]) => {
        const n = value(sx);
        const zero = eq(n, 0);
        let dir: Tensor;
        if (p === 1) dir = sign(sx);
        else if (p === 2) dir = div(sx, where(zero, 1, n));
        else dir = div(mul(sign(sx), powScalar(abs(sx), p - 1)), where(zero, 1, powScalar(n, p - 1)));
        return [mul(broadcastTo(g!, shape), dir)];
      },
    });
    return keepdim ? out : viewAs(out, shape.filter((_, i) => !ax.includes(i)), 'keepdim');
  });
}

/** log Σ exp(x) over axes, stabilised by the (constant) maximum; ±Infinity rows stay exact. */
export function logsumexp(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  return composite([x], () => {
    checkX('logsumexp', x);
    if (!isFloat(x.dtype)) fail('logsumexp', 'x', 'a float tensor', x);
    const ax = normAxes('logsumexp', axes, x.rank);
    if (!ax.length) return x;
    const m = noGrad(() => {
      const raw = reshape(reduceRaw('max', x, ax), keptShape(x.shape, ax));
      // 0 where the max is ±Infinity or NaN. Tested with a comparison against the largest
      // finite value, not x − x == 0: WGSL does not guarantee IEEE infinities in arithmetic.
      const finiteMax = x.dtype === 'float64' ? Number.MAX_VALUE : 3.4028234663852886e38;
      return where(le(abs(raw), finiteMax), raw, 0);
    });
    const out = add(log(sum(exp(sub(x, m)), ax, true)), m);
    return keepdim ? out : viewAs(out, x.shape.filter((_, i) => !ax.includes(i)), 'keepdim');
  });
}

export interface CumsumOptions {
  /** Sum from the end of the axis (suffix sums). */
  reverse?: boolean;
}

/** Inclusive prefix sum along axis; the gradient is the prefix sum in the other direction. */
export function cumsum(x: Tensor, axis: number, opts: CumsumOptions = {}): Tensor {
  checkX('cumsum', x);
  if (x.dtype === 'bool') fail('cumsum', 'x', 'a numeric tensor', x);
  const a = x.rank === 0 ? 0 : normAxis('cumsum', axis, x.rank);
  if (x.rank === 0) return x;
  const reverse = !!opts.reverse;
  const out = runKernel<KernelAttrs['Cumsum']>('Cumsum', [x], { axis: a, reverse })[0];
  record({ name: 'cumsum', inputs: [x], outputs: [out], backward: ([g]) => [cumsum(g!, a, { reverse: !reverse })] });
  return out;
}

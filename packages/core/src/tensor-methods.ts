/**
 * PyTorch-style method sugar on Tensor (`x.mul(2).sum()`), added by declaration merging
 * so that tensor.ts stays free of op imports (the ops import Tensor). Every method is the
 * function of the same name in src/ops.
 */
import type { DType } from './dtype.js';
import { matmul, type MatmulOptions } from './ops/matmul.js';
import { add, div, eq, ge, gt, le, lt, mul, ne, pow, sub } from './ops/binary.js';
import { cast } from './ops/cast.js';
import { concat } from './ops/concat.js';
import { argmax, argmin, cumsum, logsumexp, max, mean, min, norm, prod, std, sum, variance, type Axes, type VarianceOptions } from './ops/reduce.js';
import { broadcastTo, expand, flatten, permute, reshape, squeeze, transpose, unsqueeze } from './ops/shape.js';
import { flip, narrow, pad, slice, type SliceSpec } from './ops/slice.js';
import { logSoftmax, softmax } from './ops/softmax.js';
import { abs, clamp, cos, exp, gelu, log, neg, reciprocal, relu, rsqrt, sigmoid, sin, sqrt, square, tanh } from './ops/unary.js';
import type { TensorLike } from './ops/util.js';
import { Tensor } from './tensor.js';

/** The methods added to Tensor; each forwards to the op of the same name. */
export interface TensorMethods {
  add(other: TensorLike): Tensor;
  sub(other: TensorLike): Tensor;
  mul(other: TensorLike): Tensor;
  div(other: TensorLike): Tensor;
  /** `pow(this, exponent)`: a number exponent is the scalar-exponent op (any numeric dtype). */
  pow(exponent: TensorLike): Tensor;
  eq(other: TensorLike): Tensor;
  ne(other: TensorLike): Tensor;
  lt(other: TensorLike): Tensor;
  le(other: TensorLike): Tensor;
  gt(other: TensorLike): Tensor;
  ge(other: TensorLike): Tensor;
  neg(): Tensor;
  abs(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  rsqrt(): Tensor;
  square(): Tensor;
  reciprocal(): Tensor;
  sin(): Tensor;
  cos(): Tensor;
  tanh(): Tensor;
  sigmoid(): Tensor;
  relu(): Tensor;
  gelu(): Tensor;
  clamp(min?: number, max?: number): Tensor;
  sum(axes?: Axes, keepdim?: boolean): Tensor;
  mean(axes?: Axes, keepdim?: boolean): Tensor;
  max(axes?: Axes, keepdim?: boolean): Tensor;
  min(axes?: Axes, keepdim?: boolean): Tensor;
  prod(axes?: Axes, keepdim?: boolean): Tensor;
  var(axes?: Axes, opts?: VarianceOptions): Tensor;
  std(axes?: Axes, opts?: VarianceOptions): Tensor;
  norm(p?: number, axes?: Axes, keepdim?: boolean): Tensor;
  logsumexp(axes?: Axes, keepdim?: boolean): Tensor;
  argmax(axis?: number, keepdim?: boolean): Tensor;
  argmin(axis?: number, keepdim?: boolean): Tensor;
  cumsum(axis: number): Tensor;
  softmax(axis?: number): Tensor;
  logSoftmax(axis?: number): Tensor;
  reshape(shape: readonly number[]): Tensor;
  /** Same as reshape (tensors are always contiguous, so every view is valid). */
  view(shape: readonly number[]): Tensor;
  flatten(startDim?: number, endDim?: number): Tensor;
  squeeze(axes?: number | readonly number[]): Tensor;
  unsqueeze(axis: number): Tensor;
  permute(perm: readonly number[]): Tensor;
  transpose(dim0?: number, dim1?: number): Tensor;
  expand(shape: readonly number[]): Tensor;
  broadcastTo(shape: readonly number[]): Tensor;
  slice(specs: readonly (SliceSpec | null | undefined)[]): Tensor;
  narrow(axis: number, start: number, length: number): Tensor;
  flip(axes: number | readonly number[]): Tensor;
  pad(pads: readonly (readonly [number, number])[], value?: number): Tensor;
  concat(others: readonly Tensor[], axis?: number): Tensor;
  matmul(other: Tensor, opts?: MatmulOptions): Tensor;
  cast(dtype: DType): Tensor;
  float(): Tensor;
  int(): Tensor;
}

declare module './tensor.js' {
  interface Tensor extends TensorMethods {
    /** Transpose of the last two axes. */
    readonly T: Tensor;
  }
}

const methods: TensorMethods & ThisType<Tensor> = {
  add(other: TensorLike) { return add(this, other); },
  sub(other: TensorLike) { return sub(this, other); },
  mul(other: TensorLike) { return mul(this, other); },
  div(other: TensorLike) { return div(this, other); },
  pow(exponent: TensorLike) { return pow(this, exponent); },
  eq(other: TensorLike) { return eq(this, other); },
  ne(other: TensorLike) { return ne(this, other); },
  lt(other: TensorLike) { return lt(this, other); },
  le(other: TensorLike) { return le(this, other); },
  gt(other: TensorLike) { return gt(this, other); },
  ge(other: TensorLike) { return ge(this, other); },
  neg() { return neg(this); },
  abs() { return abs(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  sqrt() { return sqrt(this); },
  rsqrt() { return rsqrt(this); },
  square() { return square(this); },
  reciprocal() { return reciprocal(this); },
  sin() { return sin(this); },
  cos() { return cos(this); },
  tanh() { return tanh(this); },
  sigmoid() { return sigmoid(this); },
  relu() { return relu(this); },
  gelu() { return gelu(this); },
  clamp(lo?: number, hi?: number) { return clamp(this, lo, hi); },
  sum(axes?: Axes, keepdim?: boolean) { return sum(this, axes, keepdim); },
  mean(axes?: Axes, keepdim?: boolean) { return mean(this, axes, keepdim); },
  max(axes?: Axes, keepdim?: boolean) { return max(this, axes, keepdim); },
  min(axes?: Axes, keepdim?: boolean) { return min(this, axes, keepdim); },
  prod(axes?: Axes, keepdim?: boolean) { return prod(this, axes, keepdim); },
  var(axes?: Axes, opts?: VarianceOptions) { return variance(this, axes, opts); },
  std(axes?: Axes, opts?: VarianceOptions) { return std(this, axes, opts); },
  norm(p?: number, axes?: Axes, keepdim?: boolean) { return norm(this, p, axes, keepdim); },
  logsumexp(axes?: Axes, keepdim?: boolean) { return logsumexp(this, axes, keepdim); },
  argmax(axis?: number, keepdim?: boolean) { return argmax(this, axis, keepdim); },
  argmin(axis?: number, keepdim?: boolean) { return argmin(this, axis, keepdim); },
  cumsum(axis: number) { return cumsum(this, axis); },
  softmax(axis?: number) { return softmax(this, axis); },
  logSoftmax(axis?: number) { return logSoftmax(this, axis); },
  reshape(shape: readonly number[]) { return reshape(this, shape); },
  view(shape: readonly number[]) { return reshape(this, shape); },
  flatten(startDim?: number, endDim?: number) { return flatten(this, startDim, endDim); },
  squeeze(axes?: number | readonly number[]) { return squeeze(this, axes); },
  unsqueeze(axis: number) { return unsqueeze(this, axis); },
  permute(perm: readonly number[]) { return permute(this, perm); },
  transpose(dim0?: number, dim1?: number) { return transpose(this, dim0, dim1); },
  expand(shape: readonly number[]) { return expand(this, shape); },
  broadcastTo(shape: readonly number[]) { return broadcastTo(this, shape); },
  slice(specs: readonly (SliceSpec | null | undefined)[]) { return slice(this, specs); },
  narrow(axis: number, start: number, length: number) { return narrow(this, axis, start, length); },
  flip(axes: number | readonly number[]) { return flip(this, axes); },
  pad(pads: readonly (readonly [number, number])[], value?: number) { return pad(this, pads, value); },
  concat(others: readonly Tensor[], axis?: number) { return concat([this, ...others], axis); },
  matmul(other: Tensor, opts?: MatmulOptions) { return matmul(this, other, opts); },
  cast(dtype: DType) { return cast(this, dtype); },
  float() { return cast(this, 'float32'); },
  int() { return cast(this, 'int32'); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return transpose(this, -2, -1);
  },
  configurable: true,
  enumerable: false,
});

import { isFloat } from '../dtype.js';
import { fail } from '../errors.js';
import type { KernelAttrs, UnaryOpName } from '../kernel-names.js';
import { record, runKernel } from '../op.js';
import { Tensor } from '../tensor.js';
import { add, div, ge, le, logicalAnd, mul, sub } from './binary.js';

/**
 * Elementwise unary ops on the `Unary` kernel. Gradients are written with public ops and
 * save the INPUT (recomputing e.g. exp(x) or σ(x) in the backward): this costs one
 * extra elementwise kernel per backward but keeps every rule differentiable, so that
 * double backward (createGraph, e.g. an R1 gradient penalty) works through them.
 */

type UnaryAttrs = Omit<KernelAttrs['Unary'], 'op'>;
type GradRule = (g: Tensor, x: Tensor) => Tensor;

/** Ops also defined on int32/uint32 tensors (identity for floor/ceil/round). */
const INT_OK = new Set<UnaryOpName>(['neg', 'abs', 'square', 'sign', 'floor', 'ceil', 'round', 'relu', 'clamp', 'powScalar']);

/** @internal the Unary kernel without autograd (for gradient rules and masks). */
export function unaryRaw(op: UnaryOpName, x: Tensor, attrs: UnaryAttrs = {}): Tensor {
  return runKernel<KernelAttrs['Unary']>('Unary', [x], { op, ...attrs })[0];
}

function checkInput(name: string, x: Tensor, op: UnaryOpName): void {
  if (!(x instanceof Tensor)) fail(name, 'x', 'a Tensor', x);
  x.assertLive(name);
  if (op === 'logicalNot') return;
  if (x.dtype === 'bool') fail(name, 'x', 'a numeric tensor (cast bool tensors first)', x);
  if (!isFloat(x.dtype) && !INT_OK.has(op)) fail(name, 'x', 'a float tensor (float32, or float64 on the CPU)', x);
  if (op === 'neg' && x.dtype === 'uint32') fail(name, 'x', 'a signed tensor', x);
}

function applyUnary(name: string, op: UnaryOpName, x: Tensor, attrs: UnaryAttrs, grad: GradRule | null): Tensor {
  checkInput(name, x, op);
  const out = unaryRaw(op, x, attrs);
  if (isFloat(out.dtype)) {
    record({
      name,
      inputs: [x],
      outputs: [out],
      save: grad ? [x] : [],
      backward: ([g], [sx]) => [grad ? grad(g!, sx) : zerosOf(g!)],
    });
  }
  return out;
}

function zerosOf(t: Tensor): Tensor {
  return runKernel<KernelAttrs['Fill']>('Fill', [], { shape: [...t.shape], dtype: t.dtype, value: 0 }, t.device)[0];
}

function maskOf(m: Tensor, like: Tensor): Tensor {
  return runKernel<KernelAttrs['Cast']>('Cast', [m], { dtype: like.dtype })[0];
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π

export const neg = (x: Tensor): Tensor => applyUnary('neg', 'neg', x, {}, (g) => neg(g));
/** |x|; the gradient at 0 is 0 (sign(0)), as PyTorch. */
export const abs = (x: Tensor): Tensor => applyUnary('abs', 'abs', x, {}, (g, x) => mul(g, unaryRaw('sign', x)));
export const exp = (x: Tensor): Tensor => applyUnary('exp', 'exp', x, {}, (g, x) => mul(g, exp(x)));
export const log = (x: Tensor): Tensor => applyUnary('log', 'log', x, {}, (g, x) => div(g, x));
export const sqrt = (x: Tensor): Tensor => applyUnary('sqrt', 'sqrt', x, {}, (g, x) => mul(g, mul(rsqrt(x), 0.5)));
/** 1/√x; d/dx = −½ x^(−3/2). */
export const rsqrt = (x: Tensor): Tensor => applyUnary('rsqrt', 'rsqrt', x, {}, (g, x) => mul(g, div(mul(rsqrt(x), -0.5), x)));
export const sin = (x: Tensor): Tensor => applyUnary('sin', 'sin', x, {}, (g, x) => mul(g, cos(x)));
export const cos = (x: Tensor): Tensor => applyUnary('cos', 'cos', x, {}, (g, x) => neg(mul(g, sin(x))));
/** tanh; d/dx = 1 − tanh². */
export const tanh = (x: Tensor): Tensor =>
  applyUnary('tanh', 'tanh', x, {}, (g, x) => {
    const t = tanh(x);
    return mul(g, sub(1, mul(t, t)));
  });
/** Logistic σ(x) = 1/(1+e^−x), overflow-free; d/dx = σ(1−σ). */
export const sigmoid = (x: Tensor): Tensor =>
  applyUnary('sigmoid', 'sigmoid', x, {}, (g, x) => {
    const s = sigmoid(x);
    return mul(g, mul(s, sub(1, s)));
  });
/** max(x, 0); the gradient at 0 is 0 (as PyTorch); NaN stays NaN. */
export const relu = (x: Tensor): Tensor => applyUnary('relu', 'relu', x, {}, (g, x) => mul(g, unaryRaw('step', x)));
/** x > 0 ? x : alpha·x (alpha default 0.01, as torch.nn.LeakyReLU). */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) fail('leakyRelu', 'alpha', 'a finite number', alpha);
  return applyUnary('leakyRelu', 'leakyRelu', x, { alpha }, (g, x) => mul(g, add(mul(unaryRaw('step', x), 1 - alpha), alpha)));
}
/** log(1 + eˣ), computed as max(x,0) + log1p(e^−|x|) (no overflow); d/dx = σ(x). */
export const softplus = (x: Tensor): Tensor => applyUnary('softplus', 'softplus', x, {}, (g, x) => mul(g, sigmoid(x)));
/** The error function (float64-accurate on the CPU); d/dx = 2/√π e^(−x²). */
export const erf = (x: Tensor): Tensor => applyUnary('erf', 'erf', x, {}, (g, x) => mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI)));
/**
 * GELU, exact form x·Φ(x) = ½x(1 + erf(x/√2)) (torch's default approximate='none');
 * d/dx = Φ(x) + x·φ(x) with φ the standard normal density.
 * @see https://arxiv.org/abs/1606.08415
 */
export const gelu = (x: Tensor): Tensor =>
  applyUnary('gelu', 'gelu', x, {}, (g, x) => {
    const cdf = mul(add(erf(mul(x, SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI);
    return mul(g, add(cdf, mul(x, pdf)));
  });
export const square = (x: Tensor): Tensor => applyUnary('square', 'square', x, {}, (g, x) => mul(g, mul(x, 2)));
/** 1/x; d/dx = −1/x². */
export const reciprocal = (x: Tensor): Tensor =>
  applyUnary('reciprocal', 'reciprocal', x, {}, (g, x) => {
    const r = reciprocal(x);
    return neg(mul(g, mul(r, r)));
  });
/**
 * x^p for a number p (what `pow(x, p)` runs for a number exponent); d/dx = p·x^(p−1)
 * (0 for p = 0), no gradient to p. Negative bases with integer p keep their sign
 * ((−2)³ = −8, (−2)² = 4); a negative base with a fractional p gives NaN, as Math.pow.
 * Use `pow(x, t)` for a tensor exponent.
 */
export function powScalar(x: Tensor, p: number): Tensor {
  return powScalarAs('powScalar', x, p);
}

/** @internal powScalar reporting errors under the caller's name (`pow`). */
export function powScalarAs(name: string, x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || Number.isNaN(p)) fail(name, 'p', 'a number', p);
  return applyUnary(name, 'powScalar', x, { p }, (g, x) => (p === 0 ? zerosOf(g) : mul(g, mul(powScalarAs(name, x, p - 1), p))));
}
/**
 * Clamps to [min, max] (either bound may be omitted). The gradient passes where
 * min <= x <= max (bounds included, as PyTorch's clamp backward), else 0.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min !== undefined && (typeof min !== 'number' || Number.isNaN(min))) fail('clamp', 'min', 'a number or undefined', min);
  if (max !== undefined && (typeof max !== 'number' || Number.isNaN(max))) fail('clamp', 'max', 'a number or undefined', max);
  if (min !== undefined && max !== undefined && min > max) fail('clamp', 'min', `<= max (${max})`, min);
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  return applyUnary('clamp', 'clamp', x, { min: lo, max: hi }, (g, x) => mul(g, maskOf(logicalAnd(ge(x, lo), le(x, hi)), g)));
}
/** −1, 0 or 1 (NaN stays NaN); zero gradient. */
export const sign = (x: Tensor): Tensor => applyUnary('sign', 'sign', x, {}, null);
/** Zero gradient. */
export const floor = (x: Tensor): Tensor => applyUnary('floor', 'floor', x, {}, null);
/** Zero gradient. */
export const ceil = (x: Tensor): Tensor => applyUnary('ceil', 'ceil', x, {}, null);
/** Rounds half to even (as torch.round and WGSL `round`); zero gradient. */
export const round = (x: Tensor): Tensor => applyUnary('round', 'round', x, {}, null);
/** x == 0, as a bool tensor (any dtype in); no gradient. */
export const logicalNot = (x: Tensor): Tensor => applyUnary('logicalNot', 'logicalNot', x, {}, null);

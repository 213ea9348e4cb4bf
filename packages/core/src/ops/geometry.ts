import { fail, fmt, HeadsplatError } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel, sameDevice } from '../op.js';
import { normAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, div, lt, maximum, mul, pow, sub } from './binary.js';
import { tensor } from './creation.js';
import { matmul, view } from './matmul.js';
import { assertFloat } from './util.js';

/**
 * 3-D geometry helpers, differentiable through core ops only (so every backend runs
 * them). Components are picked and recombined with small constant matrices (one
 * matmul) instead of slicing, which keeps each function to a handful of kernels.
 */

function constant(like: Tensor, values: number[], shape: number[]): Tensor {
  return tensor(values, { shape, dtype: like.dtype, device: like.device });
}

function checkLast(op: string, arg: string, t: Tensor, n: number): void {
  if (!(t instanceof Tensor)) fail(op, arg, 'a Tensor', t);
  assertFloat(op, arg, t);
  if (t.rank < 1 || t.shape[t.rank - 1] !== n) fail(op, arg, `a tensor of shape [..., ${n}]`, t);
}

/** Unary kernel with a recorded gradient; sin and cos differentiate into each other. */
function unaryPrim(op: 'sin' | 'cos', x: Tensor): Tensor {
  const y = runKernel<KernelAttrs['Unary']>('Unary', [x], { op })[0];
  record({
    name: op,
    inputs: [x],
    outputs: [y],
    save: [x],
    backward: ([g], [sx]) => [op === 'sin' ? mul(g!, unaryPrim('cos', sx)) : mul(g!, mul(unaryPrim('sin', sx), -1))],
  });
  return y;
}

/** A (k, k) permutation matrix P with (v P)[j] = v[(j + shift) % k]. */
function cyclic(like: Tensor, k: number, shift: number): Tensor {
  const m = new Array<number>(k * k).fill(0);
  for (let j = 0; j < k; j++) m[((j + shift) % k) * k + j] = 1;
  return constant(like, m, [k, k]);
}

/**
 * Cross product along the last axis (size 3), with broadcasting of leading dims:
 * a × b = a_yzx ⊙ b_zxy − a_zxy ⊙ b_yzx.
 */
export function cross(a: Tensor, b: Tensor): Tensor {
  const op = 'cross';
  checkLast(op, 'a', a, 3);
  checkLast(op, 'b', b, 3);
  if (a.dtype !== b.dtype) throw new HeadsplatError(`${op}: a and b must have the same dtype, got ${fmt(a)} and ${fmt(b)}`);
  sameDevice(op, [a, b]);
  const yzx = cyclic(a, 3, 1);
  const zxy = cyclic(a, 3, 2);
  return sub(mul(matmul(a, yzx), matmul(b, zxy)), mul(matmul(a, zxy), matmul(b, yzx)));
}

/** Σ x² along `axis`, keeping the axis (size 1). */
function sumSquaresKeep(x: Tensor, axis: number): Tensor {
  const sq = mul(x, x);
  if (axis === x.rank - 1) {
    const ones = constant(x, new Array<number>(x.shape[axis]).fill(1), [x.shape[axis], 1]);
    return matmul(sq, ones);
  }
  const s = runKernel<KernelAttrs['Reduce']>('Reduce', [sq], { op: 'sum', axes: [axis] })[0];
  const keepShape = x.shape.map((d, i) => (i === axis ? 1 : d));
  // Gradient of a sum: broadcast g back over the summed axis (a mul by ones keeps it differentiable).
  const sqShape = [...sq.shape];
  record({
    name: 'sum',
    inputs: [sq],
    outputs: [s],
    backward: ([g]) => [mul(view(g!, keepShape), constant(x, new Array<number>(sq.size).fill(1), sqShape))],
  });
  return view(s, keepShape);
}

export interface NormalizeOptions {
  /** Default -1 (the last axis; note that F.normalize defaults to dim=1). */
  axis?: number;
  /** Lower bound of the norm, default 1e-12 (as F.normalize). */
  eps?: number;
}

/**
 * x / max(‖x‖₂, eps) along an axis, like F.normalize(p=2). Computed as
 * x / sqrt(max(Σx², eps²)), equal in value, so the gradient stays finite at x = 0.
 */
export function normalize(x: Tensor, opts: NormalizeOptions = {}): Tensor {
  const op = 'normalize';
  if (!(x instanceof Tensor)) fail(op, 'x', 'a Tensor', x);
  assertFloat(op, 'x', x);
  if (x.rank < 1) fail(op, 'x', 'a tensor of rank >= 1', x);
  const axis = normAxis(op, opts.axis ?? -1, x.rank, 'options.axis');
  const eps = opts.eps ?? 1e-12;
  if (!(eps > 0)) fail(op, 'options.eps', 'a positive number', eps);
  const n2 = maximum(sumSquaresKeep(x, axis), eps * eps);
  return div(x, pow(n2, 0.5));
}

/**
 * Rotation matrices from quaternions (w, x, y, z) of any non-zero norm, (..., 4) ->
 * (..., 3, 3): R = I + s Q(q q^T) with s = 2/|q|² and Q the linear map of the standard
 * formula (e.g. pytorch3d quaternion_to_matrix). Computed as two matmuls over the outer product.
 */
export function quaternionToMatrix(q: Tensor): Tensor {
  const op = 'quaternionToMatrix';
  checkLast(op, 'q', q, 4);
  const lead = q.shape.slice(0, -1);
  const outer = view(mul(view(q, [...lead, 4, 1]), view(q, [...lead, 1, 4])), [...lead, 16]);
  // Q[i] = Σ coef * q_a q_b over (a, b, coef) terms; indices w=0, x=1, y=2, z=3.
  const terms: [number, number, number][][] = [
    [[2, 2, -1], [3, 3, -1]], [[1, 2, 1], [3, 0, -1]], [[1, 3, 1], [2, 0, 1]],
    [[1, 2, 1], [3, 0, 1]], [[1, 1, -1], [3, 3, -1]], [[2, 3, 1], [1, 0, -1]],
    [[1, 3, 1], [2, 0, -1]], [[2, 3, 1], [1, 0, 1]], [[1, 1, -1], [2, 2, -1]],
  ];
  const M = new Array<number>(16 * 9).fill(0);
  terms.forEach((list, i) => list.forEach(([a, b, c]) => (M[(a * 4 + b) * 9 + i] += c)));
  const trace = new Array<number>(16).fill(0);
  for (let a = 0; a < 4; a++) trace[a * 5] = 1;
  const norm2 = matmul(outer, constant(q, trace, [16, 1]));
  const s = div(2, norm2);
  const eye = constant(q, [1, 0, 0, 0, 1, 0, 0, 0, 1], [9]);
  return view(add(eye, mul(s, matmul(outer, constant(q, M, [16, 9])))), [...lead, 3, 3]);
}

/**
 * Rodrigues' formula for axis-angle vectors v = θ·axis, (..., 3) -> (..., 3, 3):
 * R = I + A K + B K², K = [v]×, K² = v vᵀ − θ² I, A = sin θ/θ, B = (1 − cos θ)/θ² =
 * ½ (sin(θ/2)/(θ/2))² (the half-angle form avoids the cancellation of 1 − cos θ).
 * Below θ² = 1e-4 the Taylor series A = 1 − θ²/6 + θ⁴/120, B = ½ − θ²/24 + θ⁴/720 is used
 * (truncation error < θ⁶/5040), so the value and the gradient are exact and finite at θ = 0.
 */
export function axisAngleToMatrix(v: Tensor): Tensor {
  const op = 'axisAngleToMatrix';
  checkLast(op, 'v', v, 3);
  const lead = v.shape.slice(0, -1);
  const t2 = view(sumSquaresKeep(v, v.rank - 1), [...lead, 1, 1]);
  // Mask of small angles: a constant (no gradient); the exact branch sees θ² + 1 there,
  // so it stays finite and its zero weight yields a zero (not NaN) gradient.
  const small = runKernel<KernelAttrs['Cast']>('Cast', [lt(t2.detach(), 1e-4)], { dtype: v.dtype })[0];
  const large = sub(1, small);
  const t2safe = add(t2, small);
  const theta = pow(t2safe, 0.5);
  const half = mul(theta, 0.5);
  const aExact = div(unaryPrim('sin', theta), theta);
  const sinc = div(unaryPrim('sin', half), half);
  const bExact = mul(mul(sinc, sinc), 0.5);
  const t4 = mul(t2, t2);
  const aTaylor = add(sub(1, div(t2, 6)), div(t4, 120));
  const bTaylor = add(sub(0.5, div(t2, 24)), div(t4, 720));
  const A = add(mul(small, aTaylor), mul(large, aExact));
  const B = add(mul(small, bTaylor), mul(large, bExact));
  // [v]× as a linear map of v: K_flat = v S.
  const S = [
    0, 0, 0, 0, 0, -1, 0, 1, 0,
    0, 0, 1, 0, 0, 0, -1, 0, 0,
    0, -1, 0, 1, 0, 0, 0, 0, 0,
  ];
  const K = view(matmul(v, constant(v, S, [3, 9])), [...lead, 3, 3]);
  const eye = constant(v, [1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);
  const K2 = sub(mul(view(v, [...lead, 3, 1]), view(v, [...lead, 1, 3])), mul(t2, eye));
  return add(eye, add(mul(A, K), mul(B, K2)));
}

/** Batched 3x3 matrix product (..., 3, 3) x (..., 3, 3) with broadcast leading dims. */
export function matmul3x3(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul3x3';
  for (const [name, t] of [['a', a], ['b', b]] as const) {
    if (!(t instanceof Tensor) || t.rank < 2 || t.shape[t.rank - 1] !== 3 || t.shape[t.rank - 2] !== 3) fail(op, name, 'a tensor of shape [..., 3, 3]', t);
  }
  sameDevice(op, [a, b]);
  return matmul(a, b);
}

/**
 * Applies matrices m (..., 3, 3) to vectors v (..., 3) -> (..., 3), broadcasting leading
 * dims. Computed elementwise, Σ_k m[i,k] v[k], so that a million per-point rotations
 * are three broadcast kernels rather than a million tiny matmuls.
 */
export function applyMatrix(m: Tensor, v: Tensor): Tensor {
  const op = 'applyMatrix';
  if (!(m instanceof Tensor) || m.rank < 2 || m.shape[m.rank - 1] !== 3 || m.shape[m.rank - 2] !== 3) fail(op, 'm', 'a tensor of shape [..., 3, 3]', m);
  checkLast(op, 'v', v, 3);
  if (m.dtype !== v.dtype) throw new HeadsplatError(`${op}: m and v must have the same dtype, got ${fmt(m)} and ${fmt(v)}`);
  sameDevice(op, [m, v]);
  const prod = mul(m, view(v, [...v.shape.slice(0, -1), 1, 3]));
  return matmul(prod, constant(v, [1, 1, 1], [3]));
}

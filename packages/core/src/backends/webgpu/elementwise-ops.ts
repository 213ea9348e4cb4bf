/**
 * WGSL expressions of the elementwise ops (Unary, Binary, Cast), shared by the fused
 * elementwise kernel (fusion.ts) and the broadcasting kernels. Semantics follow the CPU
 * kernels (src/backends/cpu/kernels): NaN propagation of maximum/minimum, integer
 * division truncating toward zero, pow of negative bases with integer exponents, the
 * erf approximation.
 */
import type { DType } from '../../dtype.js';
import { HeadsplatError } from '../../errors.js';
import type { BinaryOpName, UnaryOpName } from '../../kernel-names.js';
import type { WgslScalar } from './wgsl.js';

/** Helper functions some expressions call; prepended once to every elementwise shader. */
export const ELEMENTWISE_PRELUDE = /* wgsl */ `
fn hs_powf(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (y == 1.0) { return x; }
  if (y == 2.0) { return x * x; }
  if (y == 0.5) { return sqrt(x); }
  if (y == -1.0) { return 1.0 / x; }
  if (floor(y) == y && abs(y) <= 64.0) {
    // Small integer exponents by repeated squaring: exact for small values and the sign
    // of a negative base comes out right ((-2)^3 = -8) with no log of a negative number.
    var e = u32(abs(y));
    var b = x;
    var r = 1.0;
    loop { if (e == 0u) { break; } if ((e & 1u) == 1u) { r = r * b; } b = b * b; e = e >> 1u; }
    return select(r, 1.0 / r, y < 0.0);
  }
  let ax = abs(x);
  if (ax == 0.0) { return select(0.0, 1.0 / ax, y < 0.0); } // 1/0 = inf at run time (WGSL rejects an inf constant)
  if (floor(y) == y) {
    let r = exp2(y * log2(ax));
    let odd = abs(y) < 16777216.0 && (i32(abs(y)) & 1) == 1;
    return select(r, -r, x < 0.0 && odd);
  }
  if (x < 0.0) { return sqrt(x); } // NaN, as Math.pow of a negative base and a fractional exponent
  return exp2(y * log2(x));
}
fn hs_ipow(a: i32, b: i32) -> i32 {
  if (b < 0) { return select(select(0, 1, a == 1), select(1, -1, (b & 1) == 1), a == -1); }
  var r = 1; var base = a; var e = b;
  loop { if (e == 0) { break; } if ((e & 1) == 1) { r = r * base; } base = base * base; e = e >> 1u; }
  return r;
}
fn hs_upow(a: u32, b: u32) -> u32 {
  var r = 1u; var base = a; var e = b;
  loop { if (e == 0u) { break; } if ((e & 1u) == 1u) { r = r * base; } base = base * base; e = e >> 1u; }
  return r;
}
// erf: Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7 absolute), enough for float32. The CPU
// kernel does NOT use this formula: it is the float64 oracle (series + continued fraction
// accurate to ~1e-15, src/backends/cpu/erf.ts), so the two agree to about 1.5e-7.
fn hs_erf(x: f32) -> f32 {
  let ax = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * ax);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-ax * ax);
  return select(y, -y, x < 0.0);
}
fn hs_isnan(x: f32) -> bool { return !(x == x); }
// softplus log(1 + e^x) in float32 without overflow or loss of precision:
// - x > 20: e^-x < 2.1e-9 is below half an ulp of x, so the result is x;
// - x < -15: log(1 + u) = u - u^2/2 + ... with u = e^x < 3.1e-7, so the second term is
//   below half an ulp of the first and the result is e^x, with full relative precision
//   down to the smallest float32 (where the naive log(1 + e^x) rounds to 0);
// - otherwise max(x, 0) + log1p(e^-|x|), log1p by hs_log1p01 below. The builtin log is
//   NOT used: WGSL only bounds its absolute error (2^-21) near 1, which is a large
//   relative error in log(1 + u) for small u.
fn hs_softplus(x: f32) -> f32 {
  if (x > 20.0) { return x; }
  if (x < -15.0) { return exp(x); }
  return max(x, 0.0) + hs_log1p01(exp(-abs(x)));
}
// log1p(u) for 0 <= u <= 1 as 2 atanh(s), s = u / (2 + u) <= 1/3: the odd series
// 2 (s + s^3/3 + s^5/5 + ...) truncated after s^17 (next term < 4e-10 s), so the
// relative error stays at a few float32 ulps for every u, however small (A&S 4.1.28).
fn hs_log1p01(u: f32) -> f32 {
  let s = u / (2.0 + u);
  let z = s * s;
  let p = 1.0 + z * (0.33333333 + z * (0.2 + z * (0.14285714 + z * (0.11111111 + z * (0.09090909 + z * (0.07692308 + z * (0.06666667 + z * 0.05882353)))))));
  return 2.0 * s * p;
}
// sin/cos with Cody-Waite reduction by pi/2 and Cephes' sinf/cosf minimax polynomials
// (https://www.netlib.org/cephes/): drivers' builtins are only required to be accurate
// to 2^-11 (SwiftShader is off by 3e-5), the CPU oracle is correctly rounded.
fn hs_sincos(x: f32, cosine: bool) -> f32 {
  let j = round(x * 0.63661977236758134);
  let y = ((x - j * 1.5703125) - j * 4.837512969970703125e-4) - j * 7.54978995489188216e-8;
  let z = y * y;
  let s = y + y * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
  let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
  let q = (i32(j) + select(0, 1, cosine)) & 3;
  let r = select(s, c, (q & 1) == 1);
  return select(r, -r, q >= 2);
}
`;

/** Scalar attributes of Unary, read from Params in the generated code. */
export interface UnaryRefs {
  alpha: string;
  min: string;
  max: string;
  p: string;
}

export function unaryOutDType(op: UnaryOpName, dtype: DType): DType {
  return op === 'logicalNot' ? 'bool' : dtype;
}

/** The WGSL expression of `op(x)` where x has WGSL type `t`. */
export function unaryExpr(op: UnaryOpName, x: string, t: WgslScalar, refs: UnaryRefs): string {
  if (op === 'logicalNot') return `select(0u, 1u, ${x} == ${t}(0))`;
  if (t !== 'f32') return intUnary(op, x, t, refs);
  switch (op) {
    case 'neg': return `(-${x})`;
    case 'abs': return `abs(${x})`;
    case 'exp': return `exp(${x})`;
    case 'log': return `log(${x})`;
    case 'sqrt': return `sqrt(${x})`;
    case 'rsqrt': return `(1.0 / sqrt(${x}))`;
    case 'sin': return `hs_sincos(${x}, false)`;
    case 'cos': return `hs_sincos(${x}, true)`;
    // Clamped: some drivers evaluate tanh as a ratio of exponentials that overflows.
    case 'tanh': return `select(tanh(clamp(${x}, -20.0, 20.0)), ${x}, hs_isnan(${x}))`;
    case 'sigmoid': return `(1.0 / (1.0 + exp(-${x})))`;
    case 'relu': return `select(select(0.0, ${x}, ${x} > 0.0), ${x}, hs_isnan(${x}))`;
    case 'leakyRelu': return `select(${x} * ${refs.alpha}, ${x}, ${x} > 0.0)`;
    case 'softplus': return `hs_softplus(${x})`;
    case 'gelu': return `(0.5 * ${x} * (1.0 + hs_erf(${x} * 0.70710678118654752)))`;
    case 'square': return `(${x} * ${x})`;
    case 'sign': return `sign(${x})`;
    case 'floor': return `floor(${x})`;
    case 'ceil': return `ceil(${x})`;
    case 'round': return `round(${x})`;
    case 'reciprocal': return `(1.0 / ${x})`;
    case 'clamp': return `select(min(max(${x}, ${refs.min}), ${refs.max}), ${x}, hs_isnan(${x}))`;
    case 'powScalar': return `hs_powf(${x}, ${refs.p})`;
    case 'step': return `select(0.0, 1.0, ${x} > 0.0)`;
    case 'erf': return `hs_erf(${x})`;
  }
  throw new HeadsplatError(`Unary: op '${op as string}' has no WebGPU implementation`);
}

function intUnary(op: UnaryOpName, x: string, t: WgslScalar, refs: UnaryRefs): string {
  const z = `${t}(0)`;
  switch (op) {
    case 'neg': return t === 'i32' ? `(-${x})` : `(0u - ${x})`;
    case 'abs': return t === 'i32' ? `abs(${x})` : x;
    case 'square': return `(${x} * ${x})`;
    case 'sign': return t === 'i32' ? `sign(${x})` : `select(0u, 1u, ${x} > 0u)`;
    case 'floor':
    case 'ceil':
    case 'round': return x;
    case 'relu': return `max(${x}, ${z})`;
    case 'step': return `select(${z}, ${t}(1), ${x} > ${z})`;
    case 'clamp': return `${t}(clamp(f32(${x}), ${refs.min}, ${refs.max}))`;
    case 'powScalar': return t === 'i32' ? `hs_ipow(${x}, i32(${refs.p}))` : `hs_upow(${x}, u32(${refs.p}))`;
    default: throw new HeadsplatError(`Unary: op '${op}' needs a float tensor on device 'webgpu', got ${t === 'i32' ? 'int32' : 'uint32'}`);
  }
}

const COMPARE: Partial<Record<BinaryOpName, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

export function binaryOutDType(op: BinaryOpName, dtype: DType): DType {
  return COMPARE[op] || op === 'logicalAnd' || op === 'logicalOr' ? 'bool' : dtype;
}

/** The WGSL expression of `op(a, b)` for operands of WGSL type `t`. */
export function binaryExpr(op: BinaryOpName, a: string, b: string, t: WgslScalar): string {
  const cmp = COMPARE[op];
  if (cmp) return `select(0u, 1u, ${a} ${cmp} ${b})`;
  const z = `${t}(0)`;
  switch (op) {
    case 'logicalAnd': return `select(0u, 1u, ${a} != ${z} && ${b} != ${z})`;
    case 'logicalOr': return `select(0u, 1u, ${a} != ${z} || ${b} != ${z})`;
    case 'add': return `(${a} + ${b})`;
    case 'sub': return `(${a} - ${b})`;
    case 'mul': return `(${a} * ${b})`;
    // WGSL integer x / 0 is x; the CPU stores trunc(x / 0) = +-Infinity -> 0 in an int array.
    case 'div': return t === 'f32' ? `(${a} / ${b})` : `select(${a} / ${b}, ${z}, ${b} == ${z})`;
    case 'pow': return t === 'f32' ? `hs_powf(${a}, ${b})` : t === 'i32' ? `hs_ipow(${a}, ${b})` : `hs_upow(${a}, ${b})`;
    case 'maximum': return t === 'f32' ? `select(${b}, ${a}, ${a} >= ${b} || hs_isnan(${a}))` : `max(${a}, ${b})`;
    case 'minimum': return t === 'f32' ? `select(${b}, ${a}, ${a} <= ${b} || hs_isnan(${a}))` : `min(${a}, ${b})`;
    case 'atan2':
      if (t !== 'f32') throw new HeadsplatError(`Binary: atan2 needs float tensors on device 'webgpu'`);
      return `select(atan2(${a}, ${b}), select(0.0, 3.14159265358979, ${b} < 0.0 || (${b} == 0.0 && bitcast<u32>(${b}) != 0u)) * select(1.0, -1.0, bitcast<u32>(${a}) != 0u), ${a} == 0.0)`;
  }
  throw new HeadsplatError(`Binary: op '${op as string}' has no WebGPU implementation`);
}

/** The WGSL expression converting `x` of WGSL type `from` to dtype `to` (CPU Cast semantics). */
export function castExpr(x: string, from: WgslScalar, fromDType: DType, to: DType): string {
  if (to === 'bool') return `select(0u, 1u, ${x} != ${from}(0))`;
  if (fromDType === 'bool') return to === 'float32' ? `f32(${x})` : to === 'int32' ? `i32(${x})` : x;
  if (to === 'float32') return from === 'f32' ? x : `f32(${x})`;
  if (to === 'int32') return from === 'i32' ? x : from === 'u32' ? `bitcast<i32>(${x})` : `i32(trunc(${x}))`;
  // to uint32: float -> int truncation toward zero, negatives wrap as in a typed array store.
  return from === 'u32' ? x : from === 'i32' ? `bitcast<u32>(${x})` : `bitcast<u32>(i32(trunc(${x})))`;
}

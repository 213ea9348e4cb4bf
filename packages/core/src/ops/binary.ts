import type { BinaryOpName, KernelAttrs } from '../kernel-names.js';
import { HeadsplatError, fmt } from '../errors.js';
import { record, runKernel, sameDevice } from '../op.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { powScalarAs } from './unary.js';
import { binaryContext, sumTo, type TensorLike } from './util.js';

function binaryRaw(op: BinaryOpName, a: Tensor, b: Tensor): Tensor {
  return runKernel<KernelAttrs['Binary']>('Binary', [a, b], { op })[0];
}

function prepare(name: string, a: TensorLike, b: TensorLike, floatOnly: boolean): [Tensor, Tensor] {
  const [ta, tb] = binaryContext(name, a, b);
  try {
    sameDevice(name, [ta, tb]);
    if (ta.dtype !== tb.dtype) throw new HeadsplatError(`${name}: a and b must have the same dtype, got ${fmt(ta)} and ${fmt(tb)}`);
    if (floatOnly && ta.dtype !== 'float32' && ta.dtype !== 'float64') throw new HeadsplatError(`${name}: a and b must be float tensors, got ${fmt(ta)}`);
    if (ta.dtype === 'bool' && !name.startsWith('logical') && !['eq', 'ne'].includes(name)) {
      throw new HeadsplatError(`${name}: bool tensors are not supported; cast them first`);
    }
    broadcastShapes(name, ta.shape, tb.shape);
  } catch (e) {
    // Free a number operand's 0-d wrapper before reporting.
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
    throw e;
  }
  return [ta, tb];
}

type GradRule = (g: Tensor, a: Tensor, b: Tensor, out: Tensor | undefined) => [Tensor | null, Tensor | null];

function defineBinary(op: BinaryOpName, grad: GradRule | null, opts: { floatOnly?: boolean; savesOutput?: boolean } = {}) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [ta, tb] = prepare(op, a, b, !!opts.floatOnly);
    // A number operand was wrapped in a 0-d tensor that nobody else holds: free it once
    // the op is recorded (the tape keeps its own alias when the backward needs it).
    try {
      const out = binaryRaw(op, ta, tb);
      if (grad) recordBinary(op, grad, !!opts.savesOutput, ta, tb, out);
      return out;
    } finally {
      if (ta !== a) ta.dispose();
      if (tb !== b) tb.dispose();
    }
  };
}

function recordBinary(op: BinaryOpName, grad: GradRule, savesOutput: boolean, ta: Tensor, tb: Tensor, out: Tensor): void {
  const aShape = ta.shape;
  const bShape = tb.shape;
  record({
    name: op,
    inputs: [ta, tb],
    outputs: [out],
    save: savesOutput ? [ta, tb, out] : [ta, tb],
    savesOutputs: savesOutput,
    backward: ([g], [sa, sb, so]) => {
      const [ga, gb] = grad(g!, sa, sb, so);
      return [ga && sumTo(ga, aShape), gb && sumTo(gb, bShape)];
    },
  });
}

/** a + b with broadcasting. */
export const add = defineBinary('add', (g) => [g, g]);
/** a - b with broadcasting. */
export const sub = defineBinary('sub', (g) => [g, neg(g)]);
/** a * b with broadcasting. */
export const mul = defineBinary('mul', (g, a, b) => [mul(g, b), mul(g, a)]);
/** a / b with broadcasting. */
export const div = defineBinary('div', (g, a, b) => [div(g, b), neg(div(mul(g, a), mul(b, b)))], { floatOnly: false });
/**
 * a ** b elementwise (float32), tensor exponent. d/da = b a^(b-1); d/db = a^b ln a, taken
 * as 0 where a <= 0 (the limit PyTorch uses at a = 0; ln a is undefined below).
 */
const powTensor = defineBinary(
  'pow',
  (g, a, b, out) => {
    const ga = mul(g, mul(b, powRaw(a, sub(b, 1))));
    const positive = binaryRaw('gt', a, zeroLike(a));
    const safeA = whereRaw(positive, a, oneLike(a));
    const gb = mul(g, whereRaw(positive, mul(out!, logRaw(safeA)), zeroLike(out!)));
    return [ga, gb];
  },
  { floatOnly: true, savesOutput: true },
);

/**
 * Power with broadcasting, as torch.pow.
 * - `pow(x, p)` with a number p is the scalar-exponent op (`powScalar`): the gradient goes
 *   to x only, p·x^(p−1); negative bases with an integer p are exact in sign
 *   (pow(−2, 3) = −8, pow(−2, 2) = 4) on every backend; any numeric dtype.
 * - `pow(a, b)` with a tensor b (or a number a) is elementwise a^b on float tensors, with
 *   gradients d/da = b a^(b−1) and d/db = a^b ln a (0 where a <= 0, PyTorch's limit at 0).
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && a instanceof Tensor) return powScalarAs('pow', a, b);
  return powTensor(a, b);
}
/** Elementwise maximum; the gradient goes to a where a >= b (ties to a), else to b. */
export const maximum = defineBinary('maximum', (g, a, b) => {
  const m = castRaw(binaryRaw('ge', a, b), g.dtype);
  return [mul(g, m), mul(g, sub(1, m))];
});
/** Elementwise minimum; the gradient goes to a where a <= b (ties to a), else to b. */
export const minimum = defineBinary('minimum', (g, a, b) => {
  const m = castRaw(binaryRaw('le', a, b), g.dtype);
  return [mul(g, m), mul(g, sub(1, m))];
});
/** atan2(a, b) = angle of (b, a); d/da = b/(a²+b²), d/db = -a/(a²+b²). */
export const atan2 = defineBinary(
  'atan2',
  (g, a, b) => {
    const r2 = add(mul(a, a), mul(b, b));
    return [div(mul(g, b), r2), neg(div(mul(g, a), r2))];
  },
  { floatOnly: true },
);

/** Comparisons return bool tensors and have no gradient. */
export const eq = defineBinary('eq', null);
export const ne = defineBinary('ne', null);
export const lt = defineBinary('lt', null);
export const le = defineBinary('le', null);
export const gt = defineBinary('gt', null);
export const ge = defineBinary('ge', null);
export const logicalAnd = defineBinary('logicalAnd', null);
export const logicalOr = defineBinary('logicalOr', null);

// Small non-recording helpers for gradient rules (grad mode is off inside backward unless createGraph).
function neg(x: Tensor): Tensor {
  return mul(x, -1);
}
function castRaw(x: Tensor, dtype: Tensor['dtype']): Tensor {
  return runKernel<KernelAttrs['Cast']>('Cast', [x], { dtype })[0];
}
function zeroLike(x: Tensor): Tensor {
  return runKernel<KernelAttrs['Fill']>('Fill', [], { shape: [], dtype: x.dtype, value: 0 }, x.device)[0];
}
function oneLike(x: Tensor): Tensor {
  return runKernel<KernelAttrs['Fill']>('Fill', [], { shape: [], dtype: x.dtype, value: 1 }, x.device)[0];
}
function whereRaw(c: Tensor, a: Tensor, b: Tensor): Tensor {
  return runKernel<KernelAttrs['Where']>('Where', [c, a, b], {})[0];
}
function powRaw(a: Tensor, b: Tensor): Tensor {
  return powTensor(a, b);
}
function logRaw(a: Tensor): Tensor {
  return runKernel<KernelAttrs['Unary']>('Unary', [a], { op: 'log' })[0];
}

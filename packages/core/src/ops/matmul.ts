import { fail, HeadsplatError, fmt } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel, sameDevice } from '../op.js';
import { broadcastShapes, shapesEqual, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add } from './binary.js';
import { assertFloat, reshapeRaw, sumTo } from './util.js';

export interface MatmulOptions {
  /** Use a's transpose (a stored (..., K, M)); needs a of rank >= 2. */
  transposeA?: boolean;
  /** Use b's transpose (b stored (..., N, K)); needs b of rank >= 2. */
  transposeB?: boolean;
}

/**
 * Reshape that records its own inverse as gradient (so double backward works). Internal,
 * not re-exported from the package: the public reshape with validation is a shape op.
 */
export function view(t: Tensor, shape: Shape): Tensor {
  if (shapesEqual(t.shape, shape)) return t;
  const out = reshapeRaw(t, shape);
  const inShape = t.shape;
  record({ name: 'reshape', inputs: [t], outputs: [out], backward: ([g]) => [view(g!, inShape)] });
  return out;
}

/**
 * The MatMul primitive on rank >= 2 tensors, with its gradient. With C = op(A) op(B):
 * dA = g op(B)^T and dB = op(A)^T g, each expressed as one MatMul with transpose flags
 * chosen so that the result comes out in A's (resp. B's) storage layout; broadcast batch
 * dims are summed back (sumTo).
 */
function matmulPrim(a: Tensor, b: Tensor, tA: boolean, tB: boolean): Tensor {
  const out = runKernel<KernelAttrs['MatMul']>('MatMul', [a, b], { transposeA: tA, transposeB: tB })[0];
  const aShape = a.shape;
  const bShape = b.shape;
  record({
    name: 'matmul',
    inputs: [a, b],
    outputs: [out],
    save: [a, b],
    backward: ([g], [sa, sb], [needA, needB]) => {
      // Only the gradients some input wants (e.g. not dX of a network's first layer).
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (!tA && !tB) {
        if (needA) ga = matmulPrim(g!, sb, false, true);
        if (needB) gb = matmulPrim(sa, g!, true, false);
      } else if (!tA && tB) {
        if (needA) ga = matmulPrim(g!, sb, false, false);
        if (needB) gb = matmulPrim(g!, sa, true, false);
      } else if (tA && !tB) {
        if (needA) ga = matmulPrim(sb, g!, false, true);
        if (needB) gb = matmulPrim(sa, g!, false, false);
      } else {
        if (needA) ga = matmulPrim(sb, g!, true, true);
        if (needB) gb = matmulPrim(g!, sa, true, true);
      }
      return [ga && sumTo(ga, aShape), gb && sumTo(gb, bShape)];
    },
  });
  return out;
}

function checkPair(op: string, a: Tensor, b: Tensor): void {
  if (!(a instanceof Tensor)) fail(op, 'a', 'a Tensor', a);
  if (!(b instanceof Tensor)) fail(op, 'b', 'a Tensor', b);
  assertFloat(op, 'a', a);
  assertFloat(op, 'b', b);
  if (a.dtype !== b.dtype) throw new HeadsplatError(`${op}: a and b must have the same dtype, got ${fmt(a)} and ${fmt(b)}`);
  sameDevice(op, [a, b]);
}

/**
 * Matrix product with PyTorch `torch.matmul` semantics: 1-D·1-D is a dot product (0-d),
 * a 1-D argument gains a unit dim that is removed from the result, and batch dims
 * (all but the last two) broadcast.
 * @see https://pytorch.org/docs/stable/generated/torch.matmul.html
 * @example matmul(x, w, { transposeB: true }) // x · wᵀ without copying w
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const op = 'matmul';
  checkPair(op, a, b);
  const tA = !!opts.transposeA;
  const tB = !!opts.transposeB;
  if (a.rank === 0) fail(op, 'a', 'a tensor of rank >= 1', a);
  if (b.rank === 0) fail(op, 'b', 'a tensor of rank >= 1', b);
  if (tA && a.rank < 2) fail(op, 'a', 'of rank >= 2 with transposeA', a);
  if (tB && b.rank < 2) fail(op, 'b', 'of rank >= 2 with transposeB', b);
  const a2 = a.rank === 1 ? view(a, [1, a.shape[0]]) : a;
  const b2 = b.rank === 1 ? view(b, [b.shape[0], 1]) : b;
  const ka = tA ? a2.shape[a2.rank - 2] : a2.shape[a2.rank - 1];
  const kb = tB ? b2.shape[b2.rank - 1] : b2.shape[b2.rank - 2];
  if (ka !== kb) {
    throw new HeadsplatError(
      `${op}: the contracted dimensions of a and b must match, got a ${fmt(a)}${tA ? ' (transposed)' : ''} with K=${ka} and b ${fmt(b)}${tB ? ' (transposed)' : ''} with K=${kb}`,
    );
  }
  broadcastShapes(op, a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const out = matmulPrim(a2, b2, tA, tB);
  if (a.rank > 1 && b.rank > 1) return out;
  const shape = out.shape.slice();
  if (b.rank === 1) shape.pop();
  if (a.rank === 1) shape.splice(shape.length - (b.rank === 1 ? 1 : 2), 1);
  return view(out, shape);
}

/** Batched matrix product of (B, M, K) and (B, K, N) -> (B, M, N) (torch.bmm: no broadcasting). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  const op = 'bmm';
  checkPair(op, a, b);
  if (a.rank !== 3) fail(op, 'a', 'a 3-D tensor (B, M, K)', a);
  if (b.rank !== 3) fail(op, 'b', 'a 3-D tensor (B, K, N)', b);
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new HeadsplatError(`${op}: expected a (B, M, K) and b (B, K, N) with equal B and K, got ${fmt(a)} and ${fmt(b)}`);
  }
  return matmulPrim(a, b, false, false);
}

/**
 * Affine map y = x wᵀ + b with PyTorch's nn.Linear weight layout: x (..., in), w (out, in),
 * bias (out). Leading dims of x are flattened into one GEMM so that dw is a single product.
 */
export function linear(x: Tensor, w: Tensor, bias?: Tensor | null): Tensor {
  const op = 'linear';
  checkPair(op, x, w);
  if (x.rank < 1) fail(op, 'x', 'a tensor of rank >= 1 (..., in_features)', x);
  if (w.rank !== 2) fail(op, 'w', 'a 2-D tensor (out_features, in_features)', w);
  const inF = x.shape[x.rank - 1];
  const outF = w.shape[0];
  if (w.shape[1] !== inF) {
    throw new HeadsplatError(`${op}: w must have shape [out_features, ${inF}] to match x's last dimension, got x ${fmt(x)} and w ${fmt(w)}`);
  }
  if (bias != null) {
    if (!(bias instanceof Tensor)) fail(op, 'bias', 'a Tensor', bias);
    if (bias.dtype !== x.dtype) fail(op, 'bias', `of dtype ${x.dtype}`, bias);
    if (bias.rank !== 1 || bias.shape[0] !== outF) fail(op, 'bias', `a 1-D tensor of shape [${outF}]`, bias);
    sameDevice(op, [x, bias]);
  }
  const rows = x.size / Math.max(inF, 1);
  const x2 = view(x, [rows, inF]);
  let y = matmulPrim(x2, w, false, true);
  if (bias != null) y = add(y, bias);
  return view(y, [...x.shape.slice(0, -1), outF]);
}

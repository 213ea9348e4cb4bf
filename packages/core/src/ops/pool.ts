import { fail, HeadsplatError } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel } from '../op.js';
import { Tensor } from '../tensor.js';
import { assertFloat } from './util.js';

type Pair = number | [number, number];
type Shape4 = [number, number, number, number];

export interface Pool2dOptions {
  /** Default: the kernel size. */
  stride?: Pair;
  /** Implicit padding on each side, at most half the kernel. Default 0. */
  padding?: Pair;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether padded positions count in the divisor (PyTorch's count_include_pad). Default true. */
  countIncludePad?: boolean;
}

type PoolAttrs = KernelAttrs['Pool2d'];

function pair(op: string, arg: string, v: Pair, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) fail(op, arg, `an integer >= ${min} or a pair of them`, v);
  return [p[0], p[1]];
}

function attrsOf(op: string, x: Tensor, kind: 'avg' | 'max', kernel: Pair, o: AvgPool2dOptions): PoolAttrs {
  if (!(x instanceof Tensor)) fail(op, 'x', 'a Tensor', x);
  assertFloat(op, 'x', x);
  if (x.rank !== 4) fail(op, 'x', 'a 4-D tensor (N, C, H, W)', x);
  const k = pair(op, 'kernel', kernel, 1);
  const stride = o.stride === undefined ? k : pair(op, 'options.stride', o.stride, 1);
  const padding = pair(op, 'options.padding', o.padding ?? 0, 0);
  if (padding[0] > k[0] / 2 || padding[1] > k[1] / 2) fail(op, 'options.padding', `at most half the kernel [${k.join(', ')}]`, padding);
  const Ho = Math.floor((x.shape[2] + 2 * padding[0] - k[0]) / stride[0]) + 1;
  const Wo = Math.floor((x.shape[3] + 2 * padding[1] - k[1]) / stride[1]) + 1;
  if (Ho < 1 || Wo < 1) throw new HeadsplatError(`${op}: the output would be empty (${Ho}x${Wo}) for kernel [${k.join(', ')}] on x of shape [${x.shape.join(', ')}]`);
  return { kind, kernel: k, stride, padding, countIncludePad: o.countIncludePad ?? true };
}

/** The average pool and its backward are adjoint linear maps: each differentiates into the other. */
function avgPrim(x: Tensor, a: PoolAttrs): Tensor {
  const y = runKernel<PoolAttrs>('Pool2d', [x], a)[0];
  const inputShape = [...x.shape] as Shape4;
  record({ name: 'avgPool2d', inputs: [x], outputs: [y], backward: ([g]) => [avgBackPrim(g!, a, inputShape)] });
  return y;
}

function avgBackPrim(dy: Tensor, a: PoolAttrs, inputShape: Shape4): Tensor {
  const dx = runKernel<KernelAttrs['Pool2dBackward']>('Pool2dBackward', [dy], { ...a, inputShape })[0];
  record({ name: 'avgPool2dBackward', inputs: [dy], outputs: [dx], backward: ([g]) => [avgPrim(g!, a)] });
  return dx;
}

/**
 * 2-D average pooling over NCHW, PyTorch's F.avg_pool2d (floor mode).
 * @see https://pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html
 */
export function avgPool2d(x: Tensor, kernel: Pair, opts: AvgPool2dOptions = {}): Tensor {
  return avgPrim(x, attrsOf('avgPool2d', x, 'avg', kernel, opts));
}

/**
 * 2-D max pooling over NCHW, PyTorch's F.max_pool2d (floor mode, no dilation); the
 * gradient goes to the first maximum of each window. Differentiable once.
 * @see https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
 */
export function maxPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  const op = 'maxPool2d';
  const a = attrsOf(op, x, 'max', kernel, opts);
  const [y, argmax] = runKernel<PoolAttrs>('Pool2d', [x], a);
  const inputShape = [...x.shape] as Shape4;
  record({
    name: op,
    inputs: [x],
    outputs: [y],
    save: [argmax],
    backward: ([g], [arg]) => {
      const dx = runKernel<KernelAttrs['Pool2dBackward']>('Pool2dBackward', [g!, arg], { ...a, inputShape })[0];
      record({
        name: 'maxPool2dBackward',
        inputs: [g!],
        outputs: [dx],
        backward: () => {
          throw new HeadsplatError(`${op}: double backward is not supported`);
        },
      });
      return [dx];
    },
  });
  argmax.dispose();
  return y;
}

/**
 * Adaptive average pooling to `size` when the input size is a multiple of it (then it is
 * avgPool2d with kernel = stride = in/out, as in PyTorch); other sizes are rejected.
 */
export function adaptiveAvgPool2d(x: Tensor, size: Pair): Tensor {
  const op = 'adaptiveAvgPool2d';
  if (!(x instanceof Tensor) || x.rank !== 4) fail(op, 'x', 'a 4-D tensor (N, C, H, W)', x);
  const [oh, ow] = pair(op, 'size', size, 1);
  const [H, W] = [x.shape[2], x.shape[3]];
  if (H % oh !== 0 || W % ow !== 0) fail(op, 'size', `a divisor of the input size [${H}, ${W}] (non-uniform windows are not implemented)`, [oh, ow]);
  return avgPool2d(x, [H / oh, W / ow]);
}

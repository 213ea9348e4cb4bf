import { fail, fmt, HeadsplatError } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel, sameDevice } from '../op.js';
import { Tensor } from '../tensor.js';
import { add } from './binary.js';
import { view } from './matmul.js';
import { assertFloat, reshapeRaw, sumTo } from './util.js';

type Pair = number | [number, number];

export interface Conv2dOptions {
  /** (O) added to every output channel. */
  bias?: Tensor | null;
  /** Default 1. */
  stride?: Pair;
  /** Zero padding on each side (top/bottom, left/right). Default 0. */
  padding?: Pair;
  /** Default 1. */
  dilation?: Pair;
  /** Default 1; C and O must both be divisible by it. */
  groups?: number;
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  /** Extra rows/columns added on the bottom/right of the output; must be < stride. Default 0. */
  outputPadding?: Pair;
}

interface ConvAttrs {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

function pair(op: string, arg: string, v: Pair | undefined, dflt: number, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) {
    fail(op, arg, `an integer >= ${min} or a pair of them`, v);
  }
  return [p[0], p[1]];
}

function convAttrs(op: string, o: Conv2dOptions): ConvAttrs {
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) fail(op, 'options.groups', 'a positive integer', groups);
  return {
    stride: pair(op, 'options.stride', o.stride, 1, 1),
    padding: pair(op, 'options.padding', o.padding, 0, 0),
    dilation: pair(op, 'options.dilation', o.dilation, 1, 1),
    groups,
  };
}

function checkInputs(op: string, x: Tensor, w: Tensor): void {
  if (!(x instanceof Tensor)) fail(op, 'x', 'a Tensor', x);
  if (!(w instanceof Tensor)) fail(op, 'w', 'a Tensor', w);
  assertFloat(op, 'x', x);
  if (x.rank !== 4) fail(op, 'x', 'a 4-D tensor (N, C, H, W)', x);
  if (w.rank !== 4) fail(op, 'w', 'a 4-D tensor', w);
  if (w.dtype !== x.dtype) throw new HeadsplatError(`${op}: x and w must have the same dtype, got ${fmt(x)} and ${fmt(w)}`);
  sameDevice(op, [x, w]);
}

function checkBias(op: string, bias: Tensor | null | undefined, x: Tensor, channels: number): Tensor | null {
  if (bias == null) return null;
  if (!(bias instanceof Tensor)) fail(op, 'options.bias', 'a Tensor', bias);
  if (bias.dtype !== x.dtype) fail(op, 'options.bias', `of dtype ${x.dtype}`, bias);
  if (bias.rank !== 1 || bias.shape[0] !== channels) fail(op, 'options.bias', `a 1-D tensor of shape [${channels}]`, bias);
  sameDevice(op, [x, bias]);
  return bias;
}

const outSize = (n: number, k: number, s: number, p: number, d: number): number => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

/**
 * The three convolution primitives and their gradients. With the bilinear pairing
 * <dy, conv(x, w)> = <convInput(dy, w), x> = <convFilter(x, dy), w>, each one's gradient
 * is another of the three, so double backward works.
 */
function convPrim(x: Tensor, w: Tensor, bias: Tensor | null, a: ConvAttrs): Tensor {
  const inputs = bias ? [x, w, bias] : [x, w];
  const y = runKernel<KernelAttrs['Conv2d']>('Conv2d', inputs, a)[0];
  const xShape = x.shape as [number, number, number, number];
  const wShape = w.shape as [number, number, number, number];
  record({
    name: 'conv2d',
    inputs,
    outputs: [y],
    save: [x, w],
    backward: ([g], [sx, sw], [needX, needW, needB]) => [
      needX ? convInputPrim(g!, sw, a, xShape) : null,
      needW ? convFilterPrim(sx, g!, a, wShape) : null,
      bias && needB ? reshapeRaw(sumTo(g!, [1, wShape[0], 1, 1]), [wShape[0]]) : null,
    ],
  });
  return y;
}

function convInputPrim(dy: Tensor, w: Tensor, a: ConvAttrs, inputShape: [number, number, number, number]): Tensor {
  const dx = runKernel<KernelAttrs['Conv2dBackpropInput']>('Conv2dBackpropInput', [dy, w], { ...a, inputShape })[0];
  const wShape = w.shape as [number, number, number, number];
  record({
    name: 'conv2dBackpropInput',
    inputs: [dy, w],
    outputs: [dx],
    save: [dy, w],
    backward: ([g], [sdy, sw], [needDy, needW]) => [needDy ? convPrim(g!, sw, null, a) : null, needW ? convFilterPrim(g!, sdy, a, wShape) : null],
  });
  return dx;
}

function convFilterPrim(x: Tensor, dy: Tensor, a: ConvAttrs, filterShape: [number, number, number, number]): Tensor {
  const dw = runKernel<KernelAttrs['Conv2dBackpropFilter']>('Conv2dBackpropFilter', [x, dy], { ...a, filterShape })[0];
  const xShape = x.shape as [number, number, number, number];
  record({
    name: 'conv2dBackpropFilter',
    inputs: [x, dy],
    outputs: [dw],
    save: [x, dy],
    backward: ([g], [sx, sdy], [needX, needDy]) => [needX ? convInputPrim(sdy, g!, a, xShape) : null, needDy ? convPrim(sx, g!, null, a) : null],
  });
  return dw;
}

/**
 * 2-D cross-correlation over NCHW input, PyTorch's F.conv2d: x (N, C, H, W),
 * w (O, C/groups, kh, kw) -> (N, O, Ho, Wo), Ho = floor((H + 2p - d(kh-1) - 1)/s) + 1.
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  checkInputs(op, x, w);
  const a = convAttrs(op, opts);
  const [, C, H, W] = x.shape;
  const [O, cg, kh, kw] = w.shape;
  if (C % a.groups !== 0 || O % a.groups !== 0) {
    throw new HeadsplatError(`${op}: input channels (${C}) and output channels (${O}) must be divisible by groups (${a.groups}), got x ${fmt(x)} and w ${fmt(w)}`);
  }
  if (cg !== C / a.groups) {
    throw new HeadsplatError(`${op}: w must have shape [O, C/groups = ${C / a.groups}, kh, kw] for x's ${C} channels and groups ${a.groups}, got x ${fmt(x)} and w ${fmt(w)}`);
  }
  const Ho = outSize(H, kh, a.stride[0], a.padding[0], a.dilation[0]);
  const Wo = outSize(W, kw, a.stride[1], a.padding[1], a.dilation[1]);
  if (Ho < 1 || Wo < 1) {
    throw new HeadsplatError(`${op}: the output would be empty (${Ho}x${Wo}): the dilated kernel ${kh}x${kw} does not fit the padded input of x ${fmt(x)}`);
  }
  const bias = checkBias(op, opts.bias, x, O);
  return convPrim(x, w, bias, a);
}

/**
 * Transposed convolution (the gradient of conv2d w.r.t. its input), PyTorch's
 * F.conv_transpose2d: x (N, Cin, H, W), w (Cin, Cout/groups, kh, kw) -> (N, Cout, Ho, Wo),
 * Ho = (H-1)s - 2p + d(kh-1) + outputPadding + 1.
 * @see https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html
 */
export function convTranspose2d(x: Tensor, w: Tensor, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkInputs(op, x, w);
  const a = convAttrs(op, opts);
  const op2 = pair(op, 'options.outputPadding', opts.outputPadding, 0, 0);
  const [N, Cin, H, W] = x.shape;
  const [wIn, cog, kh, kw] = w.shape;
  if (wIn !== Cin || Cin % a.groups !== 0) {
    throw new HeadsplatError(`${op}: w must have shape [Cin = ${Cin}, Cout/groups, kh, kw] with Cin divisible by groups (${a.groups}), got x ${fmt(x)} and w ${fmt(w)}`);
  }
  if (op2[0] >= a.stride[0] || op2[1] >= a.stride[1]) fail(op, 'options.outputPadding', `smaller than the stride [${a.stride.join(', ')}]`, op2);
  const Cout = cog * a.groups;
  const Ho = (H - 1) * a.stride[0] - 2 * a.padding[0] + a.dilation[0] * (kh - 1) + op2[0] + 1;
  const Wo = (W - 1) * a.stride[1] - 2 * a.padding[1] + a.dilation[1] * (kw - 1) + op2[1] + 1;
  if (Ho < 1 || Wo < 1) throw new HeadsplatError(`${op}: the output would be empty (${Ho}x${Wo}) for x ${fmt(x)}, w ${fmt(w)} and padding [${a.padding.join(', ')}]`);
  const bias = checkBias(op, opts.bias, x, Cout);
  const y = convInputPrim(x, w, a, [N, Cout, Ho, Wo]);
  return bias ? add(y, view(bias, [1, Cout, 1, 1])) : y;
}

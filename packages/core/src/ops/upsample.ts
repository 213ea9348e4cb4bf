import { fail } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel } from '../op.js';
import { Tensor } from '../tensor.js';
import { assertFloat } from './util.js';

export type UpsampleMode = 'nearest' | 'bilinear';

export interface UpsampleOptions {
  /** Output (H, W). Give exactly one of size and scaleFactor. */
  size?: number | [number, number];
  /** Output size = floor(input size * scaleFactor) per axis. */
  scaleFactor?: number | [number, number];
  /** Default 'nearest'. */
  mode?: UpsampleMode;
  /** Bilinear only: map corner pixel centres onto each other (PyTorch align_corners). Default false. */
  alignCorners?: boolean;
}

type Shape4 = [number, number, number, number];

/** The two primitives are adjoint linear maps, so each is the other's gradient (double backward works). */
function upsamplePrim(x: Tensor, mode: UpsampleMode, size: [number, number], alignCorners: boolean): Tensor {
  const y = runKernel<KernelAttrs['Upsample']>('Upsample', [x], { mode, size, alignCorners })[0];
  const inputShape = [...x.shape] as Shape4;
  record({ name: 'upsample', inputs: [x], outputs: [y], backward: ([g]) => [upsampleBackPrim(g!, mode, inputShape, alignCorners)] });
  return y;
}

function upsampleBackPrim(dy: Tensor, mode: UpsampleMode, inputShape: Shape4, alignCorners: boolean): Tensor {
  const dx = runKernel<KernelAttrs['UpsampleBackward']>('UpsampleBackward', [dy], { mode, inputShape, alignCorners })[0];
  const size: [number, number] = [dy.shape[2], dy.shape[3]];
  record({ name: 'upsampleBackward', inputs: [dy], outputs: [dx], backward: ([g]) => [upsamplePrim(g!, mode, size, alignCorners)] });
  return dx;
}

function pairOf(op: string, arg: string, v: number | [number, number], integer: boolean): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => typeof d === 'number' && d > 0 && Number.isFinite(d) && (!integer || Number.isInteger(d)))) {
    fail(op, arg, integer ? 'a positive integer or a pair of them' : 'a positive number or a pair of them', v);
  }
  return [p[0], p[1]];
}

/**
 * Resizes x (N, C, H, W) with PyTorch's F.interpolate semantics for 'nearest' and
 * 'bilinear' (with alignCorners). With scaleFactor, the index map uses in/out of the
 * resulting size (PyTorch's recompute_scale_factor=True).
 * @see https://pytorch.org/docs/stable/generated/torch.nn.functional.interpolate.html
 */
export function interpolate(x: Tensor, opts: UpsampleOptions): Tensor {
  const op = 'interpolate';
  if (!(x instanceof Tensor)) fail(op, 'x', 'a Tensor', x);
  assertFloat(op, 'x', x);
  if (x.rank !== 4) fail(op, 'x', 'a 4-D tensor (N, C, H, W)', x);
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') fail(op, 'options.mode', "'nearest' or 'bilinear'", mode);
  if (opts.alignCorners && mode !== 'bilinear') fail(op, 'options.alignCorners', "unset unless mode is 'bilinear'", opts.alignCorners);
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) {
    fail(op, 'options', 'given exactly one of size and scaleFactor', Object.keys(opts));
  }
  let size: [number, number];
  if (opts.size !== undefined) size = pairOf(op, 'options.size', opts.size, true);
  else {
    const s = pairOf(op, 'options.scaleFactor', opts.scaleFactor!, false);
    size = [Math.floor(x.shape[2] * s[0]), Math.floor(x.shape[3] * s[1])];
    if (size[0] < 1 || size[1] < 1) fail(op, 'options.scaleFactor', `large enough for a non-empty output from ${x.shape[2]}x${x.shape[3]}`, opts.scaleFactor);
  }
  if (x.shape[2] < 1 || x.shape[3] < 1) fail(op, 'x', 'a tensor with non-empty H and W', x);
  return upsamplePrim(x, mode, size, !!opts.alignCorners);
}

/** Alias of `interpolate` (torch.nn.Upsample's functional form). */
export const upsample = interpolate;

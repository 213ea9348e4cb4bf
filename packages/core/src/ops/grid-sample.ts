import { fail, fmt, HeadsplatError } from '../errors.js';
import type { KernelAttrs } from '../kernel-names.js';
import { record, runKernel, sameDevice } from '../op.js';
import { Tensor } from '../tensor.js';
import { assertFloat } from './util.js';

export interface GridSampleOptions {
  /** Whether -1/1 are the centres of the corner pixels (true) or their outer edges (false, default). */
  alignCorners?: boolean;
  /** Value outside the input: 'zeros' (default) or the nearest border pixel ('border'). */
  paddingMode?: 'zeros' | 'border';
}

/**
 * Bilinear sampling of x (N, C, H, W) at grid (N, Ho, Wo, 2) holding normalised (x, y)
 * in [-1, 1] -> (N, C, Ho, Wo), PyTorch's F.grid_sample(mode='bilinear').
 * Differentiable w.r.t. x and grid (once: the gradient has no gradient of its own).
 * @see https://pytorch.org/docs/stable/generated/torch.nn.functional.grid_sample.html
 */
export function gridSample(x: Tensor, grid: Tensor, opts: GridSampleOptions = {}): Tensor {
  const op = 'gridSample';
  if (!(x instanceof Tensor)) fail(op, 'x', 'a Tensor', x);
  if (!(grid instanceof Tensor)) fail(op, 'grid', 'a Tensor', grid);
  assertFloat(op, 'x', x);
  if (x.rank !== 4) fail(op, 'x', 'a 4-D tensor (N, C, H, W)', x);
  if (grid.rank !== 4 || grid.shape[3] !== 2 || grid.shape[0] !== x.shape[0]) {
    throw new HeadsplatError(`${op}: grid must have shape [N = ${x.shape[0]}, Ho, Wo, 2], got x ${fmt(x)} and grid ${fmt(grid)}`);
  }
  if (grid.dtype !== x.dtype) throw new HeadsplatError(`${op}: x and grid must have the same dtype, got ${fmt(x)} and ${fmt(grid)}`);
  sameDevice(op, [x, grid]);
  const padding = opts.paddingMode ?? 'zeros';
  if (padding !== 'zeros' && padding !== 'border') fail(op, 'options.paddingMode', "'zeros' or 'border'", padding);
  const attrs = { alignCorners: !!opts.alignCorners, padding };
  const out = runKernel<KernelAttrs['GridSample']>('GridSample', [x, grid], attrs)[0];
  record({
    name: op,
    inputs: [x, grid],
    outputs: [out],
    save: [x, grid],
    backward: ([g], [sx, sg]) => {
      const grads = runKernel<KernelAttrs['GridSampleBackward']>('GridSampleBackward', [sx, sg, g!], attrs);
      // Under createGraph, make a second differentiation fail loudly instead of silently yielding zeros.
      record({
        name: 'gridSampleBackward',
        inputs: [sx, sg, g!],
        outputs: grads,
        backward: () => {
          throw new HeadsplatError(`${op}: double backward is not supported`);
        },
      });
      return grads;
    },
  });
  return out;
}

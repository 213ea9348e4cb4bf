import { HeadsplatError, fmt } from './errors.js';
import { runKernel } from './op.js';
import { Tensor } from './tensor.js';
import type { KernelAttrs } from './kernel-names.js';

/**
 * In-place assignment: copies the values of `source` into `target`'s own storage and
 * returns `target`. Nothing is recorded on the autograd tape, `target` keeps its
 * identity, storage (the same `GPUBuffer` on WebGPU), `requiresGrad` and `.grad`, and
 * `source` is left untouched (dispose it yourself). This is how optimisers update
 * parameters (torch's `p.copy_(v)` under `no_grad`).
 *
 * Every tensor sharing `target`'s storage sees the new values: its `reshape`/`detach`
 * views, and tensors saved for a pending backward. The latter is caught: each storage
 * carries a version counter, and a backward through an op whose saved tensor was
 * assigned after it was saved throws (as PyTorch's "modified by an inplace operation").
 * Run the backward first, then assign.
 *
 * @param target a leaf tensor (no autograd history) to write into.
 * @param source a tensor of the same shape, dtype and device.
 * @throws HeadsplatError naming the argument when shapes, dtypes or devices differ,
 *   when `target` is not a leaf, or when either tensor was disposed.
 * @example
 * noGrad(() => assign_(w, sub(w, mul(w.grad!, 0.01)))); // SGD step, w keeps its buffer
 */
export function assign_(target: Tensor, source: Tensor): Tensor {
  if (!(target instanceof Tensor)) throw new HeadsplatError(`assign_: target must be a Tensor, got ${fmt(target)}`);
  if (!(source instanceof Tensor)) throw new HeadsplatError(`assign_: source must be a Tensor, got ${fmt(source)}`);
  target.assertLive('assign_');
  source.assertLive('assign_');
  if (target.shape.length !== source.shape.length || target.shape.some((d, i) => d !== source.shape[i])) {
    throw new HeadsplatError(`assign_: source must have target's shape [${target.shape.join(', ')}], got [${source.shape.join(', ')}]`);
  }
  if (target.dtype !== source.dtype) throw new HeadsplatError(`assign_: source must have target's dtype ${target.dtype}, got ${source.dtype}`);
  if (target.device !== source.device) {
    throw new HeadsplatError(`assign_: source must be on target's device '${target.device}', got '${source.device}'; move it with await source.to('${target.device}')`);
  }
  if (!target.isLeaf) {
    throw new HeadsplatError(`assign_: target must be a leaf tensor (no autograd history), got the output of '${target.gradFn!.name}'; assign into a detached tensor instead`);
  }
  if (target.ref === source.ref) return target;
  runKernel<KernelAttrs['Assign']>('Assign', [target, source], {});
  target.ref.version++;
  return target;
}

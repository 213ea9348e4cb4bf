import { HeadsplatError, Tensor, mean, sum } from '@headsplat/core';

export type Reduction = 'mean' | 'sum' | 'none';

export function reduce(x: Tensor, reduction: Reduction = 'mean', op = 'loss'): Tensor {
  switch (reduction) {
    case 'mean': return mean(x);
    case 'sum': return sum(x);
    case 'none': return x;
    default: throw new HeadsplatError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

/** Both tensors, same shape and device, else an error naming the loss and both shapes. */
export function checkPair(op: string, a: unknown, b: unknown, names: [string, string] = ['input', 'target']): void {
  if (!(a instanceof Tensor)) throw new HeadsplatError(`${op}: ${names[0]} must be a Tensor, got ${String(a)}`);
  if (!(b instanceof Tensor)) throw new HeadsplatError(`${op}: ${names[1]} must be a Tensor, got ${String(b)}`);
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new HeadsplatError(`${op}: ${names[1]} must have the shape of ${names[0]} [${a.shape.join(', ')}], got [${b.shape.join(', ')}]`);
  }
  if (a.device !== b.device) throw new HeadsplatError(`${op}: ${names[1]} must be on device '${a.device}' (as ${names[0]}), got '${b.device}'`);
}

export function checkImage(op: string, arg: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new HeadsplatError(`${op}: ${arg} must be a Tensor, got ${String(x)}`);
  if (x.rank !== 4) throw new HeadsplatError(`${op}: ${arg} must be a 4-D image batch (N, C, H, W), got shape [${x.shape.join(', ')}]`);
}

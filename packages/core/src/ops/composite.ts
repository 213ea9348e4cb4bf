import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';

/**
 * Runs the body of a composite op (one built from other ops) in a tidy scope, so that
 * its intermediates are freed even when the caller uses no tidy; the autograd graph
 * keeps what the backward needs through its nodes and saved aliases. A body that returns
 * one of its inputs unchanged (e.g. a reduction over no axes) is safe: `tidy` moves only
 * tensors created inside its scope, so the input stays with its owner.
 */
export function composite(_inputs: readonly unknown[], body: () => Tensor): Tensor {
  return tidy(body);
}

import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';

/**
 * Runs the body of a composite op (one built from other ops) in a tidy scope, so that
 * its intermediates are freed even when the caller uses no tidy; the autograd graph
 * keeps what the backward needs through its nodes and saved aliases.
 * When the body returns one of its inputs unchanged (e.g. a reduction over no axes),
 * that tensor is not handed to the tidy: `tidy` would move a returned tensor into the
 * enclosing scope, and an input created outside that scope must not be disposed with it.
 */
export function composite(inputs: readonly unknown[], body: () => Tensor): Tensor {
  let passthrough: Tensor | null = null;
  const out = tidy(() => {
    const r = body();
    if (inputs.includes(r)) {
      passthrough = r;
      return undefined;
    }
    return r;
  });
  return passthrough ?? (out as Tensor);
}

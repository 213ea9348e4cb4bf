import { noGrad } from '../engine.js';
import { fail } from '../errors.js';
import { normAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { div, sub } from './binary.js';
import { assertFloat } from './util.js';
import { logsumexp, max, sum } from './reduce.js';
import { exp } from './unary.js';

function check(op: string, x: Tensor, axis: number): number {
  if (!(x instanceof Tensor)) fail(op, 'x', 'a Tensor', x);
  assertFloat(op, 'x', x);
  if (x.rank === 0) fail(op, 'x', 'a tensor of rank >= 1', x);
  return normAxis(op, axis, x.rank);
}

/**
 * exp(x − m) / Σ exp(x − m) along axis, m the (constant) row maximum so that exp never
 * overflows; the gradient flows through the composed ops (y·(g − Σ g·y)).
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  return composite([x], () => {
    const a = check('softmax', x, axis);
    const m = noGrad(() => max(x, a, true));
    const e = exp(sub(x, m));
    return div(e, sum(e, a, true));
  });
}

/** x − logsumexp(x) along axis: log-probabilities without log(0) underflow. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return composite([x], () => {
    const a = check('logSoftmax', x, axis);
    return sub(x, logsumexp(x, a, true));
  });
}

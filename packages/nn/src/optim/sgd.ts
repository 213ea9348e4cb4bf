import { HeadsplatError, add, mul, sub, type Tensor } from '@headsplat/core';
import type { Parameter } from '../parameter.js';
import { Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
}

/**
 * SGD with momentum, PyTorch's formulation: g += λp; b ← μ b + (1 - τ) g (b = g at the first
 * step); g ← nesterov ? g + μ b : b; p ← p - lr g.
 * @see https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    super('SGD', params, { momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, ...opts });
  }

  protected override validate(o: SGDOptions, gi: number): void {
    super.validate(o, gi);
    if (!(o.momentum >= 0)) throw new HeadsplatError(`SGD: param_groups[${gi}].momentum must be >= 0, got ${o.momentum}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new HeadsplatError(`SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum}, dampening ${o.dampening}`);
  }

  protected update(p: Parameter, grad: Tensor, s: ParamState, o: SGDOptions): Tensor {
    let g = grad;
    if (o.weight_decay !== 0) g = add(g, mul(p, o.weight_decay));
    if (o.momentum !== 0) {
      const prev = s.momentum_buffer as Tensor | undefined;
      const buf = prev ? add(mul(prev, o.momentum), mul(g, 1 - o.dampening)) : g.clone();
      this.setState(s, 'momentum_buffer', buf);
      g = o.nesterov ? add(g, mul(buf, o.momentum)) : buf;
    }
    return sub(p, mul(g, o.lr));
  }
}

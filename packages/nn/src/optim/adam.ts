import { HeadsplatError, add, div, maximum, mul, sqrt, square, sub, zerosLike, type Tensor } from '@headsplat/core';
import type { Parameter } from '../parameter.js';
import { Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with PyTorch's arithmetic:
 * m ← β1 m + (1-β1) g, v ← β2 v + (1-β2) g², p ← p - lr/(1-β1ᵗ) · m / (√v/√(1-β2ᵗ) + ε).
 * `weight_decay` adds λp to g (L2); AdamW decays the weights instead.
 * The whole update is one elementwise chain per parameter (fused on WebGPU).
 * @see https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
 */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}, name = 'Adam') {
    super(name, params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, ...opts });
  }

  protected override validate(o: AdamOptions, gi: number): void {
    super.validate(o, gi);
    const [b1, b2] = o.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new HeadsplatError(`${this.name}: param_groups[${gi}].betas must be in [0, 1), got [${String(o.betas)}]`);
    if (!(o.eps >= 0)) throw new HeadsplatError(`${this.name}: param_groups[${gi}].eps must be >= 0, got ${o.eps}`);
    if (!(o.weight_decay >= 0)) throw new HeadsplatError(`${this.name}: param_groups[${gi}].weight_decay must be >= 0, got ${o.weight_decay}`);
  }

  protected update(p: Parameter, grad: Tensor, s: ParamState, o: AdamOptions): Tensor {
    const [b1, b2] = o.betas;
    const t = ((s.step as number | undefined) ?? 0) + 1;
    s.step = t;
    let g = grad;
    let w: Tensor = p;
    if (o.weight_decay !== 0) {
      if (this.decoupled) w = mul(p, 1 - o.lr * o.weight_decay);
      else g = add(g, mul(p, o.weight_decay));
    }
    const m = add(mul((s.exp_avg as Tensor | undefined) ?? zerosLike(p), b1), mul(g, 1 - b1));
    const v = add(mul((s.exp_avg_sq as Tensor | undefined) ?? zerosLike(p), b2), mul(square(g), 1 - b2));
    this.setState(s, 'exp_avg', m);
    this.setState(s, 'exp_avg_sq', v);
    let vHat = v;
    if (o.amsgrad) {
      const prev = s.max_exp_avg_sq as Tensor | undefined;
      vHat = prev ? maximum(prev, v) : v;
      this.setState(s, 'max_exp_avg_sq', vHat);
    }
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    const denom = add(mul(sqrt(vHat), 1 / Math.sqrt(bc2)), o.eps);
    return sub(w, mul(div(m, denom), o.lr / bc1));
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019): decoupled weight decay p ← p (1 - lr λ) before the Adam
 * step. PyTorch's default weight_decay is 0.01.
 */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { weight_decay: 0.01, ...opts }, 'AdamW');
  }
}

import { linear, type Tensor } from '@headsplat/core';
import { defaultLayerInit, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkInput, positiveInt } from './check.js';

export interface LinearOptions extends InitOptions {
  /** Default true. */
  bias?: boolean;
}

/** y = x Wᵀ + b (torch.nn.Linear: weight (out, in), bias (out); PyTorch's default init). */
export class Linear extends Module implements TensorModule {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    positiveInt('Linear', 'inFeatures', inFeatures, 0);
    positiveInt('Linear', 'outFeatures', outFeatures);
    const init = defaultLayerInit([outFeatures, inFeatures], opts.bias === false ? null : [outFeatures], opts);
    this.weight = this.registerParameter('weight', Parameter.from(init.weight));
    this.bias = this.registerParameter('bias', init.bias ? Parameter.from(init.bias) : null);
  }

  forward(x: Tensor): Tensor {
    checkInput('Linear', x, { lastDim: this.inFeatures, device: this.weight.device });
    return linear(x, this.weight, this.bias);
  }
}

/** Passes its input through (torch.nn.Identity). */
export class Identity extends Module implements TensorModule {
  forward(x: Tensor): Tensor {
    return x;
  }
}

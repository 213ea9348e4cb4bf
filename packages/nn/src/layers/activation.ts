import { HeadsplatError, gelu, leakyRelu, mul, relu, sigmoid, softplus, tanh, type Tensor } from '@headsplat/core';
import { Module, type TensorModule } from '../module.js';

export type ActivationName = 'relu' | 'leaky_relu' | 'gelu' | 'sigmoid' | 'tanh' | 'softplus' | 'silu' | 'none';
export type ActivationFn = (x: Tensor) => Tensor;

/** x * sigmoid(x) (SiLU / swish). */
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));

/**
 * The activation function of a name. `slope` is leaky_relu's negative slope (default 0.01;
 * StyleGAN2's lrelu uses 0.2); `beta` softplus's sharpness (IDR uses 100):
 * softplus_beta(x) = softplus(beta x) / beta.
 */
export function activationFn(name: ActivationName, opts: { slope?: number; beta?: number } = {}): ActivationFn {
  switch (name) {
    case 'relu': return relu;
    case 'leaky_relu': { const s = opts.slope ?? 0.01; return (x) => leakyRelu(x, s); }
    case 'gelu': return gelu;
    case 'sigmoid': return sigmoid;
    case 'tanh': return tanh;
    case 'softplus': {
      const b = opts.beta ?? 1;
      return b === 1 ? softplus : (x) => mul(softplus(mul(x, b)), 1 / b);
    }
    case 'silu': return silu;
    case 'none': return (x) => x;
    default: throw new HeadsplatError(`activationFn: name must be one of relu, leaky_relu, gelu, sigmoid, tanh, softplus, silu, none, got '${String(name)}'`);
  }
}

/** A parameter-free module applying an activation function (ReLU, GELU, ...). */
export class Activation extends Module implements TensorModule {
  private readonly fn: ActivationFn;
  constructor(readonly name: ActivationName, opts: { slope?: number; beta?: number } = {}) {
    super();
    this.fn = activationFn(name, opts);
  }

  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

export class ReLU extends Activation { constructor() { super('relu'); } }
export class GELU extends Activation { constructor() { super('gelu'); } }
export class Sigmoid extends Activation { constructor() { super('sigmoid'); } }
export class Tanh extends Activation { constructor() { super('tanh'); } }
export class SiLU extends Activation { constructor() { super('silu'); } }
export class LeakyReLU extends Activation { constructor(slope = 0.01) { super('leaky_relu', { slope }); } }
export class Softplus extends Activation { constructor(beta = 1) { super('softplus', { beta }); } }

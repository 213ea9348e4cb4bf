import { HeadsplatError, ge, mul, rand, where, type Tensor } from '@headsplat/core';
import { generatorOf, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import type { Generator } from '@headsplat/core';

/**
 * Inverted dropout (torch.nn.Dropout): in training, zeroes each element with probability p
 * and scales the rest by 1 / (1 - p); identity in eval. The mask stream is seeded.
 */
export class Dropout extends Module implements TensorModule {
  private readonly gen: Generator | undefined;

  constructor(readonly p = 0.5, opts: Pick<InitOptions, 'seed' | 'generator'> = {}) {
    super();
    if (!(p >= 0 && p < 1)) throw new HeadsplatError(`Dropout: p must be in [0, 1), got ${p}`);
    this.gen = generatorOf(opts);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const u = rand([...x.shape], { device: x.device, generator: this.gen });
    return mul(where(ge(u, this.p), x, 0), 1 / (1 - this.p));
  }
}

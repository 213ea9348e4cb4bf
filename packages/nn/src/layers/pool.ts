import { avgPool2d, interpolate, maxPool2d, type Tensor, type UpsampleMode } from '@headsplat/core';
import { Module, type TensorModule } from '../module.js';
import type { Pair } from './check.js';

/** torch.nn.MaxPool2d (floor mode). */
export class MaxPool2d extends Module implements TensorModule {
  constructor(readonly kernelSize: Pair, readonly opts: { stride?: Pair; padding?: Pair } = {}) {
    super();
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }
}

/** torch.nn.AvgPool2d (floor mode, count_include_pad). */
export class AvgPool2d extends Module implements TensorModule {
  constructor(readonly kernelSize: Pair, readonly opts: { stride?: Pair; padding?: Pair } = {}) {
    super();
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }
}

/** torch.nn.Upsample by a scale factor. */
export class Upsample extends Module implements TensorModule {
  constructor(readonly scaleFactor: number, readonly mode: UpsampleMode = 'nearest', readonly alignCorners = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, { scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.mode === 'bilinear' ? this.alignCorners : undefined });
  }
}

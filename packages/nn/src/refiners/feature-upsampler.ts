import { HeadsplatError, add, interpolate, type Tensor } from '@headsplat/core';
import { Sequential } from '../containers.js';
import { generatorOf, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { LeakyReLU } from '../layers/activation.js';
import { Conv2d } from '../layers/conv.js';

export interface FeatureUpsamplerOptions extends InitOptions {
  inChannels: number;
  outChannels: number;
  /** Hidden channels. Default max(inChannels, outChannels). */
  hiddenChannels?: number;
}

/**
 * A 2x feature-map upsampler as GPHM's neural renderer uses to go from a rendered
 * feature map to a higher-resolution image: bilinear 2x, then a residual conv stack
 * (conv3x3-lrelu-conv3x3) added to a 1x1 projection of the upsampled input.
 * (N, inChannels, H, W) -> (N, outChannels, 2H, 2W).
 */
export class FeatureUpsampler extends Module implements TensorModule {
  readonly body: Sequential;
  readonly skip: Conv2d;

  constructor(readonly opts: FeatureUpsamplerOptions) {
    super();
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    const hid = opts.hiddenChannels ?? Math.max(opts.inChannels, opts.outChannels);
    this.body = this.registerModule('body', new Sequential(
      new Conv2d(opts.inChannels, hid, 3, { ...o, padding: 1 }), new LeakyReLU(0.2), new Conv2d(hid, opts.outChannels, 3, { ...o, padding: 1 }),
    ));
    this.skip = this.registerModule('skip', new Conv2d(opts.inChannels, opts.outChannels, 1, o));
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.opts.inChannels) throw new HeadsplatError(`FeatureUpsampler: input must be (N, ${this.opts.inChannels}, H, W), got [${x.shape.join(', ')}]`);
    const u = interpolate(x, { scaleFactor: 2, mode: 'bilinear' });
    return add(this.body.forward(u), this.skip.forward(u));
  }
}
